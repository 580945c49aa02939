// Choosing a cuDNN convolution algorithm: the fastest of a timed search, and
// the heuristics' first choice (with a warning) when every timed candidate
// failed twice, as it did with several processes searching on one GPU.
#include <string>
#include <vector>

#include "core/log.hpp"
#include "gpu/cuda/cudnn_find.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

using sgp::gpu::cuda::choose_algorithm;
using perf = cudnnConvolutionFwdAlgoPerf_t;

namespace {

perf candidate(cudnnConvolutionFwdAlgo_t algo, cudnnStatus_t status, std::size_t memory) {
  perf p{};
  p.algo = algo;
  p.status = status;
  p.memory = memory;
  p.determinism = CUDNN_DETERMINISTIC;
  return p;
}

/// A search or ranking that answers `list`, counting its calls.
auto answering(std::vector<perf> list, int& calls) {
  return [list, &calls](perf* out, int* returned) {
    ++calls;
    for (std::size_t i = 0; i < list.size(); ++i) out[i] = list[i];
    *returned = static_cast<int>(list.size());
    return CUDNN_STATUS_SUCCESS;
  };
}

}  // namespace

TEST_CASE("a timed search whose candidates all fail falls back to the heuristics' choice",
          "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();  // the retry trims the device's memory pool
  std::vector<std::string> lines;
  auto old = sgp::core::set_log_sink([&](std::string_view l) { lines.emplace_back(l); });
  int finds = 0;
  int ranks = 0;
  const auto chosen = choose_algorithm<4, perf>(
      answering({candidate(CUDNN_CONVOLUTION_FWD_ALGO_GEMM, CUDNN_STATUS_INTERNAL_ERROR, 0),
                 candidate(CUDNN_CONVOLUTION_FWD_ALGO_FFT, CUDNN_STATUS_NOT_SUPPORTED, 0)},
                finds),
      answering({candidate(CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, CUDNN_STATUS_NOT_SUPPORTED, 0),
                 candidate(CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD, CUDNN_STATUS_SUCCESS, 4096)},
                ranks),
      "convolution forward");
  sgp::core::set_log_sink(old);
  CHECK(finds == 2);  // tried again after trimming the pool
  CHECK(ranks == 1);
  CHECK(chosen.algo == CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD);
  CHECK(chosen.memory == 4096);
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("convolution forward: the timed search found no usable "
                                       "algorithm among 2 (CUDNN_STATUS_INTERNAL_ERROR") &&
                           Catch::Contains("using the heuristics' first choice"));
}

TEST_CASE("a timed search that succeeds takes its fastest usable candidate, unranked", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  int finds = 0;
  int ranks = 0;
  const auto chosen = choose_algorithm<4, perf>(
      answering({candidate(CUDNN_CONVOLUTION_FWD_ALGO_GEMM, CUDNN_STATUS_INTERNAL_ERROR, 0),
                 candidate(CUDNN_CONVOLUTION_FWD_ALGO_FFT, CUDNN_STATUS_SUCCESS, 64)},
                finds),
      answering({candidate(CUDNN_CONVOLUTION_FWD_ALGO_DIRECT, CUDNN_STATUS_SUCCESS, 0)}, ranks),
      "convolution forward");
  CHECK(finds == 1);
  CHECK(ranks == 0);
  CHECK(chosen.algo == CUDNN_CONVOLUTION_FWD_ALGO_FFT);
}
