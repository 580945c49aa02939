// sgp_bench_train: `sgp bench train` without the CLI, for the device machine:
//   sgp_bench_train MODEL BATCH [DTYPE] [BACKEND] [STEPS] [WARMUP] [LOG_LEVEL]
// (LOG_LEVEL debug: each convolution's chosen cuDNN engine and its time).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "apps/bench_train.hpp"
#include "core/log.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s MODEL BATCH [DTYPE=fp32] [BACKEND=cuda] [STEPS=200] [WARMUP=20] "
                 "[LOG_LEVEL=info]\n",
                 argv[0]);
    return 2;
  }
  sgp::apps::bench_train_options opt{argv[1],
                                     std::atoi(argv[2]),
                                     argc > 3 ? argv[3] : "fp32",
                                     argc > 4 ? argv[4] : "cuda",
                                     argc > 5 ? std::atoi(argv[5]) : 200,
                                     argc > 6 ? std::atoi(argv[6]) : 20};
  if (argc > 7) {
    const auto level = sgp::core::parse_log_level(argv[7]);
    if (!level) {
      std::fprintf(stderr, "sgp_bench_train: unknown log level '%s'\n", argv[7]);
      return 2;
    }
    sgp::core::set_log_threshold(*level);
  }
  return sgp::apps::run_bench_train(opt);
}
