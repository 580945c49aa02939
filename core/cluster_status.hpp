// A snapshot of a training group for the status page: per node, per edge and
// a short history, rendered as JSON (GET /status.json) and as Prometheus
// text (GET /metrics). Filled by the supervisor; std only.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sgp::core {

/// One node as the supervisor last saw it.
struct node_status {
  int id = 0;
  /// "train", "paused" (for a checkpoint), "done", "dead" or "starting" (no report yet)
  std::string state = "starting";
  std::uint64_t incarnation = 0;
  std::uint64_t iteration = 0;
  std::uint64_t lag = 0;  ///< iterations behind the fastest live node
  double loss = 0.0;
  double w = 0.0;
  double comm_wait = 0.0;        ///< seconds the last iteration waited for in-neighbours
  double compute_seconds = 0.0;  ///< mean forward/backward seconds over the window (else the last)
  double iterations_per_second = 0.0;  ///< over the last few seconds
  std::uint64_t messages_late = 0;
  std::uint64_t messages_lost = 0;
  std::uint64_t messages_duplicate = 0;
  bool straggler = false;
  std::string straggler_reason;        ///< why it is marked, empty when it is not
  std::string host;                    ///< host name
  int process = 0;                     ///< process id
  std::string device;                  ///< "cpu" or "cuda:K"
  std::vector<std::size_t> out_peers;  ///< this iteration's
};

/// One directed link that matters: in the schedule's window, down, or with traffic.
struct edge_status {
  std::size_t from = 0;
  std::size_t to = 0;
  bool up = true;                 ///< the link is up (not down, not cut by a partition)
  bool in_topology = false;       ///< used by the schedule over its period
  bool active = false;            ///< used at the current iteration
  std::uint64_t bytes = 0;        ///< pushed over the run (payload bytes)
  std::uint64_t messages = 0;     ///< pushes over the run
  double bytes_per_second = 0.0;  ///< over the last few seconds
  double messages_per_second = 0.0;
};

/// One point of the loss and consensus chart.
struct history_point {
  double time = 0.0;  ///< seconds since the start
  double loss = 0.0;  ///< mean over live nodes
  double consensus_distance = std::numeric_limits<double>::quiet_NaN();  ///< NaN: not yet
};

struct cluster_status {
  std::string algorithm;
  std::string topology;
  double time = 0.0;            ///< seconds since the start
  std::uint64_t iteration = 0;  ///< the fastest live node's
  std::uint64_t total_iterations = 0;
  std::uint64_t view_epoch = 0;
  std::size_t live_nodes = 0;
  bool connected = true;  ///< strongly connected over the schedule's window
  bool finishing = false;
  double consensus_distance = std::numeric_limits<double>::quiet_NaN();  ///< NaN: not yet
  double window_seconds = 0.0;  ///< what "recently" means for rates
  std::vector<node_status> nodes;
  std::vector<edge_status> edges;
  std::vector<history_point> history;
};

/// The snapshot as one JSON object (the page reads it).
std::string to_json(const cluster_status& s);

/// The snapshot in Prometheus text exposition format (version 0.0.4).
std::string to_prometheus(const cluster_status& s);

/// Marks stragglers among training nodes: a lag of more than `max_lag`
/// iterations, an iteration rate below half the median, or a step taking
/// more than twice the median (medians need three training nodes).
void mark_stragglers(cluster_status& s, std::uint64_t max_lag);

}  // namespace sgp::core
