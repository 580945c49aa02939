// Implementation of `sgp bench comm-bound` (see bench_comm_bound.hpp).
#include "apps/bench_comm_bound.hpp"

#include <cstdio>
#include <vector>

#include "actors/run.hpp"
#include "config/config.hpp"
#include "core/units.hpp"
#include "gpu/backend_factory.hpp"

namespace sgp::apps {
namespace {

core::result<actors::run_summary> run_one(const comm_bound_options& opt,
                                          const std::string& algorithm) {
  const auto samples = static_cast<long long>(opt.nodes) * opt.batch * opt.iterations;
  const std::vector<std::string> overrides = {
      "run.dir=runs/bench-comm-bound/" + algorithm,
      "cluster.nodes=" + std::to_string(opt.nodes),
      "model.name=" + opt.model,
      "data.name=synthetic",
      "data.batch_size=" + std::to_string(opt.batch),
      "data.synthetic_train_samples=" + std::to_string(samples),
      "data.synthetic_test_samples=64",
      "schedule.epochs=1",
      // Random synthetic labels: the default lr diverges within tens of
      // iterations, and a diverged node ends the run. Time, not accuracy,
      // is measured here.
      "optimizer.lr=0.01",
      "algorithm.name=" + algorithm,
      "algorithm.tau=" + std::to_string(opt.tau),
      "algorithm.wait_timeout=\"60s\"",
      "network.bandwidth=\"" + opt.bandwidth + "\"",
      "network.latency=\"" + opt.latency + "\"",
      "backend.name=" + opt.backend,
      "output.progress=false",
      "output.consensus_every_iterations=0",
  };
  auto cfg = config::load_string("", "bench", overrides);
  if (!cfg.ok()) return cfg.err();
  return actors::run_training(*cfg, {});
}

}  // namespace

int run_bench_comm_bound(const comm_bound_options& opt) {
  auto backend = gpu::make_backend(opt.backend, 1);
  if (!backend.ok()) {
    std::fprintf(stderr, "bench comm-bound: %s\n", backend.err().message.c_str());
    return 1;
  }
  auto model = (*backend)->make_model(opt.model, {1, 28, 28}, 10, opt.batch);
  auto bw = core::parse_bandwidth_bits_per_second(opt.bandwidth);
  auto lat = core::parse_duration_seconds(opt.latency);
  for (const core::error* e : {model.ok() ? nullptr : &model.err(), bw.ok() ? nullptr : &bw.err(),
                               lat.ok() ? nullptr : &lat.err()}) {
    if (e != nullptr) {
      std::fprintf(stderr, "bench comm-bound: %s\n", e->message.c_str());
      return 1;
    }
  }
  const double params = static_cast<double>((*model)->layout().total);
  const double bytes = 4.0 * params;
  const double push = 8.0 * bytes / *bw + *lat;
  const double n = opt.nodes;
  const double ring = 2.0 * (n - 1.0) * (8.0 * bytes / n / *bw + *lat);
  std::printf(
      "comm-bound benchmark: %d nodes, %s (%.2f M parameters, %.1f MB per push), %s "
      "links, latency %s, batch %d, %d iterations, backend %s\n",
      opt.nodes, opt.model.c_str(), params / 1e6, bytes / 1e6, opt.bandwidth.c_str(),
      opt.latency.c_str(), opt.batch, opt.iterations, opt.backend.c_str());
  std::printf("link model: one push %.1f ms, one ring AllReduce %.1f ms\n\n", 1e3 * push,
              1e3 * ring);
  std::printf("%-14s %14s %16s %11s\n", "algorithm", "ms/iteration", "vs compute-only",
              "comm wait");
  const char* algorithms[] = {"none", "ar-sgd", "sgp", "osgp"};
  double t[4] = {0, 0, 0, 0};
  for (int a = 0; a < 4; ++a) {
    auto s = run_one(opt, algorithms[a]);
    if (!s.ok()) {
      std::fprintf(stderr, "bench comm-bound: %s: %s\n", algorithms[a], s.err().message.c_str());
      return 1;
    }
    t[a] = s->seconds_per_iteration;
    std::printf("%-14s %14.1f %16.2f %10.1f%%\n", a == 0 ? "compute-only" : algorithms[a],
                1e3 * t[a], t[a] / t[0], 100.0 * s->mean_comm_wait_fraction);
    std::fflush(stdout);
  }
  const double predicted = (t[0] + ring) / t[0];
  std::printf("\nosgp vs compute-only: %.2fx (target <= 1.10: %s)\n", t[3] / t[0],
              t[3] <= 1.10 * t[0] ? "met" : "NOT met");
  std::printf(
      "ar-sgd vs osgp: %.2fx; the link model predicts (compute + ring) / compute = "
      "%.2fx (target: at least that: %s)\n",
      t[1] / t[3], predicted, t[1] / t[3] >= predicted ? "met" : "NOT met");
  return 0;
}

}  // namespace sgp::apps
