// sgp_bench_mix: `sgp bench mix` without the CLI, for the device machine:
//   sgp_bench_mix [PARAMS=25600000] [BACKEND=auto] [ITERATIONS=0: 1000 on cuda, 20 on cpu]
#include <cstdlib>

#include "apps/bench_mix.hpp"

int main(int argc, char** argv) {
  sgp::apps::bench_mix_options opt;
  if (argc > 1) opt.params = std::strtoull(argv[1], nullptr, 10);
  if (argc > 2) opt.backend = argv[2];
  if (argc > 3) opt.iterations = std::atoi(argv[3]);
  return sgp::apps::run_bench_mix(opt);
}
