// sgp_bench_train: `sgp bench train` without the CLI, for the device machine:
//   sgp_bench_train MODEL BATCH [DTYPE] [BACKEND] [STEPS] [WARMUP]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "apps/bench_train.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s MODEL BATCH [DTYPE=fp32] [BACKEND=cuda] [STEPS=200] [WARMUP=20]\n",
                 argv[0]);
    return 2;
  }
  sgp::apps::bench_train_options opt{argv[1],
                                     std::atoi(argv[2]),
                                     argc > 3 ? argv[3] : "fp32",
                                     argc > 4 ? argv[4] : "cuda",
                                     argc > 5 ? std::atoi(argv[5]) : 200,
                                     argc > 6 ? std::atoi(argv[6]) : 20};
  return sgp::apps::run_bench_train(opt);
}
