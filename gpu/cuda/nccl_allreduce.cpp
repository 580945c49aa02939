// nccl_allreduce: gpu::device_allreduce on an nccl_group (see
// nccl_allreduce.hpp).
#include "gpu/cuda/nccl_allreduce.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/assert.hpp"
#include "gpu/cuda/cuda_backend.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/flat_kernels.hpp"
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

/// A backend that shares its GPU with an earlier one: its gradient is
/// added into the rank's buffer on the GPU, and the average copied back.
struct sharer {
  std::size_t backend = 0;  ///< its index in the backends (and the grads)
  cudaStream_t stream = nullptr;
  std::optional<event> ready;  ///< its gradient is in (recorded on its stream)
};

/// One rank: a GPU, the first backend on it (whose buffer NCCL reduces)
/// and its stream, the backends that share the GPU, and an event marking
/// the end of the last average queued there.
struct rank {
  int device = -1;
  std::size_t backend = 0;
  cudaStream_t stream = nullptr;
  std::vector<sharer> sharers;
  std::optional<event> done;
};

/// The ranks of `backends` (one per GPU, in order of first use), or why
/// they cannot form a clique.
core::result<std::vector<rank>> place(std::span<backend* const> backends) {
  if (backends.empty()) return core::make_error("device allreduce: no backends");
  std::vector<rank> ranks;
  for (std::size_t b = 0; b < backends.size(); ++b) {
    SGP_ASSERT(backends[b] != nullptr);
    const auto placement = cuda_placement_of(*backends[b]);
    if (!placement) {
      return core::make_error("device allreduce: node " + std::to_string(b) + " has backend '" +
                              backends[b]->name() + "', not a CUDA backend");
    }
    const auto stream = static_cast<cudaStream_t>(placement->stream);
    const auto same = std::find_if(ranks.begin(), ranks.end(),
                                   [&](const rank& r) { return r.device == placement->device; });
    if (same != ranks.end()) {
      // NCCL takes one rank per GPU: this backend's gradient is summed on the GPU first.
      sharer s;
      s.backend = b;
      s.stream = stream;
      s.ready.emplace();
      same->sharers.push_back(std::move(s));
      continue;
    }
    rank r;
    r.device = placement->device;
    r.backend = b;
    r.stream = stream;
    r.done.emplace();
    ranks.push_back(std::move(r));
  }
  return ranks;
}

std::vector<int> devices_of(const std::vector<rank>& ranks) {
  std::vector<int> devices;
  devices.reserve(ranks.size());
  for (const auto& r : ranks) devices.push_back(r.device);
  return devices;
}

/// How many backends the ranks hold.
std::size_t backends_of(const std::vector<rank>& ranks) {
  std::size_t n = 0;
  for (const auto& r : ranks) n += 1 + r.sharers.size();
  return n;
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
    std::string text = "NCCL over GPUs " + device_list(devices());
    const std::size_t nodes = backends_of(ranks_);
    if (nodes > ranks_.size()) {
      text += " (" + std::to_string(nodes) + " nodes: those sharing a GPU summed there first)";
    }
    return text;
  }
  [[nodiscard]] std::vector<int> devices() const override { return devices_of(ranks_); }
  [[nodiscard]] std::size_t size() const override { return ranks_.size(); }

  core::status average(std::span<buffer* const> grads, std::uint64_t iteration) override {
    if (!group_ || group_->empty()) {
      return core::make_error("device allreduce: no clique (aborted, or its rebuild failed)");
    }
    const std::size_t nodes = backends_of(ranks_);
    if (grads.size() != nodes) {
      return core::make_error("device allreduce over GPUs " + device_list(devices()) + ": " +
                              std::to_string(grads.size()) + " buffers for " +
                              std::to_string(nodes) + " nodes");
    }
    for (std::size_t b = 0; b < grads.size(); ++b) {
      SGP_ASSERT(grads[b] != nullptr);
      if (grads[b]->size() != grads[0]->size()) {
        return core::make_error("device allreduce: node " + std::to_string(b) + " has " +
                                std::to_string(grads[b]->size()) + " floats, node 0 " +
                                std::to_string(grads[0]->size()));
      }
    }
    const std::size_t n = grads[0]->size();
    std::vector<float*> data(ranks_.size());
    std::vector<cudaStream_t> streams(ranks_.size());
    for (std::size_t r = 0; r < ranks_.size(); ++r) {
      data[r] = grads[ranks_[r].backend]->data();
      streams[r] = ranks_[r].stream;
    }
    // A peer that failed since the last call would leave this one hanging.
    if (auto failed = group_->async_error(); !failed.ok()) return failed;
    if (nodes == ranks_.size()) {
      // One node per GPU: NCCL averages in place.
      if (auto st = group_->all_reduce_average(data, n, streams); !st.ok()) return st;
    } else {
      // Each GPU's nodes are summed into its rank's buffer (in node order),
      // the sums over the GPUs, and the total divided by the node count.
      for (std::size_t r = 0; r < ranks_.size(); ++r) {
        const device_guard guard(ranks_[r].device);
        for (auto& s : ranks_[r].sharers) {
          s.ready->record(s.stream);
          s.ready->wait_on(ranks_[r].stream);
          launch_add(grads[s.backend]->data(), data[r], n, ranks_[r].stream);
        }
      }
      if (ranks_.size() > 1) {
        if (auto st = group_->all_reduce_sum(data, n, streams); !st.ok()) return st;
      }
      for (std::size_t r = 0; r < ranks_.size(); ++r) {
        const device_guard guard(ranks_[r].device);
        launch_divide(data[r], data[r], n, static_cast<float>(nodes), ranks_[r].stream);
        for (const auto& s : ranks_[r].sharers) {
          launch_copy(data[r], grads[s.backend]->data(), n, ranks_[r].stream);
        }
      }
    }
    keep(data[0], n, iteration);
    for (auto& r : ranks_) {
      const device_guard guard(r.device);
      r.done->record(r.stream);
      // A sharer's next work (its step) waits for the average copied into its buffer.
      for (const auto& s : r.sharers) r.done->wait_on(s.stream);
    }
    return {};
  }

  core::status recall(std::uint64_t iteration, buffer& into, backend& b) override {
    const auto placement = cuda_placement_of(b);
    if (!placement) return core::make_error("device allreduce recall: not a CUDA backend");
    for (std::size_t k = 0; k < kept_.size(); ++k) {
      if (kept_iteration_[k] != static_cast<std::int64_t>(iteration)) continue;
      if (into.size() != kept_[k].size()) {
        return core::make_error("device allreduce recall: " + std::to_string(into.size()) +
                                " floats for an average of " + std::to_string(kept_[k].size()));
      }
      const auto stream = static_cast<cudaStream_t>(placement->stream);
      const device_guard guard(placement->device);
      kept_done_.wait_on(stream);
      SGP_CUDA_CHECK(cudaMemcpyAsync(into.data(), kept_[k].data(), kept_[k].bytes(),
                                     cudaMemcpyDefault, stream));
      return {};
    }
    return core::make_error("device allreduce: the average of iteration " +
                            std::to_string(iteration) + " is not kept");
  }

  void abort() override {
    drain();
    if (group_) group_->abort();
    group_.reset();
    ranks_.clear();
  }

  core::status rebuild(std::span<backend* const> backends) override {
    abort();
    keeping_ = true;  // nodes may come late from now on
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

  /// After a rebuild: the average of `iteration` (n floats at `average`,
  /// on rank 0's stream) copied into the ring of kept ones. Its slot is
  /// overwritten kept_count iterations later, by when a late node has long
  /// taken its copy: the others cannot average two iterations on without
  /// its next gradient, which its stream computes after the copy.
  void keep(const float* average, std::size_t n, std::uint64_t iteration) {
    if (!keeping_ || ranks_.empty()) return;
    const device_guard guard(ranks_[0].device);
    if (kept_.empty() || kept_[0].size() != n) {
      kept_.clear();
      for (std::size_t k = 0; k < kept_count; ++k) kept_.emplace_back(n);
      kept_iteration_.assign(kept_count, -1);
    }
    const std::size_t slot = iteration % kept_count;
    SGP_CUDA_CHECK(cudaMemcpyAsync(kept_[slot].data(), average, n * sizeof(float),
                                   cudaMemcpyDefault, ranks_[0].stream));
    kept_done_.record(ranks_[0].stream);
    kept_iteration_[slot] = static_cast<std::int64_t>(iteration);
  }

  static constexpr std::size_t kept_count = 4;

  std::vector<rank> ranks_;
  std::optional<nccl_group> group_;           ///< empty after abort()
  bool keeping_ = false;                      ///< since the first rebuild
  std::vector<device_array<float>> kept_;     ///< the last averages (on the GPU where kept)
  std::vector<std::int64_t> kept_iteration_;  ///< of each slot; -1: none
  event kept_done_;                           ///< after the last copy into kept_
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
