// load_file / load_string: TOML text -> overrides -> validated config structs.
// toml++ exceptions are caught here and turned into one-line errors.
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

#include "config/config.hpp"
#include "config/names.hpp"
#include "config/overrides.hpp"
#include "config/table_arrays.hpp"
#include "config/toml_reader.hpp"
#include "core/endpoint.hpp"

namespace sgp::config {
namespace {

using namespace std::string_view_literals;
using detail::at_least;
using detail::closed;
using detail::greater_than;
using detail::half_open;
using detail::open_closed;
using detail::scope;
using detail::toml_reader;

// Upper limits for sizes that would otherwise fail deep inside a run: every
// node pair has an emulated link (nodes^2), the output layer grows with the
// classes, and OpenMP fails with its own message past what it can create.
constexpr double max_classes = 100000;
constexpr double max_threads = 1024;

/// Runs `read(section_scope)` on the table `name` of the root, when present.
template <class Read>
core::status section(const toml_reader& r, const scope& root, std::string_view name, Read read) {
  auto table = r.table(root, name);
  if (!table.ok()) return table.err();
  if (*table == nullptr) return {};
  const scope s{**table, std::string(name)};
  SGP_CONFIG_TRY(r.check_keys(s, name));
  return read(s);
}

core::status non_empty(const toml_reader& r, const scope& s, std::string_view key,
                       const std::string& value) {
  if (!value.empty() || s.find(key) == nullptr) return {};
  return r.error_at(s.find(key)->source(), s.key_path(key), "must not be empty");
}

/// output.http must be HOST:PORT; a server reachable from other machines
/// must have a secret (output.http_secret or SGP_SECRET), or anyone there
/// could kill nodes.
core::status check_http(const toml_reader& r, const scope& s, const output_section& o) {
  if (o.http.empty()) return {};  // no server
  const auto* node = s.find("http");
  auto parsed = core::parse_endpoint(o.http);
  if (!parsed.ok()) return r.error_at(node->source(), s.key_path("http"), parsed.err().message);
  const char* env = std::getenv("SGP_SECRET");
  const bool secret = !o.http_secret.empty() || (env != nullptr && env[0] != '\0');
  if (!core::is_loopback(parsed->host) && !secret) {
    return r.error_at(node->source(), s.key_path("http"),
                      "binding to " + parsed->host +
                          " (not loopback) needs a secret: set output.http_secret or SGP_SECRET");
  }
  return {};
}

/// With [[cluster.process]] tables, cluster.nodes is their sum: left out, it
/// becomes the sum; given, it must equal it.
core::status check_cluster_nodes(const toml_reader& r, const scope& s, cluster_section& cl) {
  if (cl.processes.empty()) return {};
  int sum = 0;
  for (const auto& p : cl.processes) sum += p.nodes;
  const toml::node* given = s.find("nodes");
  if (sum > sgp::config::max_nodes) {
    return r.error_at(given != nullptr ? given->source() : s.table.source(), s.key_path("nodes"),
                      "the [[cluster.process]] tables give " + std::to_string(sum) +
                          " nodes, more than " + std::to_string(sgp::config::max_nodes));
  }
  if (given != nullptr && cl.nodes != sum) {
    return r.error_at(given->source(), s.key_path("nodes"),
                      "is " + std::to_string(cl.nodes) +
                          " but the [[cluster.process]] tables give " + std::to_string(sum) +
                          " nodes (leave it out or set it to " + std::to_string(sum) + ")");
  }
  cl.nodes = sum;
  return {};
}

core::status read_all(const toml_reader& r, const toml::table& doc, config& c) {
  const scope root{doc, ""};
  SGP_CONFIG_TRY(r.check_keys(root, ""));

  bool dir_given = false;
  SGP_CONFIG_TRY(section(r, root, "run", [&](const scope& s) -> core::status {
    SGP_CONFIG_TRY(r.read(s, "name", c.run.name));
    SGP_CONFIG_TRY(non_empty(r, s, "name", c.run.name));
    SGP_CONFIG_TRY(r.read(s, "dir", c.run.dir));
    SGP_CONFIG_TRY(non_empty(r, s, "dir", c.run.dir));
    dir_given = s.find("dir") != nullptr;
    return r.read(s, "seed", c.run.seed);
  }));
  if (!dir_given) c.run.dir = "runs/" + c.run.name;

  SGP_CONFIG_TRY(section(r, root, "cluster", [&](const scope& s) -> core::status {
    auto& cl = c.cluster;
    SGP_CONFIG_TRY(r.read(s, "nodes", cl.nodes, closed(1, sgp::config::max_nodes)));
    SGP_CONFIG_TRY(r.read_duration(s, "heartbeat_timeout", cl.heartbeat_timeout, true));
    SGP_CONFIG_TRY(r.read(s, "secret", cl.secret));
    SGP_CONFIG_TRY(r.read_duration(s, "process_timeout", cl.process_timeout, true));
    SGP_CONFIG_TRY(r.read_duration(s, "join_timeout", cl.join_timeout, true));
    SGP_CONFIG_TRY(r.read(s, "actor_threads", cl.actor_threads, closed(0, max_threads)));
    SGP_CONFIG_TRY(
        r.read_enum(s, "actor_polling", cl.actor_polling, names_of<sgp::config::actor_polling>()));
    SGP_CONFIG_TRY(detail::read_processes(r, s, cl.processes));
    return check_cluster_nodes(r, s, cl);
  }));

  SGP_CONFIG_TRY(section(r, root, "model", [&](const scope& s) {
    return r.read_enum(s, "name", c.model.name, names_of<model_kind>());
  }));

  SGP_CONFIG_TRY(section(r, root, "data", [&](const scope& s) -> core::status {
    auto& d = c.data;
    SGP_CONFIG_TRY(r.read_enum(s, "name", d.name, names_of<data_kind>()));
    SGP_CONFIG_TRY(r.read(s, "path", d.path));
    for (auto [key, value] :
         {std::pair{"train_images"sv, &d.train_images},
          std::pair{"train_labels"sv, &d.train_labels}, std::pair{"test_images"sv, &d.test_images},
          std::pair{"test_labels"sv, &d.test_labels}}) {
      SGP_CONFIG_TRY(r.read(s, key, *value));
      SGP_CONFIG_TRY(non_empty(r, s, key, *value));
    }
    SGP_CONFIG_TRY(r.read(s, "batch_size", d.batch_size, greater_than(0)));
    SGP_CONFIG_TRY(r.read(s, "eval_batch_size", d.eval_batch_size, greater_than(0)));
    SGP_CONFIG_TRY(r.read(s, "max_train_samples", d.max_train_samples, at_least(0)));
    SGP_CONFIG_TRY(r.read(s, "max_test_samples", d.max_test_samples, at_least(0)));
    SGP_CONFIG_TRY(r.read(s, "synthetic_train_samples", d.synthetic_train_samples, at_least(1)));
    SGP_CONFIG_TRY(r.read(s, "synthetic_test_samples", d.synthetic_test_samples, at_least(1)));
    SGP_CONFIG_TRY(r.read(s, "channels", d.channels, at_least(1)));
    SGP_CONFIG_TRY(r.read(s, "height", d.height, at_least(1)));
    SGP_CONFIG_TRY(r.read(s, "width", d.width, at_least(1)));
    return r.read(s, "classes", d.classes, closed(2, max_classes));
  }));

  SGP_CONFIG_TRY(section(r, root, "optimizer", [&](const scope& s) -> core::status {
    auto& o = c.optimizer;
    SGP_CONFIG_TRY(r.read(s, "lr", o.lr, at_least(0)));
    SGP_CONFIG_TRY(r.read(s, "momentum", o.momentum, half_open(0, 1)));
    SGP_CONFIG_TRY(r.read(s, "nesterov", o.nesterov));
    SGP_CONFIG_TRY(r.read(s, "weight_decay", o.weight_decay, at_least(0)));
    return r.read_enum(s, "weight_decay_scope", o.weight_decay_scope,
                       names_of<sgp::config::weight_decay_scope>());
  }));

  SGP_CONFIG_TRY(section(r, root, "schedule", [&](const scope& s) -> core::status {
    auto& sc = c.schedule;
    SGP_CONFIG_TRY(r.read_enum(s, "kind", sc.kind, names_of<core::lr_decay>()));
    SGP_CONFIG_TRY(r.read(s, "epochs", sc.epochs, at_least(1)));
    SGP_CONFIG_TRY(r.read(s, "max_iterations", sc.max_iterations, at_least(0)));
    SGP_CONFIG_TRY(r.read(s, "warmup_epochs", sc.warmup_epochs, at_least(0)));
    SGP_CONFIG_TRY(r.read(s, "warmup_start_factor", sc.warmup_start_factor, closed(0, 1)));
    SGP_CONFIG_TRY(r.read(s, "decay_epochs", sc.decay_epochs, at_least(0), true));
    SGP_CONFIG_TRY(r.read(s, "decay_factor", sc.decay_factor, open_closed(0, 1)));
    SGP_CONFIG_TRY(r.read(s, "scale_lr_by_nodes", sc.scale_lr_by_nodes));
    SGP_CONFIG_TRY(r.read(s, "reference_batch", sc.reference_batch, at_least(0)));
    return r.read(s, "warmup_from_base_lr", sc.warmup_from_base_lr);
  }));

  SGP_CONFIG_TRY(section(r, root, "algorithm", [&](const scope& s) -> core::status {
    auto& a = c.algorithm;
    SGP_CONFIG_TRY(r.read_enum(s, "name", a.name, names_of<algorithm_kind>()));
    SGP_CONFIG_TRY(r.read_enum(s, "topology", a.topology, names_of<core::topology_kind>()));
    SGP_CONFIG_TRY(r.read(s, "peers_per_iteration", a.peers_per_iteration, at_least(1)));
    SGP_CONFIG_TRY(r.read(s, "tau", a.tau, at_least(0)));
    SGP_CONFIG_TRY(r.read(s, "overlap_from_epoch", a.overlap_from_epoch, at_least(0)));
    SGP_CONFIG_TRY(
        r.read_enum(s, "osgp_variant", a.osgp_variant, names_of<sgp::config::osgp_variant>()));
    SGP_CONFIG_TRY(r.read_enum(s, "step_space", a.step_space, names_of<sgp::config::step_space>()));
    SGP_CONFIG_TRY(r.read(s, "self_weight", a.self_weight, half_open(0, 1)));
    SGP_CONFIG_TRY(r.read_duration(s, "wait_timeout", a.wait_timeout));
    SGP_CONFIG_TRY(r.read(s, "resend_on_timeout", a.resend_on_timeout));
    SGP_CONFIG_TRY(r.read(s, "resend_attempts", a.resend_attempts, closed(1, 16)));
    if (s.find("resend_attempts") != nullptr && !a.resend_on_timeout) {
      return r.error_at(s.find("resend_attempts")->source(), s.key_path("resend_attempts"),
                        "applies with algorithm.resend_on_timeout = true, which is off");
    }
    return r.read_enum(s, "compression", a.compression, names_of<sgp::config::compression>());
  }));

  SGP_CONFIG_TRY(section(r, root, "backend", [&](const scope& s) -> core::status {
    SGP_CONFIG_TRY(r.read_enum(s, "name", c.backend.name, names_of<backend_kind>()));
    SGP_CONFIG_TRY(r.read(s, "threads", c.backend.threads, closed(0, max_threads)));
    SGP_CONFIG_TRY(r.read_enum(s, "compute_threads", c.backend.compute_threads,
                               names_of<sgp::config::compute_threads>()));
    SGP_CONFIG_TRY(
        r.read_enum(s, "conv_search", c.backend.conv_search, names_of<sgp::config::conv_search>()));
    return r.read(s, "devices", c.backend.devices, closed(0, 1023));
  }));

  SGP_CONFIG_TRY(section(r, root, "network", [&](const scope& s) -> core::status {
    auto& n = c.network;
    n.given = true;
    SGP_CONFIG_TRY(r.read_bandwidth(s, "bandwidth", n.bandwidth));
    SGP_CONFIG_TRY(r.read_duration(s, "latency", n.latency));
    SGP_CONFIG_TRY(r.read_duration(s, "jitter", n.jitter));
    SGP_CONFIG_TRY(r.read(s, "loss", n.loss, closed(0, 1)));
    SGP_CONFIG_TRY(r.read(s, "duplicate", n.duplicate, closed(0, 1)));
    SGP_CONFIG_TRY(r.read(s, "shared_egress", n.shared_egress));
    SGP_CONFIG_TRY(r.read(s, "frame_overhead", n.frame_overhead, closed(0, 1448)));
    return detail::read_links(r, s, c.cluster.nodes, n.links);
  }));

  SGP_CONFIG_TRY(section(r, root, "output", [&](const scope& s) -> core::status {
    auto& o = c.output;
    SGP_CONFIG_TRY(r.read(s, "checkpoint_every_epochs", o.checkpoint_every_epochs, at_least(0)));
    SGP_CONFIG_TRY(r.read(s, "progress", o.progress));
    SGP_CONFIG_TRY(
        r.read(s, "progress_every_iterations", o.progress_every_iterations, at_least(1)));
    SGP_CONFIG_TRY(
        r.read(s, "consensus_every_iterations", o.consensus_every_iterations, at_least(0)));
    SGP_CONFIG_TRY(r.read(s, "http_secret", o.http_secret));
    SGP_CONFIG_TRY(r.read(s, "save_node_models", o.save_node_models));
    SGP_CONFIG_TRY(r.read_enum(s, "log_level", o.log_level, names_of<core::log_level>()));
    SGP_CONFIG_TRY(r.read(s, "http", o.http));
    return check_http(r, s, o);
  }));

  SGP_CONFIG_TRY(detail::read_faults(r, root, c.cluster.nodes, c.faults));

  // Data of the user's own names its four files.
  const auto& d = c.data;
  if (d.name == "idx" || d.name == "npy") {
    for (auto [key, value] :
         {std::pair{"train_images", &d.train_images}, std::pair{"train_labels", &d.train_labels},
          std::pair{"test_images", &d.test_images}, std::pair{"test_labels", &d.test_labels}}) {
      if (value->empty()) {
        return core::error{c.source + ": data." + key + ": required when data.name = \"" + d.name +
                           "\" (the " + (d.name == "idx" ? "IDX" : ".npy") + " file's path)"};
      }
    }
  }
  return {};
}

}  // namespace

core::result<config> load_string(const std::string& text, const std::string& source_name,
                                 const std::vector<std::string>& overrides) {
  toml::table doc;
  try {
    doc = toml::parse(std::string_view{text}, std::string_view{source_name});
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return core::error{source_name + ":" + std::to_string(at.line) + ":" +
                       std::to_string(at.column) + ": " + std::string(e.description())};
  }

  std::vector<detail::override_origin> origins;
  for (const std::string& text_of_override : overrides) {
    if (auto st = detail::apply_override(doc, text_of_override, origins); !st.ok()) {
      return st.err();
    }
  }

  config c;
  c.source = source_name;
  const toml_reader reader(source_name, std::move(origins));
  if (auto st = read_all(reader, doc, c); !st.ok()) return st.err();
  return c;
}

core::result<config> load_file(const std::string& path, const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return core::error{path + ": cannot open config file (Is a directory)"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return core::error{path + ": cannot open config file (" + std::strerror(err) + ")"};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    const int err = errno;
    return core::error{path + ": cannot read config file (" + std::strerror(err) + ")"};
  }
  return load_string(text.str(), path, overrides);
}

}  // namespace sgp::config
