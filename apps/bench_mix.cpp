// bench_mix: times `iterations` back-to-back mix_debias calls on n floats,
// then as many backend copies of 2n floats, each closed by a synchronising
// one-float download. Bytes are counted as memory traffic:
//   mix:  reads x and share, writes x and z  = 4 * n * 4 bytes
//   copy: reads and writes 2n floats         = 2 * 2n * 4 bytes
// so both move the same 16n bytes per call and their GB/s compare directly.
#include "apps/bench_mix.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "core/log.hpp"
#include "core/memory.hpp"
#include "gpu/backend.hpp"
#include "gpu/backend_factory.hpp"

namespace sgp::apps {

int run_bench_mix(const bench_mix_options& options) {
  bench_mix_options opt = options;
  if (opt.params <= 0 || opt.iterations < 0 || opt.warmup < 0) {
    std::fprintf(stderr,
                 "sgp: error: bench mix: --params must be > 0, --iterations and --warmup >= 0 "
                 "(got %lld, %d, %d)\n",
                 static_cast<long long>(opt.params), opt.iterations, opt.warmup);
    return 2;
  }
  // "auto": the GPU when one is usable, else the CPU (and says so).
  core::result<std::unique_ptr<gpu::backend>> made = core::make_error("no backend yet");
  if (opt.backend == "auto") {
    made = gpu::make_backend("cuda", 0);
    opt.backend = made.ok() ? "cuda" : "cpu";
    if (!made.ok()) {
      core::logf(core::log_level::warn, "bench mix", {}, "no usable GPU (%s); timing the CPU",
                 made.err().message.c_str());
    }
  }
  if (opt.iterations == 0) opt.iterations = opt.backend == "cpu" ? 20 : 1000;
  // Seven vectors of n floats on the backend (x, share, z, two of 2n) and
  // one on the host; on a GPU only the host one is in this memory.
  const double vectors = opt.backend == "cpu" ? 8.0 : 1.0;
  if (auto st = core::check_memory(vectors * 4.0 * static_cast<double>(opt.params),
                                   core::physical_memory_bytes(),
                                   "bench mix: --params " + std::to_string(opt.params) + ": " +
                                       std::to_string(static_cast<int>(vectors)) + " vectors");
      !st.ok()) {
    std::fprintf(stderr, "sgp: error: %s\n", st.err().message.c_str());
    return 2;
  }
  if (!made.ok()) made = gpu::make_backend(opt.backend, 0);
  if (!made.ok()) {
    std::fprintf(stderr, "sgp: error: bench mix: --backend %s: %s\n", opt.backend.c_str(),
                 made.err().message.c_str());
    return 1;
  }
  auto& be = *made.value();
  const auto n = static_cast<std::size_t>(opt.params);
  gpu::buffer x = be.allocate(n);
  gpu::buffer share = be.allocate(n);
  gpu::buffer z = be.allocate(n);
  gpu::buffer src = be.allocate(2 * n);
  gpu::buffer dst = be.allocate(2 * n);
  gpu::buffer probe = be.allocate(1);
  std::vector<float> host(n, 0.5f);
  be.upload(host, x);
  be.upload(host, share);
  float probe_host = 0.0f;

  // The weight is irrelevant to the speed; x grows by 0.5 a call, exactly.
  auto time_ms = [&](auto&& op) {
    for (int i = 0; i < opt.warmup; ++i) op();
    be.download(probe, {&probe_host, 1});
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < opt.iterations; ++i) op();
    be.download(probe, {&probe_host, 1});
    const auto stop = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::milli>(stop - start).count() / opt.iterations;
  };
  const double mix_ms = time_ms([&] { be.mix_debias(x, share, 2.0, z); });
  const double copy_ms = time_ms([&] { be.copy(src, dst); });

  const double bytes = 16.0 * static_cast<double>(n);
  const double mix_gbs = bytes / (mix_ms * 1e6);
  const double copy_gbs = bytes / (copy_ms * 1e6);
  std::printf(
      "bench mix: backend=%s params=%zu iterations=%d bytes/call=%.0f (16 * params: mix reads 2 "
      "and writes 2 arrays; copy moves 2 * params floats)\n"
      "mix_debias: %.4f ms, %.1f GB/s\n"
      "copy (device to device, same bytes): %.4f ms, %.1f GB/s\n"
      "ratio mix/copy: %.3f\n",
      be.name().c_str(), n, opt.iterations, bytes, mix_ms, mix_gbs, copy_ms, copy_gbs,
      mix_gbs / copy_gbs);
  return 0;
}

}  // namespace sgp::apps
