// `sgp bench comm-bound`: the same nodes, model and emulated links trained
// with no communication (compute only), ar-sgd, sgp and osgp; prints the
// time per iteration of each and the ratios, next to what the link model
// predicts. A program, not a test: the figures depend on the machine.
// With --repeat N the algorithms run in N interleaved rounds, each ratio is
// taken against the same round's compute-only run, and the medians are
// reported: a slow phase of the machine then slows both sides of a ratio.
#pragma once

#include <string>
#include <vector>

namespace sgp::apps {

struct comm_bound_options {
  int nodes = 16;
  std::string model = "mlp";
  int batch = 16;
  int iterations = 40;  ///< per run (one epoch of synthetic data)
  std::string bandwidth = "1Gbit";
  std::string latency = "0.1ms";
  std::string backend = "cpu";
  /// cuda: GPU ids, node i on devices[i % size] (backend.devices).
  std::vector<int> devices = {0};
  int tau = 1;     ///< osgp's algorithm.tau
  int repeat = 1;  ///< rounds of all algorithms, interleaved; medians reported
  /// Which algorithms to time besides compute-only (comma-separated).
  std::string algorithms = "ar-sgd,sgp,osgp";
};

/// Runs the configurations; returns the process exit code.
int run_bench_comm_bound(const comm_bound_options& opt);

}  // namespace sgp::apps
