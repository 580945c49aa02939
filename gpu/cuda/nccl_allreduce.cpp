// nccl_allreduce: gpu::device_allreduce on an nccl_group (see
// nccl_allreduce.hpp).
#include "gpu/cuda/nccl_allreduce.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/assert.hpp"
#include "gpu/cuda/cuda_backend.hpp"
#include "gpu/cuda/nccl_group.hpp"
#include "gpu/cuda/stream.hpp"

namespace sgp::gpu::cuda {
namespace {

/// How long an abort waits for an average already queued to finish.
constexpr auto drain_limit = std::chrono::seconds(10);

/// "[0, 1, 3]"
std::string device_list(const std::vector<int>& devices) {
  std::string out = "[";
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(devices[i]);
  }
  return out + "]";
}

/// One rank: a backend's GPU and stream, and an event marking the end of
/// the last average queued there.
struct rank {
  int device = -1;
  cudaStream_t stream = nullptr;
  std::optional<event> done;
};

/// The ranks of `backends`, or why they cannot form a clique.
core::result<std::vector<rank>> place(std::span<backend* const> backends) {
  if (backends.empty()) return core::make_error("device allreduce: no backends");
  std::vector<rank> ranks(backends.size());
  for (std::size_t r = 0; r < backends.size(); ++r) {
    SGP_ASSERT(backends[r] != nullptr);
    const auto placement = cuda_placement_of(*backends[r]);
    if (!placement) {
      return core::make_error("device allreduce: rank " + std::to_string(r) + " has backend '" +
                              backends[r]->name() + "', not a CUDA backend");
    }
    for (std::size_t q = 0; q < r; ++q) {
      if (ranks[q].device == placement->device) {
        // NCCL does not support one device as two ranks of a communicator.
        return core::make_error("ranks " + std::to_string(q) + " and " + std::to_string(r) +
                                " share GPU " + std::to_string(placement->device) +
                                "; NCCL needs a GPU per rank");
      }
    }
    ranks[r].device = placement->device;
    ranks[r].stream = static_cast<cudaStream_t>(placement->stream);
    const device_guard guard(placement->device);
    ranks[r].done.emplace();
  }
  return ranks;
}

std::vector<int> devices_of(const std::vector<rank>& ranks) {
  std::vector<int> devices;
  devices.reserve(ranks.size());
  for (const auto& r : ranks) devices.push_back(r.device);
  return devices;
}

class nccl_allreduce final : public device_allreduce {
 public:
  nccl_allreduce(std::vector<rank> ranks, nccl_group group)
      : ranks_(std::move(ranks)), group_(std::move(group)) {}
  nccl_allreduce(const nccl_allreduce&) = delete;
  nccl_allreduce& operator=(const nccl_allreduce&) = delete;
  // The group's destructor finalizes the ranks (it waits for queued work).
  ~nccl_allreduce() override = default;

  [[nodiscard]] std::string describe() const override {
    return "NCCL over GPUs " + device_list(devices());
  }
  [[nodiscard]] std::vector<int> devices() const override { return devices_of(ranks_); }
  [[nodiscard]] std::size_t size() const override { return ranks_.size(); }

  core::status average(std::span<buffer* const> grads) override {
    if (!group_ || group_->empty()) {
      return core::make_error("device allreduce: no clique (aborted, or its rebuild failed)");
    }
    if (grads.size() != ranks_.size()) {
      return core::make_error("device allreduce over GPUs " + device_list(devices()) + ": " +
                              std::to_string(grads.size()) + " buffers for " +
                              std::to_string(ranks_.size()) + " ranks");
    }
    std::vector<float*> data(grads.size());
    std::vector<cudaStream_t> streams(grads.size());
    for (std::size_t r = 0; r < grads.size(); ++r) {
      SGP_ASSERT(grads[r] != nullptr);
      if (grads[r]->size() != grads[0]->size()) {
        return core::make_error("device allreduce: rank " + std::to_string(r) + " has " +
                                std::to_string(grads[r]->size()) + " floats, rank 0 " +
                                std::to_string(grads[0]->size()));
      }
      data[r] = grads[r]->data();
      streams[r] = ranks_[r].stream;
    }
    // A peer that failed since the last call would leave this one hanging.
    if (auto failed = group_->async_error(); !failed.ok()) return failed;
    if (auto st = group_->all_reduce_average(data, grads[0]->size(), streams); !st.ok()) return st;
    for (auto& r : ranks_) {
      const device_guard guard(r.device);
      r.done->record(r.stream);
    }
    return {};
  }

  void abort() override {
    drain();
    if (group_) group_->abort();
    group_.reset();
    ranks_.clear();
  }

  core::status rebuild(std::span<backend* const> backends) override {
    abort();
    auto ranks = place(backends);
    if (!ranks.ok()) return ranks.err().with_context("device allreduce rebuild");
    auto group = nccl_group::create(devices_of(*ranks));
    if (!group.ok()) return group.err().with_context("device allreduce rebuild");
    ranks_ = std::move(ranks).value();
    group_.emplace(std::move(group).value());
    return {};
  }

 private:
  /// Lets the last average finish on every rank before an abort, so that a
  /// survivor's gradient is not cut off mid-collective (the ranks that
  /// remain would step with it). Polls instead of a blocking sync, and
  /// gives up after drain_limit or on a NCCL error: a failed peer must
  /// never hang the caller.
  void drain() {
    if (!group_ || group_->empty()) return;
    const auto deadline = std::chrono::steady_clock::now() + drain_limit;
    for (const auto& r : ranks_) {
      for (;;) {
        const cudaError_t e = r.done->query();
        if (e != cudaErrorNotReady) {
          if (e != cudaSuccess) (void)cudaGetLastError();
          break;
        }
        if (!group_->async_error().ok() || std::chrono::steady_clock::now() > deadline) return;
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
    }
  }

  std::vector<rank> ranks_;
  std::optional<nccl_group> group_;  ///< empty after abort()
};

}  // namespace

core::result<std::unique_ptr<device_allreduce>> make_nccl_allreduce(
    std::span<backend* const> backends) {
  auto ranks = place(backends);
  if (!ranks.ok()) return ranks.err();
  auto group = nccl_group::create(devices_of(*ranks));
  if (!group.ok()) return group.err();
  std::unique_ptr<device_allreduce> out =
      std::make_unique<nccl_allreduce>(std::move(ranks).value(), std::move(group).value());
  return out;
}

}  // namespace sgp::gpu::cuda
