// Implementation of `sgp bench comm-bound` (see bench_comm_bound.hpp).
#include "apps/bench_comm_bound.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "actors/run.hpp"
#include "config/config.hpp"
#include "config/names.hpp"
#include "core/units.hpp"
#include "gpu/backend_factory.hpp"
#include "net/link_emulator.hpp"
#include "net/wire/push_codec.hpp"
#include "runtime/run_limits.hpp"

namespace sgp::apps {
namespace {

/// The largest divisor of `iterations` up to `most`: the run's batches per
/// epoch, so that whole epochs make exactly `iterations`.
int batches_per_epoch(int iterations, int most) {
  for (int d = std::min(iterations, most); d > 1; --d) {
    if (iterations % d == 0) return d;
  }
  return 1;
}

/// --model is a config model name (config/names.hpp).
bool is_resnet(const std::string& model) {
  const auto kind = config::from_name<config::model_kind>(model);
  return kind && config::is_resnet(*kind);
}

/// ResNets take ImageNet-shaped samples; the others Fashion-MNIST's.
gpu::sample_shape input_shape(const std::string& model) {
  return is_resnet(model) ? gpu::sample_shape{3, 224, 224} : gpu::sample_shape{1, 28, 28};
}
int classes_of(const std::string& model) {
  return is_resnet(model) ? 1000 : 10;
}

std::string devices_value(const std::vector<int>& devices) {
  std::string out = "[";
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(devices[i]);
  }
  return out + "]";
}

/// One timed configuration: "osgp", or with its variant and step space,
/// "osgp:reference:x" (each suffix optional, in any order).
struct algorithm_spec {
  std::string token;  ///< as given: the label
  std::string name;   ///< algorithm.name
  std::vector<std::string> settings;
};

core::result<runtime::run_summary> run_one(const comm_bound_options& opt,
                                           const algorithm_spec& spec) {
  const std::string& algorithm = spec.name;
  // Synthetic epochs of a few batches each, cycled: generating a distinct
  // batch for every iteration took longer than the timed runs themselves.
  // An ImageNet-shaped batch of 256 is 154 MB of floats: two per node.
  const int per_epoch = batches_per_epoch(opt.iterations, is_resnet(opt.model) ? 2 : 25);
  const auto samples = static_cast<long long>(opt.nodes) * opt.batch * per_epoch;
  const auto shape = input_shape(opt.model);
  std::string dir = spec.token;
  std::replace(dir.begin(), dir.end(), ':', '-');
  std::vector<std::string> overrides = {
      "run.dir=runs/bench-comm-bound/" + dir,
      "cluster.nodes=" + std::to_string(opt.nodes),
      "model.name=" + opt.model,
      "data.name=synthetic",
      "data.batch_size=" + std::to_string(opt.batch),
      "data.synthetic_train_samples=" + std::to_string(samples),
      "data.synthetic_test_samples=" + std::to_string(is_resnet(opt.model) ? opt.batch : 64),
      "data.channels=" + std::to_string(shape.channels),
      "data.height=" + std::to_string(shape.height),
      "data.width=" + std::to_string(shape.width),
      "data.classes=" + std::to_string(classes_of(opt.model)),
      "backend.devices=" + devices_value(opt.devices),
      "schedule.epochs=" + std::to_string(opt.iterations / per_epoch),
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
  overrides.insert(overrides.end(), spec.settings.begin(), spec.settings.end());
  auto cfg = config::load_string("", "bench", overrides);
  if (!cfg.ok()) return cfg.err();
  return actors::run_training(*cfg, {});
}

core::result<algorithm_spec> spec_of(const std::string& token) {
  algorithm_spec out{token, token.substr(0, token.find(':')), {}};
  const auto kind = config::from_name<config::algorithm_kind>(out.name);
  if (!kind || *kind == config::algorithm_kind::none) {
    return core::error{"--algorithms: unknown algorithm '" + out.name +
                       "' (expected ar-sgd, sgp, osgp or d-psgd, optionally with :bounded or "
                       ":reference, :x or :z, :bf16, :keep=K and :sync=E, e.g. osgp:reference:x)"};
  }
  for (std::size_t at = token.find(':'); at != std::string::npos;) {
    const std::size_t next = token.find(':', at + 1);
    const std::string part = token.substr(at + 1, next == std::string::npos ? next : next - at - 1);
    at = next;
    if (config::from_name<config::osgp_variant>(part)) {
      out.settings.push_back("algorithm.osgp_variant=" + part);
    } else if (config::from_name<config::step_space>(part)) {
      out.settings.push_back("algorithm.step_space=" + part);
    } else if (part == "bf16") {
      out.settings.push_back("algorithm.compression=bf16");
    } else if (part.starts_with("keep=")) {
      out.settings.push_back("algorithm.self_weight=" + part.substr(5));
    } else if (part.starts_with("sync=")) {
      out.settings.push_back("algorithm.overlap_from_epoch=" + part.substr(5));
    } else {
      return core::error{"--algorithms: '" + token + "': unknown option '" + part +
                         "' (expected bounded, reference, x, z, bf16, keep=K or sync=E)"};
    }
  }
  return out;
}

/// The algorithms to time: compute-only first, then the requested ones.
core::result<std::vector<algorithm_spec>> algorithm_list(const std::string& csv) {
  std::vector<algorithm_spec> out = {{"none", "none", {}}};
  std::size_t from = 0;
  while (from <= csv.size()) {
    const std::size_t comma = std::min(csv.find(',', from), csv.size());
    const std::string token = csv.substr(from, comma - from);
    from = comma + 1;
    if (token.empty() || std::any_of(out.begin(), out.end(),
                                     [&](const algorithm_spec& a) { return a.token == token; })) {
      continue;
    }
    auto spec = spec_of(token);
    if (!spec.ok()) return spec.err();
    out.push_back(std::move(spec).value());
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 == 1 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

const char* label(const std::string& algorithm) {
  return algorithm == "none" ? "compute-only" : algorithm.c_str();
}

}  // namespace

int run_bench_comm_bound(const comm_bound_options& opt) {
  if (opt.nodes < 1 || opt.nodes > config::max_nodes || opt.batch < 1) {
    std::fprintf(stderr,
                 "sgp: error: bench comm-bound: --nodes must be in [1, %d] and --batch >= 1, got "
                 "--nodes %d --batch %d\n",
                 config::max_nodes, opt.nodes, opt.batch);
    return 1;
  }
  auto backend = gpu::make_backend(opt.backend, 1);
  if (!backend.ok()) {
    std::fprintf(stderr, "sgp: error: bench comm-bound: %s\n", backend.err().message.c_str());
    return 1;
  }
  auto model =
      (*backend)->make_model(opt.model, input_shape(opt.model), classes_of(opt.model), opt.batch);
  auto bw = core::parse_bandwidth_bits_per_second(opt.bandwidth);
  auto lat = core::parse_duration_seconds(opt.latency);
  auto algorithms = algorithm_list(opt.algorithms);
  for (const core::error* e :
       {model.ok() ? nullptr : &model.err(), bw.ok() ? nullptr : &bw.err(),
        lat.ok() ? nullptr : &lat.err(), algorithms.ok() ? nullptr : &algorithms.err()}) {
    if (e != nullptr) {
      std::fprintf(stderr, "sgp: error: bench comm-bound: %s\n", e->message.c_str());
      return 1;
    }
  }
  if (opt.repeat < 1 || opt.iterations < 1 || opt.nodes < 1) {
    std::fprintf(
        stderr,
        "sgp: error: bench comm-bound: --repeat, --iterations and --nodes must be at least 1\n");
    return 1;
  }
  const double params = static_cast<double>((*model)->layout().total);
  config::config sizes;
  sizes.cluster.nodes = opt.nodes;
  sizes.backend.name = opt.backend;
  sizes.model.name = opt.model;
  sizes.data.batch_size = opt.batch;
  const auto memory = core::physical_memory_bytes();
  for (auto st : {runtime::check_node_memory(sizes, (*model)->layout().total, memory),
                  runtime::check_batch_memory(sizes, 28 * 28, memory)}) {
    if (!st.ok()) {
      std::fprintf(stderr, "sgp: error: bench comm-bound --nodes %d --batch %d: %s\n", opt.nodes,
                   opt.batch, st.err().message.c_str());
      return 1;
    }
  }
  // A push is charged its frame on the wire (net/emulated_transport.hpp); the
  // AllReduce moves fp32 gradients.
  const double bytes = static_cast<double>(
      net::wire::push_frame_size(net::wire::dtype::f32, (*model)->layout().total));
  // Links carry frames: the payload plus the default network.frame_overhead per segment.
  const double overhead = config::network_section{}.frame_overhead;
  const auto line = [&](double payload) {
    return net::link_emulator::line_bytes(static_cast<std::size_t>(payload), overhead);
  };
  const double push = 8.0 * line(bytes) / *bw + *lat;
  const double n = opt.nodes;
  const double ring = 2.0 * (n - 1.0) * (8.0 * line(4.0 * params / n) / *bw + *lat);
  std::printf(
      "comm-bound benchmark: %d nodes, %s (%.2f M parameters, %.1f MB per push), %s "
      "links, latency %s, batch %d, %d iterations, tau %d, backend %s, devices %s, %d "
      "round(s)\n",
      opt.nodes, opt.model.c_str(), params / 1e6, bytes / 1e6, opt.bandwidth.c_str(),
      opt.latency.c_str(), opt.batch, opt.iterations, opt.tau, opt.backend.c_str(),
      devices_value(opt.devices).c_str(), opt.repeat);
  std::printf("link model: one push %.1f ms, one ring AllReduce %.1f ms\n\n", 1e3 * push,
              1e3 * ring);
  std::printf(
      "ms per iteration in the steady state (from a tenth of the iterations in): the "
      "slowest node's, and the mean over nodes; ratios against the same round's "
      "compute-only\n");
  std::printf("%-5s %-16s %12s %8s %12s %8s %11s\n", "round", "algorithm", "slowest ms", "ratio",
              "mean ms", "ratio", "comm wait");
  const auto& names = *algorithms;
  std::map<std::string, std::vector<double>> times;
  std::map<std::string, std::vector<double>> ratios;
  std::map<std::string, std::vector<double>> mean_ratios;
  std::map<std::string, std::vector<double>> whole_ratios;
  for (int round = 1; round <= opt.repeat; ++round) {
    runtime::run_summary base;
    for (const auto& spec : names) {
      const std::string& a = spec.token;
      auto s = run_one(opt, spec);
      if (!s.ok()) {
        std::fprintf(stderr, "sgp: error: bench comm-bound: %s: %s\n", a.c_str(),
                     s.err().message.c_str());
        return 1;
      }
      if (a == "none") {
        base = *s;
        if (base.seconds_per_iteration <= 0.0 || base.seconds_per_iteration_whole <= 0.0 ||
            base.seconds_per_iteration_mean <= 0.0) {
          std::fprintf(
              stderr,
              "sgp: error: bench comm-bound: compute-only measured no time per iteration (the run "
              "is too short to time: raise --iterations)\n");
          return 1;
        }
      }
      const double t = s->seconds_per_iteration;
      times[a].push_back(t);
      ratios[a].push_back(t / base.seconds_per_iteration);
      mean_ratios[a].push_back(s->seconds_per_iteration_mean / base.seconds_per_iteration_mean);
      whole_ratios[a].push_back(s->seconds_per_iteration_whole / base.seconds_per_iteration_whole);
      std::printf("%-5d %-16s %12.3f %8.3f %12.3f %8.3f %10.1f%%\n", round, label(a), 1e3 * t,
                  ratios[a].back(), 1e3 * s->seconds_per_iteration_mean, mean_ratios[a].back(),
                  100.0 * s->mean_comm_wait_fraction);
      std::fflush(stdout);
    }
  }
  std::printf("\nmedian over %d round(s), against compute-only:\n", opt.repeat);
  for (const auto& spec : names) {
    const std::string& a = spec.token;
    std::printf("%-16s %9.3f ms/iteration: slowest node %.3fx, mean node %.3fx, whole run %.3fx\n",
                label(a), 1e3 * median(times[a]), median(ratios[a]), median(mean_ratios[a]),
                median(whole_ratios[a]));
  }
  if (ratios.count("osgp") > 0) {
    const double r = median(ratios["osgp"]);
    // A push must arrive within tau + 1 steps of the receiver's: the link
    // model's floor for osgp's iteration (before queueing on busy links).
    const double floor = std::max(median(times["none"]), push / (opt.tau + 1.0));
    std::printf(
        "\nosgp vs compute-only: %.3fx (target <= 1.10: %s); the link model's floor, "
        "max(compute, push / (tau + 1)) = %.2f ms, is %.3fx\n",
        r, r <= 1.10 ? "met" : "NOT met", 1e3 * floor, floor / median(times["none"]));
  }
  if (ratios.count("osgp") > 0 && ratios.count("ar-sgd") > 0) {
    std::vector<double> ar_over_osgp;
    for (std::size_t i = 0; i < times["osgp"].size(); ++i) {
      ar_over_osgp.push_back(times["ar-sgd"][i] / times["osgp"][i]);
    }
    const double predicted = (median(times["none"]) + ring) / median(times["none"]);
    const double r = median(ar_over_osgp);
    std::printf(
        "ar-sgd vs osgp: %.2fx; the link model predicts (compute + ring) / compute = "
        "%.2fx (target: at least that: %s)\n",
        r, predicted, r >= predicted ? "met" : "NOT met");
  }
  return 0;
}

}  // namespace sgp::apps
