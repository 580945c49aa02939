// The push-sum mass space in a GPU's memory (core/mass_space.hpp): x and the
// cumulative mass buffers stay on the device, a push is one kernel that
// writes the new cumulative buffers on the sender's gossip stream, and an
// apply is one kernel on the receiver's, ordered by events, never by a host
// synchronisation.
//
// Streams: each space has a gossip stream of its own, so that pushes
// arriving while the node computes never touch the compute stream (which a
// CUDA graph capture may own). The two meet only where z and delta change
// hands: debias() makes the compute stream wait for z, add_scaled() makes the
// gossip stream wait for the compute stream's delta. The worker calls those
// two only between steps (the step/step-done messages order them).
//
// Buffers: a block is allocated from the device's stream-ordered pool on its
// sender's gossip stream and freed on a release stream after every stream
// that read it (events recorded at each use), so dropping the last reference
// from any thread never waits and never frees memory still in use. A block
// from another GPU is copied in (peer-to-peer where the devices allow it)
// and the copy is what the receiver keeps.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "core/mass_space.hpp"
#include "gpu/cuda/device_context.hpp"
#include "gpu/cuda/stream.hpp"

namespace sgp::gpu::cuda {

/// The streams of one node's gossip: where its blocks are written and freed.
struct gossip_streams {
  explicit gossip_streams(int device_id) : device(device_id) {}
  int device;
  cuda::stream gossip;   ///< sends, applies, steps into x, z = x / w
  cuda::stream release;  ///< frees blocks once their readers are done
};

/// A cumulative mass block in one GPU's memory.
class device_mass final : public core::mass_block {
 public:
  /// `n` uninitialised doubles on `streams->device`, allocated on the gossip stream.
  device_mass(std::shared_ptr<gossip_streams> streams, std::size_t n);
  device_mass(const device_mass&) = delete;
  device_mass& operator=(const device_mass&) = delete;
  ~device_mass() override;

  [[nodiscard]] std::size_t size() const override { return size_; }
  [[nodiscard]] std::vector<double> to_host() const override;
  void copy_to(std::span<double> out) const override;

  [[nodiscard]] int device() const { return streams_->device; }
  [[nodiscard]] double* data() { return data_; }
  [[nodiscard]] const double* data() const { return data_; }

  /// Marks the end of the writes queued so far on the owner's gossip stream.
  void mark_written() { written_.record(streams_->gossip.get()); }
  /// Makes `s` wait until the block is written.
  void wait_written(cudaStream_t s) const { written_.wait_on(s); }
  /// Blocks the calling thread until the block is written.
  void synchronize_written() const { written_.synchronize(); }
  /// Records that work queued so far on `s` reads the block; freeing waits for it.
  void mark_read(cudaStream_t s) const;

 private:
  std::shared_ptr<gossip_streams> streams_;
  double* data_ = nullptr;
  std::size_t size_ = 0;
  event written_;
  mutable std::mutex mutex_;
  mutable std::vector<std::pair<cudaStream_t, event>> reads_;
};

/// x on the device of `context`, next to the node's compute stream.
class device_mass_space final : public core::mass_space {
 public:
  device_mass_space(std::shared_ptr<device_context> context, std::span<const float> x);

  [[nodiscard]] std::size_t size() const override { return x_.size(); }
  [[nodiscard]] std::vector<double> x_host() const override;
  void add_scaled(std::span<const float> delta, float scale) override;
  void debias(double w, std::span<float> z) const override;
  [[nodiscard]] std::vector<core::shared_mass> send(std::span<const core::mass_block* const> old,
                                                    double fraction, bool bf16) override;
  [[nodiscard]] std::vector<core::shared_mass> step_and_send(
      std::span<const float> delta, float scale, std::span<const core::mass_block* const> old,
      double fraction, bool bf16) override;
  [[nodiscard]] core::shared_mass apply(const core::shared_mass& in,
                                        const core::mass_block* old) override;
  [[nodiscard]] core::shared_mass zeros() override;

 private:
  std::shared_ptr<device_context> context_;
  std::shared_ptr<gossip_streams> streams_;
  device_array<float> x_;
  /// Orders z and delta between the gossip and compute streams (a token:
  /// recording it changes nothing observable, so debias() stays const).
  mutable event handoff_;

  /// send(), with x += scale * delta in the first pass when `delta` is not null.
  std::vector<core::shared_mass> send_after_step(std::span<const core::mass_block* const> old,
                                                 double fraction, bool bf16, const float* delta,
                                                 float scale);
  /// Makes the gossip stream wait for the compute stream's writes (delta).
  void wait_for_compute();
};

}  // namespace sgp::gpu::cuda
