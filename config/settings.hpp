// The typed view of a validated config: every name resolved to its enum
// (config/names.hpp), every bandwidth in bits/s and every duration in
// seconds, made once by resolve(). Code below config/ (actors, apps) reads
// these values and never compares a name or parses a unit string of the
// config; config::config keeps the TOML strings for messages, to_toml and
// the settings text that processes of a cluster compare.
#pragma once

#include <optional>
#include <vector>

#include "config/config.hpp"
#include "config/names.hpp"
#include "core/graph_schedule.hpp"
#include "core/lr_schedule.hpp"
#include "core/result.hpp"

namespace sgp::config {

/// One emulated link's properties, in SI units.
struct link_settings {
  double bandwidth_bits_per_second = 10e9;
  double latency_seconds = 0.0;
  double jitter_seconds = 0.0;
  double loss = 0.0;
};

/// A [[network.link]] entry with the [network] defaults filled in.
struct link_entry_settings {
  int from = 0;
  int to = 0;
  bool symmetric = true;
  link_settings link;
};

/// A [[faults]] entry's typed parts; the rest (nodes, factor, groups) is
/// read from the fault_section at the same index.
struct fault_settings {
  fault_action action = fault_action::heal;
  std::optional<double> bandwidth_bits_per_second;  ///< link_set: unset = unchanged
  std::optional<double> latency_seconds;            ///< link_set: unset = unchanged
  std::optional<double> jitter_seconds;             ///< link_set: unset = unchanged
};

struct algorithm_settings {
  algorithm_kind name = algorithm_kind::sgp;
  core::topology_kind topology = core::topology_kind::exponential;
  sgp::config::osgp_variant osgp_variant = sgp::config::osgp_variant::bounded;
  sgp::config::step_space step_space = sgp::config::step_space::z;
  sgp::config::compression compression = sgp::config::compression::none;
  double wait_timeout_seconds = 2.0;
};

struct backend_settings {
  backend_kind name = backend_kind::cpu;
  sgp::config::compute_threads compute_threads = sgp::config::compute_threads::automatic;
  sgp::config::conv_search conv_search = sgp::config::conv_search::timed;
};

struct cluster_settings {
  double heartbeat_timeout_seconds = 30.0;
  double process_timeout_seconds = 3.0;
  double join_timeout_seconds = 60.0;
  sgp::config::actor_polling actor_polling = sgp::config::actor_polling::automatic;
};

struct network_settings {
  link_settings defaults;                  ///< [network]
  std::vector<link_entry_settings> links;  ///< [[network.link]], in file order
};

/// The typed values of a config (the sections' other fields are already
/// typed and stay where they are).
struct settings {
  model_kind model = model_kind::cnn;
  data_kind data = data_kind::fashion_mnist;
  sgp::config::weight_decay_scope weight_decay_scope = sgp::config::weight_decay_scope::weights;
  core::lr_decay schedule = core::lr_decay::step;
  algorithm_settings algorithm;
  backend_settings backend;
  cluster_settings cluster;
  network_settings network;
  std::vector<fault_settings> faults;  ///< one per cfg.faults entry, same order
};

/// Resolves every name and unit string of `cfg`. A config from load_file /
/// load_string always resolves; an error ("algorithm.name: must be one of
/// ...; got \"x\"", "network.latency: bad duration ...") is for a config
/// whose strings were set in code.
[[nodiscard]] core::result<settings> resolve(const config& cfg);

}  // namespace sgp::config
