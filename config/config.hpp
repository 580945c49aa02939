// The validated configuration: plain structs, filled from TOML by load.cpp.
// Key names follow docs/design.md §6 (the contract); docs/config.md lists them all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sgp::config {

/// The most nodes a run may have: every node pair has an emulated link.
inline constexpr int max_nodes = 1024;

struct run_section {
  std::string name = "run";
  std::string dir = "runs/run";  ///< run directory (metrics, checkpoints, summary)
  std::uint64_t seed = 1;
  /// A group checkpoint to continue from (set by `sgp train --resume`, not
  /// a TOML key); empty: a fresh start.
  std::string resume_from;
};

struct cluster_section {
  /// One `[[cluster.process]]` entry: an OS process of a multi-process run
  /// and the nodes it hosts (config/cluster.hpp gives their global ids).
  struct process_entry {
    std::string name;          ///< unique, [A-Za-z0-9_.-]+
    std::string host;          ///< hostname or IP address the process listens on
    int port = 0;              ///< 1..65535; (host, port) pairs are unique
    int nodes = 1;             ///< nodes in this process (devices.size() when devices are given)
    std::vector<int> devices;  ///< GPU ids of this process; empty = not given
  };

  /// Nodes in the whole run; with processes, the sum of their nodes.
  int nodes = 1;
  /// A node that reports nothing for this long is declared failed.
  std::string heartbeat_timeout = "30s";
  /// [[cluster.process]] entries, in file order; empty: one process.
  std::vector<process_entry> processes;
  /// Shared secret a process presents to join (may be empty; the
  /// SGP_CLUSTER_SECRET environment variable is read elsewhere). Never logged.
  std::string secret;
  /// A peer process that is silent for this long is declared dead.
  std::string process_timeout = "3s";
  /// How long a process waits at start for all its peers.
  std::string join_timeout = "60s";
  /// Actor scheduler threads of each process; 0: the host's cores shared
  /// among the cluster's processes at the same address (at least 2 each).
  int actor_threads = 0;
  /// How idle actor threads wait for work: auto | busy | quiet.
  std::string actor_polling = "auto";
};

struct model_section {
  std::string name = "cnn";  ///< mlp | cnn | cnn-bn | resnet18 | resnet50 (cuda, bf16)
};

struct data_section {
  std::string name = "fashion-mnist";  ///< fashion-mnist | synthetic | idx | npy
  std::string path = "/usr/share/datasets/fashion-mnist";
  // idx and npy: the four files (required for those, unused otherwise)
  std::string train_images;
  std::string train_labels;
  std::string test_images;
  std::string test_labels;
  int batch_size = 64;  ///< per node
  int eval_batch_size = 1000;
  std::int64_t max_train_samples = 0;  ///< 0 = all; a prefix of the set, for quick runs
  std::int64_t max_test_samples = 0;   ///< 0 = all
  // synthetic only
  std::int64_t synthetic_train_samples = 8192;
  std::int64_t synthetic_test_samples = 1024;
  int channels = 1;
  int height = 28;
  int width = 28;
  int classes = 10;
};

struct optimizer_section {
  double lr = 0.1;  ///< base learning rate (per node; see schedule.scale_lr_by_nodes)
  double momentum = 0.9;
  bool nesterov = true;
  double weight_decay = 1e-4;
  /// weights: not applied to biases and batch-norm parameters; all: every
  /// parameter (the reference code: torch.optim.SGD's weight_decay)
  std::string weight_decay_scope = "weights";
};

struct schedule_section {
  std::string kind = "step";  ///< step | cosine
  int epochs = 5;
  /// Stop after this many iterations (per node) even if `epochs` is not
  /// done; 0 = no limit. For quick runs: the lr schedule still spans `epochs`.
  std::int64_t max_iterations = 0;
  double warmup_epochs = 0.0;        ///< linear ramp to the peak lr over this many epochs
  double warmup_start_factor = 0.1;  ///< lr at epoch 0 = peak * this (1/nodes: Goyal et al.)
  std::vector<double> decay_epochs;  ///< step: multiply by decay_factor at each
  double decay_factor = 0.1;
  bool scale_lr_by_nodes = false;    ///< lr = base * nodes (the reference recipe)
  int reference_batch = 0;           ///< > 0: lr also × batch_size / reference_batch (256)
  bool warmup_from_base_lr = false;  ///< warm-up starts at optimizer.lr, not peak × factor
};

struct algorithm_section {
  std::string name = "sgp";  ///< sgp | osgp | ar-sgd | d-psgd | none (no communication)
  /// exponential | npeer-exponential | bipartite-exponential | linear |
  /// bipartite-linear | ring | complete
  std::string topology = "exponential";
  // plus the reference's dynamic-directed-exponential,
  // npeer-dynamic-directed-exponential, dynamic-directed-linear,
  // dynamic-bipartite-linear
  int peers_per_iteration = 1;
  int tau = 1;
  /// osgp (bounded): the epoch from which it overlaps; before it, it waits
  /// and mixes as sgp does. 0: overlaps from the start.
  double overlap_from_epoch = 0.0;
  std::string osgp_variant = "bounded";  ///< bounded | reference
  std::string step_space = "z";          ///< x | z (gossip algorithms)
  /// The fraction of its mass a node keeps at each push (0 < k < 1), the
  /// rest split evenly over its out-peers; 0 = uniform, 1 / (peers + 1).
  double self_weight = 0.0;
  std::string compression = "none";  ///< none | bf16
  /// How long a node waits for an in-neighbour's message before it goes on
  /// without it and reports the neighbour to the supervisor as suspect.
  std::string wait_timeout = "2s";
  /// When a node's wait expires, each in-neighbour it waited for is asked
  /// (over the supervisor, not the links) to send that edge's running sums
  /// again: mass that a lost push left in flight arrives about one
  /// iteration later instead of at the edge's next turn in the schedule.
  bool resend_on_timeout = false;
  /// With resend_on_timeout: how many times one wait asks for resends
  /// (each followed by one more wait_timeout) before the node goes on.
  int resend_attempts = 3;
};

struct backend_section {
  std::string name = "cpu";  ///< cpu | cuda
  int threads = 0;           ///< CPU threads; 0 = all cores
  /// Where compute actors run: auto (threads of their own for GPU backends,
  /// the shared scheduler for cpu) | own | shared.
  std::string compute_threads = "auto";
  /// cuda: how convolution algorithms are chosen: timed (the fastest on
  /// this device) | reproducible (cuDNN's heuristics, deterministic ones).
  std::string conv_search = "timed";
  /// cuda: GPU ids; node i computes on devices[i % devices.size()].
  std::vector<int> devices = {0};
};

/// One `[[network.link]]` entry: the emulated link between two nodes, where it
/// differs from the [network] defaults.
struct link_section {
  int from = 0;                ///< node id, 0 <= from < cluster.nodes
  int to = 0;                  ///< node id, != from
  bool symmetric = true;       ///< also applies to to -> from; false: only from -> to
  std::string bandwidth;       ///< empty = network.bandwidth
  std::string latency;         ///< empty = network.latency
  std::string jitter;          ///< empty = network.jitter
  std::optional<double> loss;  ///< unset = network.loss
};

struct network_section {
  std::string bandwidth = "10Gbit";  ///< per link; see config/units.hpp
  std::string latency = "0ms";
  std::string jitter = "0ms";
  double loss = 0.0;           ///< probability a message is dropped, [0, 1]
  double duplicate = 0.0;      ///< probability a message is delivered twice, [0, 1]
  bool shared_egress = false;  ///< a node's links take turns on one interface
  /// Bytes a link carries per 1448-byte TCP segment besides the payload:
  /// 66 (Ethernet, IPv4 and TCP headers) as tbf counts them, 90 with a
  /// NIC's preamble, gap and checksum, 0 for a payload rate.
  double frame_overhead = 66.0;
  /// The file (or a --set) has a [network] table. Across processes the
  /// real network carries the pushes: only a given [network] is emulated
  /// on top of it.
  bool given = false;
  std::vector<link_section> links;  ///< [[network.link]] entries, in file order
};

/// One `[[faults]]` entry: a console command scripted at an iteration or a time.
/// Exactly one of at_iteration / at_seconds is set (the other stays -1).
struct fault_section {
  std::int64_t at_iteration = -1;  ///< global iteration at which it fires
  double at_seconds = -1.0;        ///< seconds after the start at which it fires
  /// link_down | link_up | link_set | slow | kill | revive | partition | heal
  std::string action;
  int from = -1;  ///< link_*: the link from -> to
  int to = -1;
  bool symmetric = true;       ///< link_*: also to -> from
  std::string bandwidth;       ///< link_set: empty = unchanged
  std::string latency;         ///< link_set: empty = unchanged
  std::string jitter;          ///< link_set: empty = unchanged
  std::optional<double> loss;  ///< link_set: unset = unchanged
  int node = -1;               ///< slow | kill | revive
  double factor = 1.0;         ///< slow: compute takes factor x as long (1 = normal)
  /// partition: >= 2 disjoint, non-empty groups of node ids; links between
  /// groups go down, nodes in no group keep their links
  std::vector<std::vector<int>> groups;
};

struct output_section {
  int checkpoint_every_epochs = 1;  ///< 0 = only at the end
  bool progress = true;             ///< live progress line on stderr
  int progress_every_iterations = 20;
  int consensus_every_iterations = 100;  ///< consensus distance measured this often; 0 = never
  /// HOST:PORT of the status page's HTTP server; empty = no server.
  std::string http;
  /// The secret that POST /command needs (else the SGP_SECRET environment
  /// variable; neither: commands over HTTP are refused).
  std::string http_secret;
  /// Also save each live node's model (RUN_DIR/model-node-<i>.safetensors)
  /// next to the averaged one (RUN_DIR/model.safetensors).
  bool save_node_models = false;
  /// The least severe diagnostic line written on stderr: error | warn | info | debug.
  std::string log_level = "info";
};

/// A whole validated configuration.
struct config {
  std::string source;  ///< file it was read from (for messages)
  run_section run;
  cluster_section cluster;
  model_section model;
  data_section data;
  optimizer_section optimizer;
  schedule_section schedule;
  algorithm_section algorithm;
  backend_section backend;
  network_section network;
  output_section output;
  std::vector<fault_section> faults;  ///< [[faults]] entries, in file order
};

/// Reads and validates `path`, then applies each `key.path=value` override
/// (value read as a TOML value; a bare word that is not one is a string).
/// Errors name the file, line, column and key path, or the override.
core::result<config> load_file(const std::string& path,
                               const std::vector<std::string>& overrides = {});

/// Same, from text; `source_name` stands in for the file name in errors.
core::result<config> load_string(const std::string& text, const std::string& source_name,
                                 const std::vector<std::string>& overrides = {});

}  // namespace sgp::config
