// `sgp bench train`: times training steps (forward, backward, SGD step) of
// one model on synthetic data and prints ms/step and samples/s.
#pragma once

#include <string>

namespace sgp::apps {

/// What to time.
struct bench_train_options {
  std::string model;    ///< "mlp", "cnn", "cnn-bn", "resnet18", "resnet50"
  int batch;            ///< samples per step
  std::string dtype;    ///< "fp32"; "bf16" for the ResNets
  std::string backend;  ///< "cpu" or "cuda"
  int steps;            ///< timed steps
  int warmup;           ///< untimed steps first
};

/// Runs the benchmark; prints one result line to stdout, errors to stderr.
/// Returns the process exit code (0 on success).
int run_bench_train(const bench_train_options& opt);

}  // namespace sgp::apps
