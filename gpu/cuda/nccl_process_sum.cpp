// ar-sgd's sum across processes over NCCL (see nccl_process_sum.hpp).
#include "gpu/cuda/nccl_process_sum.hpp"

#include <cuda_runtime.h>
#include <nccl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "core/live_ranks.hpp"
#include "core/log.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/flat_kernels.hpp"
#include "gpu/cuda/stream.hpp"

namespace sgp::gpu::cuda {
namespace {

using clock_type = std::chrono::steady_clock;

/// A failed step of a sum or a rendezvous; sum() turns it into an error.
struct failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    throw failure(std::string(what) + ": " + cudaGetErrorString(e));
  }
}

class nccl_process_sum final : public process_sum {
 public:
  explicit nccl_process_sum(process_sum_setup setup) : setup_(std::move(setup)) {}

  nccl_process_sum(const nccl_process_sum&) = delete;
  nccl_process_sum& operator=(const nccl_process_sum&) = delete;

  ~nccl_process_sum() override {
    abort_comm();
    int previous = -1;
    // No context on this thread: nothing to put back (device_guard's rule).
    const bool restore = thread_has_context();
    if (cudaGetDevice(&previous) != cudaSuccess || cudaSetDevice(setup_.device) != cudaSuccess) {
      (void)cudaGetLastError();
      return;
    }
    drop_stream();
    // Freed while this GPU is current.
    sums_[0] = {};
    sums_[1] = {};
    small_ = {};
    staging_ = {};
    host_ = {};
    small_host_ = {};
    if (restore && previous != setup_.device) (void)cudaSetDevice(previous);
  }

  [[nodiscard]] std::string describe() const override {
    return "NCCL on GPU " + std::to_string(setup_.device);
  }

  core::result<std::vector<double>> sum(std::uint64_t iteration, std::vector<double> values,
                                        const std::vector<bool>& live) override {
    const std::size_t size = values.size();
    auto done = guarded(iteration, live, [&] {
      sum_into_next(iteration, live, size, [&](float* next) {
        // Each value rounded to fp32 (saturating), as Gloo's sum does.
        constexpr double fmax = std::numeric_limits<float>::max();
        ensure_host(size);
        float* host = host_.data();
        for (std::size_t i = 0; i < size; ++i) {
          const double v = values[i];
          host[i] = static_cast<float>(std::isnan(v) ? v : std::clamp(v, -fmax, fmax));
        }
        check(cudaMemcpyAsync(next, host, size * sizeof(float), cudaMemcpyHostToDevice, stream_),
              "cudaMemcpyAsync");
      });
      ensure_host(size);
      check(cudaMemcpyAsync(host_.data(), next_sum(), size * sizeof(float), cudaMemcpyDeviceToHost,
                            stream_),
            "cudaMemcpyAsync");
      wait_stream("download", clock_type::now() + setup_.timeout);
      std::copy(host_.data(), host_.data() + size, values.begin());
    });
    if (!done.ok()) return done.err();
    commit(iteration, size);
    return values;
  }

  core::result<double> average_on_device(std::uint64_t iteration, std::span<float* const> grads,
                                         std::size_t n, double count,
                                         const std::vector<bool>& live) override {
    double total = 0.0;
    auto done = guarded(iteration, live, [&] {
      if (grads.empty()) throw failure("no gradient to average");
      // The result is divided into a gradient on this GPU (or a scratch
      // buffer when none is here) and copied from there to the others.
      float* here = nullptr;
      for (float* g : grads) {
        if (device_of(g) == setup_.device && here == nullptr) here = g;
      }
      sum_into_next(iteration, live, n + 1, [&](float* next) {
        // This process's gradients summed in order (the first copied, the
        // others added; one on another GPU goes through the scratch
        // buffer), the count last.
        for (std::size_t k = 0; k < grads.size(); ++k) {
          const float* g = grads[k];
          if (k == 0) {
            copy_any(g, next, n);
            continue;
          }
          if (device_of(g) != setup_.device) {
            ensure_staging(n);
            copy_any(g, staging_.data(), n);
            g = staging_.data();
          }
          launch_add(g, next, n, stream_);
        }
        small_host_.data()[0] = static_cast<float>(count);
        check(cudaMemcpyAsync(next + n, small_host_.data(), sizeof(float), cudaMemcpyHostToDevice,
                              stream_),
              "cudaMemcpyAsync");
      });
      // Only now are the gradients written: a failure before leaves them as they were.
      if (here == nullptr) {
        ensure_staging(n);
        here = staging_.data();
      }
      launch_divide_by_last(next_sum(), here, n, stream_);
      for (float* g : grads) {
        if (g != here) copy_any(here, g, n);
      }
      check(cudaMemcpyAsync(small_host_.data(), next_sum() + n, sizeof(float),
                            cudaMemcpyDeviceToHost, stream_),
            "cudaMemcpyAsync");
      wait_stream("the average", clock_type::now() + setup_.timeout);
      total = static_cast<double>(small_host_.data()[0]);
    });
    if (!done.ok()) return done.err();
    commit(iteration, n + 1);
    return total;
  }

 private:
  /// Runs `body`; on a failure aborts the communicator (a peer may be dead)
  /// and says which sum failed.
  template <class Body>
  core::status guarded(std::uint64_t iteration, const std::vector<bool>& live, Body&& body) {
    try {
      check(cudaSetDevice(setup_.device), "cudaSetDevice");
      body();
      return {};
    } catch (const std::exception& e) {
      abort_comm();
      // The aborted collective and the copies queued after it may still be
      // on the stream: the next sum starts on a fresh one.
      drop_stream();
      built_ = false;
      return core::make_error("NCCL's sum of iteration " + std::to_string(iteration) +
                              " over processes " + members_text(live) + " failed: " + e.what());
    }
  }

  /// The sum over the live processes of `size` fp32 values into the scratch
  /// buffer that does not hold the last applied sum (next_sum()): `fill`
  /// queues this process's values there, unless the agreement after a
  /// rebuild puts there the sum a survivor already applied for this
  /// iteration. Returns once the sum is there (or throws).
  template <class Fill>
  void sum_into_next(std::uint64_t iteration, const std::vector<bool>& live, std::size_t size,
                     Fill&& fill) {
    bool fresh = false;
    if (!built_ || live != members_) {
      build(live);
      fresh = true;
    }
    ensure_resources(size);
    const bool took = comm_ != nullptr && fresh && agree(iteration, size);
    if (took) return;
    fill(next_sum());
    if (comm_ == nullptr) return;  // alone: its own values are the sum
    const auto deadline = clock_type::now() + setup_.timeout;
    settle(ncclAllReduce(next_sum(), next_sum(), size, ncclFloat32, ncclSum, comm_, stream_),
           "ncclAllReduce", deadline);
    wait_stream("ncclAllReduce", deadline);
  }

  /// The sum just made is now the last applied one (the agreement's).
  void commit(std::uint64_t iteration, std::size_t size) {
    current_ = 1 - current_;
    last_iteration_ = iteration;
    last_size_ = size;
    has_last_ = true;
  }

  [[nodiscard]] float* next_sum() { return sums_[1 - current_].data(); }

  /// The GPU whose memory `p` is (a gradient must be device memory).
  [[nodiscard]] static int device_of(const float* p) {
    cudaPointerAttributes a{};
    check(cudaPointerGetAttributes(&a, p), "cudaPointerGetAttributes");
    if (a.type != cudaMemoryTypeDevice) throw failure("a gradient is not in GPU memory");
    return a.device;
  }

  /// n floats from `src` to `dst` on this process's stream, wherever each
  /// is (a peer copy between GPUs: unified addressing finds the devices).
  void copy_any(const float* src, float* dst, std::size_t n) {
    check(cudaMemcpyAsync(dst, src, n * sizeof(float), cudaMemcpyDefault, stream_),
          "cudaMemcpyAsync");
  }

  /// Room on this GPU for one gradient from another GPU.
  void ensure_staging(std::size_t n) {
    if (staging_.size() < n) {
      staging_ = {};
      staging_ = device_array<float>(n);
    }
  }

  [[nodiscard]] std::string members_text(const std::vector<bool>& live) const {
    std::string text;
    for (std::size_t p = 0; p < live.size() && p < setup_.names.size(); ++p) {
      if (live[p]) text += (text.empty() ? "" : ", ") + setup_.names[p];
    }
    return text;
  }

  /// Releases the stream and its event (work still queued there finishes on its own).
  void drop_stream() {
    if (done_ != nullptr) (void)cudaEventDestroy(done_);
    if (stream_ != nullptr) (void)cudaStreamDestroy(stream_);
    done_ = nullptr;
    stream_ = nullptr;
  }

  void abort_comm() {
    if (comm_ == nullptr) return;
    // Drops in-flight collectives without waiting for a dead peer.
    (void)ncclCommAbort(comm_);
    comm_ = nullptr;
  }

  /// "what: NCCL's string (NCCL's last error)", before the communicator goes.
  [[nodiscard]] std::string nccl_text(const char* what, ncclResult_t r) const {
    std::string text = std::string(what) + ": " + ncclGetErrorString(r);
    const char* detail = ncclGetLastError(comm_);
    if (detail != nullptr && *detail != '\0') text += std::string(" (") + detail + ")";
    return text;
  }

  /// Waits until a non-blocking NCCL call or the communicator's set-up is
  /// done, the deadline passes or NCCL reports an error.
  void settle(ncclResult_t started, const char* what, clock_type::time_point deadline) {
    if (started != ncclSuccess && started != ncclInProgress)
      throw failure(nccl_text(what, started));
    for (;;) {
      ncclResult_t state = ncclSuccess;
      const ncclResult_t q = ncclCommGetAsyncError(comm_, &state);
      if (q != ncclSuccess) throw failure(nccl_text(what, q));
      if (state == ncclSuccess) return;
      if (state != ncclInProgress) throw failure(nccl_text(what, state));
      if (clock_type::now() > deadline) throw failure(std::string(what) + ": timed out");
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  /// Waits for the work queued on the stream so far, polling NCCL for a
  /// peer's failure, until the deadline.
  void wait_stream(const char* what, clock_type::time_point deadline) {
    check(cudaEventRecord(done_, stream_), "cudaEventRecord");
    for (;;) {
      const cudaError_t e = cudaEventQuery(done_);
      if (e == cudaSuccess) return;
      if (e != cudaErrorNotReady) check(e, what);
      ncclResult_t state = ncclSuccess;
      if (comm_ != nullptr && ncclCommGetAsyncError(comm_, &state) == ncclSuccess &&
          state != ncclSuccess && state != ncclInProgress) {
        throw failure(nccl_text(what, state));
      }
      if (clock_type::now() > deadline) {
        throw failure(std::string(what) + ": no answer within " +
                      std::to_string(setup_.timeout.count()) + " ms");
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  /// The stream, the small buffers and two scratch sums of `size` floats
  /// (a larger size drops the last applied sum: the agreement then has none).
  void ensure_resources(std::size_t size) {
    if (stream_ == nullptr) {
      check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
      check(cudaEventCreateWithFlags(&done_, cudaEventDisableTiming), "cudaEventCreate");
    }
    if (small_.size() == 0) {
      small_ = device_array<double>(2);
      small_host_ = pinned_array<float>(4);  // 16 bytes: two doubles or a float
    }
    if (sums_[0].size() < size) {
      sums_[0] = {};
      sums_[1] = {};
      has_last_ = false;
      sums_[0] = device_array<float>(size);
      sums_[1] = device_array<float>(size);
    }
  }

  /// Pinned host room for `size` floats (the host path's copies).
  void ensure_host(std::size_t size) {
    if (host_.size() < size) {
      host_ = {};
      host_ = pinned_array<float>(size);
    }
  }

  /// A communicator over the live processes (rank = index among them); the
  /// lowest live process makes NCCL's unique id and publishes it under a
  /// key of this live set (a rebuild never meets an older set's key).
  void build(const std::vector<bool>& live) {
    abort_comm();
    built_ = false;
    members_ = live;
    const auto [rank, size, mask, member] = core::live_ranks_of(live, setup_.process);
    if (!member) {
      throw failure("process " + setup_.names.at(setup_.process) +
                    " is not among the live processes");
    }
    ++generation_;
    if (size > 1) {
      const std::string key = "nccl/" + mask;
      ncclUniqueId id{};
      if (rank == 0) {
        const ncclResult_t r = ncclGetUniqueId(&id);
        if (r != ncclSuccess)
          throw failure(std::string("ncclGetUniqueId: ") + ncclGetErrorString(r));
        setup_.publish(key, std::vector<char>(id.internal, id.internal + sizeof(id.internal)));
      } else {
        // Twice the timeout: the lowest process may still be in a
        // collective that fails at its own deadline before it rebuilds.
        auto got = setup_.fetch(key, 2 * setup_.timeout);
        if (!got.ok()) throw failure("NCCL's unique id: " + got.err().message);
        if (got.value().size() != sizeof(id.internal)) {
          throw failure("NCCL's unique id has " + std::to_string(got.value().size()) +
                        " bytes, not " + std::to_string(sizeof(id.internal)));
        }
        std::memcpy(id.internal, got.value().data(), sizeof(id.internal));
      }
      // NVLink multicast stays off: main set NCCL_NVLS_ENABLE before any
      // thread started (core/nccl_env.hpp).
      ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
      config.blocking = 0;                                       // every wait below has a deadline
      const auto deadline = clock_type::now() + setup_.timeout;  // from the id's arrival
      const ncclResult_t r = ncclCommInitRankConfig(&comm_, size, id, rank, &config);
      settle(r, "ncclCommInitRankConfig", deadline);
    }
    built_ = true;
    core::logf(core::log_level::info, "ar-sgd", {.process = setup_.names[setup_.process]},
               "%s processes %s (rank %d of %d, generation %d, GPU %d)",
               generation_ == 1 ? "NCCL communicator over" : "NCCL rebuilt over the surviving",
               members_text(live).c_str(), rank, size, generation_, setup_.device);
  }

  /// Two doubles reduced with max (the agreement's small collectives).
  std::pair<double, double> max_of(double a, double b) {
    auto* host = reinterpret_cast<double*>(small_host_.data());
    host[0] = a;
    host[1] = b;
    const auto deadline = clock_type::now() + setup_.timeout;
    check(cudaMemcpyAsync(small_.data(), host, 2 * sizeof(double), cudaMemcpyHostToDevice, stream_),
          "cudaMemcpyAsync");
    settle(ncclAllReduce(small_.data(), small_.data(), 2, ncclFloat64, ncclMax, comm_, stream_),
           "NCCL max", deadline);
    check(cudaMemcpyAsync(host, small_.data(), 2 * sizeof(double), cudaMemcpyDeviceToHost, stream_),
          "cudaMemcpyAsync");
    wait_stream("NCCL max", deadline);
    return {host[0], host[1]};
  }

  /// After a build, as Gloo's: a process whose previous sum completed
  /// before a peer died may be one iteration ahead of one whose sum
  /// failed; the lowest rank ahead broadcasts the sum it applied (kept in
  /// its scratch), which the ones behind take into next_sum() as theirs.
  /// True when this process took it.
  bool agree(std::uint64_t iteration, std::size_t size) {
    const auto it = static_cast<double>(iteration);
    const auto [highest, minus_lowest] = max_of(it, -it);
    const double lowest = -minus_lowest;
    if (highest == lowest) return false;
    if (highest - lowest > 1.0) {
      throw failure("the live processes are more than one iteration apart (" +
                    std::to_string(lowest) + " and " + std::to_string(highest) + ")");
    }
    const bool ahead = it == highest;
    const bool holds =
        has_last_ && static_cast<double>(last_iteration_) == lowest && last_size_ == size;
    if (ahead && !holds) {
      throw failure("process " + setup_.names[setup_.process] +
                    " is ahead but does not hold the sum of iteration " +
                    std::to_string(static_cast<std::uint64_t>(lowest)));
    }
    const int rank = core::live_ranks_of(members_, setup_.process).rank;
    const int root = static_cast<int>(-max_of(ahead ? -rank : -1e9, 0.0).first);
    float* buffer = ahead ? sums_[current_].data() : next_sum();
    const auto deadline = clock_type::now() + setup_.timeout;
    settle(ncclBroadcast(buffer, buffer, size, ncclFloat32, root, comm_, stream_), "ncclBroadcast",
           deadline);
    wait_stream("ncclBroadcast", deadline);
    if (ahead) return false;
    core::logf(core::log_level::info, "ar-sgd", {.process = setup_.names[setup_.process]},
               "iteration %llu was completed by a survivor before the failure: its sum applied",
               static_cast<unsigned long long>(iteration));
    return true;
  }

  process_sum_setup setup_;
  ncclComm_t comm_ = nullptr;  ///< null: none (not built, aborted, or one process)
  cudaStream_t stream_ = nullptr;
  cudaEvent_t done_ = nullptr;
  /// Two scratch sums: sums_[current_] holds the last one applied (for the
  /// agreement after a rebuild), the other takes the next, so that a sum
  /// that fails half-way spoils neither the last one nor the caller's values.
  device_array<float> sums_[2];
  int current_ = 0;
  device_array<float> staging_;     ///< a gradient from another GPU, or the average
  device_array<double> small_;      ///< the agreement's two doubles
  pinned_array<float> small_host_;  ///< their host side, or the device path's count
  pinned_array<float> host_;        ///< the host path's values
  std::vector<bool> members_;
  bool built_ = false;
  int generation_ = 0;
  std::uint64_t last_iteration_ = 0;
  std::size_t last_size_ = 0;
  bool has_last_ = false;
};

}  // namespace

core::result<std::unique_ptr<process_sum>> make_nccl_process_sum(process_sum_setup setup) {
  if (!setup.publish || !setup.fetch) {
    return core::make_error("NCCL process sum: no rendezvous functions");
  }
  if (setup.process >= setup.names.size()) {
    return core::make_error("NCCL process sum: process " + std::to_string(setup.process) + " of " +
                            std::to_string(setup.names.size()));
  }
  return std::unique_ptr<process_sum>(std::make_unique<nccl_process_sum>(std::move(setup)));
}

}  // namespace sgp::gpu::cuda
