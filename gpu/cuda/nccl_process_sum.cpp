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
    if (cudaGetDevice(&previous) != cudaSuccess || cudaSetDevice(setup_.device) != cudaSuccess) {
      (void)cudaGetLastError();
      return;
    }
    drop_stream();
    if (device_values_ != nullptr) (void)cudaFree(device_values_);
    if (host_values_ != nullptr) (void)cudaFreeHost(host_values_);
    if (previous != setup_.device) (void)cudaSetDevice(previous);
  }

  [[nodiscard]] std::string describe() const override {
    return "NCCL on GPU " + std::to_string(setup_.device);
  }

  core::result<std::vector<double>> sum(std::uint64_t iteration, std::vector<double> values,
                                        const std::vector<bool>& live) override {
    bool fresh = false;
    try {
      check(cudaSetDevice(setup_.device), "cudaSetDevice");
      if (!built_ || live != members_) {
        build(live);
        fresh = true;
      }
      if (comm_ != nullptr) {
        std::optional<std::vector<double>> done;
        if (fresh) done = agree(iteration, values.size());
        if (done) {
          values = std::move(*done);
        } else {
          sum_in_place_f32(values);
        }
      }
    } catch (const std::exception& e) {
      abort_comm();
      // The aborted collective and the copies queued after it may still be
      // on the stream: the next sum starts on a fresh one.
      drop_stream();
      built_ = false;
      return core::make_error("NCCL's sum of iteration " + std::to_string(iteration) +
                              " over processes " + members_text(live) + " failed: " + e.what());
    }
    last_iteration_ = iteration;
    last_ = values;
    has_last_ = true;
    return values;
  }

 private:
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

  void ensure_resources(std::size_t floats) {
    if (stream_ == nullptr) {
      check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
      check(cudaEventCreateWithFlags(&done_, cudaEventDisableTiming), "cudaEventCreate");
    }
    // Doubles fit as well: agree() broadcasts a sum in f64.
    const std::size_t bytes = floats * sizeof(double);
    if (bytes > capacity_) {
      if (device_values_ != nullptr) check(cudaFree(device_values_), "cudaFree");
      if (host_values_ != nullptr) check(cudaFreeHost(host_values_), "cudaFreeHost");
      device_values_ = nullptr;
      host_values_ = nullptr;
      capacity_ = 0;
      check(cudaMalloc(&device_values_, bytes), "cudaMalloc");
      check(cudaMallocHost(&host_values_, bytes), "cudaMallocHost");
      capacity_ = bytes;
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

  /// One collective over `count` elements of device_values_, in place.
  void all_reduce(std::size_t count, ncclDataType_t type, ncclRedOp_t op, const char* what) {
    const auto deadline = clock_type::now() + setup_.timeout;
    settle(ncclAllReduce(device_values_, device_values_, count, type, op, comm_, stream_), what,
           deadline);
    wait_stream(what, deadline);
  }

  /// Two doubles reduced with max (the agreement's small collectives).
  std::pair<double, double> max_of(double a, double b) {
    ensure_resources(2);
    auto* host = static_cast<double*>(host_values_);
    host[0] = a;
    host[1] = b;
    check(
        cudaMemcpyAsync(device_values_, host, 2 * sizeof(double), cudaMemcpyHostToDevice, stream_),
        "cudaMemcpyAsync");
    all_reduce(2, ncclFloat64, ncclMax, "NCCL max");
    check(
        cudaMemcpyAsync(host, device_values_, 2 * sizeof(double), cudaMemcpyDeviceToHost, stream_),
        "cudaMemcpyAsync");
    wait_stream("download", clock_type::now() + setup_.timeout);
    return {host[0], host[1]};
  }

  /// After a build, as Gloo's: a process whose previous sum completed
  /// before a peer died may be one iteration ahead of one whose sum
  /// failed; the lowest rank ahead broadcasts the sum it applied, which
  /// the ones behind take as theirs.
  std::optional<std::vector<double>> agree(std::uint64_t iteration, std::size_t size) {
    const auto it = static_cast<double>(iteration);
    const auto [highest, minus_lowest] = max_of(it, -it);
    const double lowest = -minus_lowest;
    if (highest == lowest) return std::nullopt;
    if (highest - lowest > 1.0) {
      throw failure("the live processes are more than one iteration apart (" +
                    std::to_string(lowest) + " and " + std::to_string(highest) + ")");
    }
    const bool ahead = it == highest;
    const bool holds =
        has_last_ && static_cast<double>(last_iteration_) == lowest && last_.size() == size;
    if (ahead && !holds) {
      throw failure("process " + setup_.names[setup_.process] +
                    " is ahead but does not hold the sum of iteration " +
                    std::to_string(static_cast<std::uint64_t>(lowest)));
    }
    const int rank = core::live_ranks_of(members_, setup_.process).rank;
    const int root = static_cast<int>(-max_of(ahead ? -rank : -1e9, 0.0).first);
    ensure_resources(size);
    auto* host = static_cast<double*>(host_values_);
    if (ahead) std::copy(last_.begin(), last_.end(), host);
    const auto deadline = clock_type::now() + setup_.timeout;
    check(cudaMemcpyAsync(device_values_, host, size * sizeof(double), cudaMemcpyHostToDevice,
                          stream_),
          "cudaMemcpyAsync");
    settle(ncclBroadcast(device_values_, device_values_, size, ncclFloat64, root, comm_, stream_),
           "ncclBroadcast", deadline);
    check(cudaMemcpyAsync(host, device_values_, size * sizeof(double), cudaMemcpyDeviceToHost,
                          stream_),
          "cudaMemcpyAsync");
    wait_stream("ncclBroadcast", deadline);
    if (ahead) return std::nullopt;
    core::logf(core::log_level::info, "ar-sgd", {.process = setup_.names[setup_.process]},
               "iteration %llu was completed by a survivor before the failure: its sum applied",
               static_cast<unsigned long long>(iteration));
    return std::vector<double>(host, host + size);
  }

  /// The sum of `v` over the members in fp32, as Gloo's: each process's
  /// partial sum rounded to fp32 (saturating), NCCL adding in fp32. Every
  /// member gets the same bits (NCCL's all-reduce is deterministic for a
  /// given communicator and size), so replicas stay identical.
  void sum_in_place_f32(std::vector<double>& v) {
    constexpr double fmax = std::numeric_limits<float>::max();
    ensure_resources(v.size());
    auto* host = static_cast<float*>(host_values_);
    for (std::size_t i = 0; i < v.size(); ++i) {
      host[i] = static_cast<float>(std::isnan(v[i]) ? v[i] : std::clamp(v[i], -fmax, fmax));
    }
    const auto deadline = clock_type::now() + setup_.timeout;
    check(cudaMemcpyAsync(device_values_, host, v.size() * sizeof(float), cudaMemcpyHostToDevice,
                          stream_),
          "cudaMemcpyAsync");
    settle(ncclAllReduce(device_values_, device_values_, v.size(), ncclFloat32, ncclSum, comm_,
                         stream_),
           "ncclAllReduce", deadline);
    check(cudaMemcpyAsync(host, device_values_, v.size() * sizeof(float), cudaMemcpyDeviceToHost,
                          stream_),
          "cudaMemcpyAsync");
    wait_stream("ncclAllReduce", deadline);
    std::copy(host, host + v.size(), v.begin());
  }

  process_sum_setup setup_;
  ncclComm_t comm_ = nullptr;  ///< null: none (not built, aborted, or one process)
  cudaStream_t stream_ = nullptr;
  cudaEvent_t done_ = nullptr;
  void* device_values_ = nullptr;
  void* host_values_ = nullptr;  ///< pinned
  std::size_t capacity_ = 0;     ///< bytes of each of the two
  std::vector<bool> members_;
  bool built_ = false;
  int generation_ = 0;
  std::uint64_t last_iteration_ = 0;
  std::vector<double> last_;
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
