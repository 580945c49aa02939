// nccl_group: a single-process NCCL clique (see nccl_group.hpp).
#include "gpu/cuda/nccl_group.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/nccl_env.hpp"
#include "gpu/cuda/cuda_backend.hpp"
#include "gpu/cuda/stream.hpp"

namespace sgp::gpu::cuda {
namespace {

/// "[0, 1, 3]"
std::string device_list(std::span<const int> devices) {
  std::string out = "[";
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(devices[i]);
  }
  return out + "]";
}

/// "nccl_group <what> on devices [0, 1]: <NCCL's string> (<NCCL's last error>)"
core::error nccl_error(const std::string& what, ncclResult_t status, std::span<const int> devices,
                       ncclComm_t comm) {
  std::string message = "nccl_group " + what + " on devices " + device_list(devices) + ": " +
                        ncclGetErrorString(status);
  const char* detail = ncclGetLastError(comm);
  if (detail != nullptr && *detail != '\0') message += std::string(" (") + detail + ")";
  return core::make_error(std::move(message));
}

/// Puts back the current device at the end of a scope in which NCCL may
/// have changed it (it sets each rank's device while it works).
class current_device_restorer {
 public:
  current_device_restorer() { ok_ = cudaGetDevice(&device_) == cudaSuccess; }
  current_device_restorer(const current_device_restorer&) = delete;
  current_device_restorer& operator=(const current_device_restorer&) = delete;
  ~current_device_restorer() {
    if (ok_) (void)cudaSetDevice(device_);
  }

 private:
  int device_ = 0;
  bool ok_ = false;
};

core::status validate(std::span<const int> devices) {
  if (devices.empty()) return core::make_error("nccl_group: no devices");
  const int count = cuda_device_count();
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const int d = devices[i];
    if (d < 0 || d >= count) {
      return core::make_error("nccl_group: device " + std::to_string(d) + " out of range (" +
                              std::to_string(count) + " devices) in " + device_list(devices));
    }
    // NCCL does not support one device as two ranks of a communicator.
    if (std::find(devices.begin(), devices.begin() + static_cast<std::ptrdiff_t>(i), d) !=
        devices.begin() + static_cast<std::ptrdiff_t>(i)) {
      return core::make_error("nccl_group: device " + std::to_string(d) + " listed twice in " +
                              device_list(devices));
    }
  }
  return {};
}

}  // namespace

core::result<nccl_group> nccl_group::create(std::vector<int> devices) {
  if (auto valid = validate(devices); !valid.ok()) return valid.err();
  // NCCL reads its environment when the first communicator is made.
  core::disable_nvlink_multicast();
  std::vector<ncclComm_t> comms(devices.size(), nullptr);
  ncclResult_t status = ncclSuccess;
  {
    const current_device_restorer restore;
    status = ncclCommInitAll(comms.data(), static_cast<int>(devices.size()), devices.data());
  }
  if (status != ncclSuccess) return nccl_error("create", status, devices, nullptr);
  return nccl_group(std::move(devices), std::move(comms));
}

nccl_group::nccl_group(std::vector<int> devices, std::vector<ncclComm_t> comms)
    : devices_(std::move(devices)), comms_(std::move(comms)) {}

nccl_group::nccl_group(nccl_group&& other) noexcept
    : devices_(std::exchange(other.devices_, {})), comms_(std::exchange(other.comms_, {})) {}

nccl_group& nccl_group::operator=(nccl_group&& other) noexcept {
  if (this != &other) {
    release();
    devices_ = std::exchange(other.devices_, {});
    comms_ = std::exchange(other.comms_, {});
  }
  return *this;
}

nccl_group::~nccl_group() {
  release();
}

void nccl_group::release() noexcept {
  if (comms_.empty()) return;
  bool healthy = true;
  for (ncclComm_t comm : comms_) {
    ncclResult_t pending = ncclSuccess;
    if (ncclCommGetAsyncError(comm, &pending) != ncclSuccess || pending != ncclSuccess) {
      healthy = false;
    }
  }
  if (healthy) {
    const current_device_restorer restore;
    // One thread drives every rank, so the finalizes go in one group: each
    // waits for the others, and alone the first one would never return.
    // Destroy then frees only local state.
    healthy = ncclGroupStart() == ncclSuccess;
    if (healthy) {
      for (ncclComm_t comm : comms_) (void)ncclCommFinalize(comm);
      healthy = ncclGroupEnd() == ncclSuccess;
    }
    if (healthy) {
      for (ncclComm_t comm : comms_) (void)ncclCommDestroy(comm);
      comms_.clear();
      devices_.clear();
      return;
    }
  }
  abort();
}

core::status nccl_group::all_reduce_average(std::span<float* const> buffers, std::size_t count,
                                            std::span<const cudaStream_t> streams) {
  // ncclAvg divides by the rank count on the device.
  return all_reduce(buffers, count, streams, ncclAvg, "all_reduce_average");
}

core::status nccl_group::all_reduce_sum(std::span<float* const> buffers, std::size_t count,
                                        std::span<const cudaStream_t> streams) {
  return all_reduce(buffers, count, streams, ncclSum, "all_reduce_sum");
}

core::status nccl_group::all_reduce(std::span<float* const> buffers, std::size_t count,
                                    std::span<const cudaStream_t> streams, ncclRedOp_t op,
                                    const char* what) {
  const std::string name = std::string(what);
  if (comms_.empty()) return core::make_error("nccl_group " + name + ": no ranks (aborted?)");
  if (buffers.size() != comms_.size() || streams.size() != comms_.size()) {
    return core::make_error("nccl_group " + name + " on devices " + device_list(devices_) + ": " +
                            std::to_string(buffers.size()) + " buffers and " +
                            std::to_string(streams.size()) + " streams for " +
                            std::to_string(comms_.size()) + " ranks");
  }
  if (const ncclResult_t s = ncclGroupStart(); s != ncclSuccess) {
    return nccl_error(name + " (group start)", s, devices_, nullptr);
  }
  ncclResult_t first = ncclSuccess;
  std::size_t failed = 0;
  for (std::size_t r = 0; r < comms_.size(); ++r) {
    const device_guard guard(devices_[r]);
    const ncclResult_t s =
        ncclAllReduce(buffers[r], buffers[r], count, ncclFloat, op, comms_[r], streams[r]);
    if (s != ncclSuccess && first == ncclSuccess) {
      first = s;
      failed = r;
    }
  }
  // Always close the group, even after a failed call, so that the next
  // NCCL call on this thread is not swallowed by a dangling group.
  const ncclResult_t end = ncclGroupEnd();
  if (first != ncclSuccess) {
    return nccl_error(name + " (rank " + std::to_string(failed) + ", device " +
                          std::to_string(devices_[failed]) + ")",
                      first, devices_, comms_[failed]);
  }
  if (end != ncclSuccess) return nccl_error(name, end, devices_, nullptr);
  return {};
}

core::status nccl_group::async_error() const {
  for (std::size_t r = 0; r < comms_.size(); ++r) {
    ncclResult_t pending = ncclSuccess;
    const ncclResult_t s = ncclCommGetAsyncError(comms_[r], &pending);
    const ncclResult_t bad = s != ncclSuccess ? s : pending;
    if (bad != ncclSuccess) {
      return nccl_error(
          "rank " + std::to_string(r) + " (device " + std::to_string(devices_[r]) + ")", bad,
          devices_, comms_[r]);
    }
  }
  return {};
}

void nccl_group::abort() {
  const current_device_restorer restore;
  // Abort frees each rank without waiting for its peers, so a plain loop
  // cannot deadlock on a dead device.
  for (ncclComm_t comm : comms_) (void)ncclCommAbort(comm);
  comms_.clear();
  devices_.clear();
}

core::status nccl_group::rebuild(std::vector<int> survivors) {
  if (survivors.empty()) return core::make_error("nccl_group rebuild: no survivors");
  for (const int d : survivors) {
    if (std::find(devices_.begin(), devices_.end(), d) == devices_.end()) {
      return core::make_error("nccl_group rebuild: device " + std::to_string(d) +
                              " is not a member of " + device_list(devices_));
    }
  }
  // A fresh clique rather than ncclCommShrink: shrinking needs the old
  // communicators to agree, and a failed peer may have left them hung.
  abort();
  auto fresh = create(std::move(survivors));
  if (!fresh.ok()) return fresh.err().with_context("nccl_group rebuild");
  *this = std::move(fresh).value();
  return {};
}

}  // namespace sgp::gpu::cuda
