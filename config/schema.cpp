// Key lists per table and the unknown-key message (see schema.hpp).
#include "config/schema.hpp"

#include <array>

#include "config/suggest.hpp"

namespace sgp::config::schema {
namespace {

using namespace std::string_view_literals;

constexpr std::array root = {"run"sv,       "cluster"sv,  "model"sv,     "data"sv,
                             "optimizer"sv, "schedule"sv, "algorithm"sv, "backend"sv,
                             "network"sv,   "output"sv,   "faults"sv};
constexpr std::array run = {"name"sv, "dir"sv, "seed"sv};
constexpr std::array cluster = {"nodes"sv,         "heartbeat_timeout"sv, "process"sv,
                                "secret"sv,        "process_timeout"sv,   "join_timeout"sv,
                                "actor_threads"sv, "actor_polling"sv};
constexpr std::array process = {"name"sv, "host"sv, "port"sv, "nodes"sv, "devices"sv};
constexpr std::array model = {"name"sv};
constexpr std::array data = {"name"sv,
                             "path"sv,
                             "train_images"sv,
                             "train_labels"sv,
                             "test_images"sv,
                             "test_labels"sv,
                             "batch_size"sv,
                             "eval_batch_size"sv,
                             "max_train_samples"sv,
                             "max_test_samples"sv,
                             "synthetic_train_samples"sv,
                             "synthetic_test_samples"sv,
                             "channels"sv,
                             "height"sv,
                             "width"sv,
                             "classes"sv};
constexpr std::array optimizer = {"lr"sv, "momentum"sv, "nesterov"sv, "weight_decay"sv,
                                  "weight_decay_scope"sv};
constexpr std::array schedule = {"kind"sv,
                                 "epochs"sv,
                                 "max_iterations"sv,
                                 "warmup_epochs"sv,
                                 "warmup_start_factor"sv,
                                 "decay_epochs"sv,
                                 "decay_factor"sv,
                                 "scale_lr_by_nodes"sv,
                                 "reference_batch"sv,
                                 "warmup_from_base_lr"sv};
constexpr std::array algorithm = {
    "name"sv,         "topology"sv,          "peers_per_iteration"sv, "tau"sv,
    "osgp_variant"sv, "step_space"sv,        "self_weight"sv,         "compression"sv,
    "wait_timeout"sv, "resend_on_timeout"sv, "resend_attempts"sv,     "overlap_from_epoch"sv};
constexpr std::array backend = {"name"sv, "threads"sv, "compute_threads"sv, "conv_search"sv,
                                "devices"sv};
constexpr std::array network = {"bandwidth"sv, "latency"sv, "jitter"sv,        "loss"sv,
                                "duplicate"sv, "link"sv,    "shared_egress"sv, "frame_overhead"sv};
constexpr std::array output = {
    "checkpoint_every_epochs"sv,    "progress"sv, "progress_every_iterations"sv,
    "consensus_every_iterations"sv, "http"sv,     "http_secret"sv,
    "save_node_models"sv,           "log_level"sv};
constexpr std::array link = {"from"sv,    "to"sv,     "symmetric"sv, "bandwidth"sv,
                             "latency"sv, "jitter"sv, "loss"sv};
constexpr std::array faults = {"at_iteration"sv, "at_seconds"sv, "action"sv,  "from"sv,   "to"sv,
                               "symmetric"sv,    "bandwidth"sv,  "latency"sv, "jitter"sv, "loss"sv,
                               "node"sv,         "factor"sv,     "groups"sv};

struct entry {
  std::string_view table;
  std::span<const std::string_view> keys;
};

constexpr std::array<entry, 14> tables = {{{""sv, root},
                                           {"run"sv, run},
                                           {"cluster"sv, cluster},
                                           {"model"sv, model},
                                           {"data"sv, data},
                                           {"optimizer"sv, optimizer},
                                           {"schedule"sv, schedule},
                                           {"algorithm"sv, algorithm},
                                           {"backend"sv, backend},
                                           {"network"sv, network},
                                           {"output"sv, output},
                                           {"cluster.process"sv, process},
                                           {"network.link"sv, link},
                                           {"faults"sv, faults}}};

/// True for the root and the plain [section] tables, where a key may have
/// been put in the wrong section.
bool is_section_or_root(std::string_view table) {
  if (table.empty()) return true;
  for (std::string_view s : root) {
    if (s == table && s != "faults") return true;
  }
  return false;
}

std::string join(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
}

}  // namespace

std::span<const std::string_view> keys_of(std::string_view table) {
  for (const entry& e : tables) {
    if (e.table == table) return e.keys;
  }
  return {};
}

std::string unknown_key_message(std::string_view table, std::string_view path, std::string_view key,
                                bool is_table) {
  const std::string what = is_table ? "unknown table" : "unknown key";
  const auto keys = keys_of(table);
  if (auto near = closest(key, keys)) {
    return what + " (did you mean '" + join(path, *near) + "'?)";
  }
  if (is_section_or_root(table)) {
    // The right key in the wrong section ("optimizer.epochs" -> "schedule.epochs").
    for (const entry& e : tables) {
      if (e.table.empty() || e.table == table || !is_section_or_root(e.table)) continue;
      for (std::string_view k : e.keys) {
        if (k == key) return what + " (did you mean '" + join(e.table, k) + "'?)";
      }
    }
  }
  std::string list;
  for (std::string_view k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
  return what + (path.empty() ? " (valid tables: " : " (valid keys: ") + list + ")";
}

}  // namespace sgp::config::schema
