// `sgp bench mix`: the bandwidth of push-sum's mix-and-de-bias kernel
// (backend::mix_debias) against a device-to-device copy of the same bytes,
// from the same run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sgp::apps {

/// What to time.
struct bench_mix_options {
  std::int64_t params = 25'600'000;  ///< floats per vector (ResNet-50 has 25.6 M)
  /// "cpu", "cuda", or "auto": cuda when a GPU is usable, else the CPU.
  std::string backend = "auto";
  int iterations = 0;  ///< timed calls of each; 0: 1000 on cuda, 20 on the CPU
  int warmup = 10;
};

/// Runs the benchmark; prints the two bandwidths and their ratio to
/// stdout, errors to stderr. Returns the process exit code.
int run_bench_mix(const bench_mix_options& opt);

}  // namespace sgp::apps
