// The device mass space (see device_mass_space.hpp).
#include "gpu/cuda/device_mass_space.hpp"

#include <algorithm>
#include <cstdint>

#include "core/assert.hpp"
#include "core/host_mass_space.hpp"
#include "gpu/cuda/push_sum_kernels.hpp"

namespace sgp::gpu::cuda {

device_mass::device_mass(std::shared_ptr<gossip_streams> streams, std::size_t n)
    : streams_(std::move(streams)), size_(n) {
  const device_guard guard(streams_->device);
  if (size_ > 0) {
    SGP_CUDA_CHECK(cudaMallocAsync(reinterpret_cast<void**>(&data_), size_ * sizeof(double),
                                   streams_->gossip.get()));
  }
}

device_mass::~device_mass() {
  if (data_ == nullptr) return;
  const device_guard guard(streams_->device);
  const cudaStream_t release = streams_->release.get();
  // Errors while tearing down are not actionable; the pool reclaims the
  // memory with the context at exit.
  const auto wait = [release](const event& e) {
    if (e.get() != nullptr) (void)cudaStreamWaitEvent(release, e.get(), 0);
  };
  wait(written_);
  for (const auto& [s, e] : reads_) wait(e);
  (void)cudaFreeAsync(data_, release);
}

std::vector<double> device_mass::to_host() const {
  std::vector<double> out(size_);
  copy_to(out);
  return out;
}

void device_mass::copy_to(std::span<double> out) const {
  SGP_ASSERT(out.size() == size_);
  if (size_ == 0) return;
  const device_guard guard(streams_->device);
  written_.synchronize();
  SGP_CUDA_CHECK(cudaMemcpy(out.data(), data_, size_ * sizeof(double), cudaMemcpyDeviceToHost));
}

void device_mass::mark_read(cudaStream_t s) const {
  const std::lock_guard lock(mutex_);
  for (auto& [stream, e] : reads_) {
    if (stream == s) {
      e.record(s);  // a later record on the same stream covers the earlier work
      return;
    }
  }
  reads_.emplace_back(s, event{});
  reads_.back().second.record(s);
}

namespace {

void keep_pool_memory(int device) {
  // Blocks come and go every iteration: keep freed memory in the pool
  // instead of returning it to the driver at every synchronisation.
  cudaMemPool_t pool = nullptr;
  SGP_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, device));
  std::uint64_t keep = ~std::uint64_t{0};
  SGP_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
  // Never make a node's gossip stream wait on another node's pending free
  // to reuse its memory: that would chain every node's streams together.
  // Memory whose free has completed is still reused.
  int no = 0;
  SGP_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolReuseAllowInternalDependencies, &no));
}

}  // namespace

device_mass_space::device_mass_space(std::shared_ptr<device_context> context,
                                     std::span<const float> x)
    : context_(std::move(context)),
      streams_([&] {
        const device_guard guard(context_->device());
        return std::make_shared<gossip_streams>(context_->device());
      }()),
      x_([&] {
        const device_guard guard(context_->device());
        return device_array<float>(x.size());
      }()) {
  const device_guard guard(context_->device());
  keep_pool_memory(context_->device());
  if (!x.empty()) {
    SGP_CUDA_CHECK(cudaMemcpyAsync(x_.data(), x.data(), x.size_bytes(), cudaMemcpyHostToDevice,
                                   streams_->gossip.get()));
    // `x` may be freed as soon as this returns.
    streams_->gossip.synchronize();
  }
}

std::vector<double> device_mass_space::x_host() const {
  std::vector<float> host(x_.size());
  if (!host.empty()) {
    const device_guard guard(context_->device());
    SGP_CUDA_CHECK(cudaMemcpyAsync(host.data(), x_.data(), x_.bytes(), cudaMemcpyDeviceToHost,
                                   streams_->gossip.get()));
    streams_->gossip.synchronize();
  }
  return {host.begin(), host.end()};
}

void device_mass_space::wait_for_compute() {
  handoff_.record(context_->stream());
  handoff_.wait_on(streams_->gossip.get());
}

void device_mass_space::add_scaled(std::span<const float> delta, float scale) {
  SGP_ASSERT(delta.size() == x_.size());
  const device_guard guard(context_->device());
  wait_for_compute();  // the compute stream wrote delta
  launch_add_scaled(x_.data(), delta.data(), x_.size(), scale, streams_->gossip.get());
}

void device_mass_space::debias(double w, std::span<float> z) const {
  SGP_ASSERT(z.size() == x_.size());
  SGP_ASSERT(w > 0.0);
  const device_guard guard(context_->device());
  launch_debias(x_.data(), x_.size(), w, z.data(), streams_->gossip.get());
  // The compute stream reads z: it waits for the gossip stream.
  handoff_.record(streams_->gossip.get());
  handoff_.wait_on(context_->stream());
}

std::vector<core::shared_mass> device_mass_space::send(std::span<const core::mass_block* const> old,
                                                       double fraction, bool bf16) {
  const device_guard guard(context_->device());
  return send_after_step(old, fraction, bf16, nullptr, 0.0f);
}

std::vector<core::shared_mass> device_mass_space::step_and_send(
    std::span<const float> delta, float scale, std::span<const core::mass_block* const> old,
    double fraction, bool bf16) {
  SGP_ASSERT(delta.size() == x_.size());
  const device_guard guard(context_->device());
  wait_for_compute();  // the compute stream wrote delta
  return send_after_step(old, fraction, bf16, delta.data(), scale);
}

std::vector<core::shared_mass> device_mass_space::send_after_step(
    std::span<const core::mass_block* const> old, double fraction, bool bf16, const float* delta,
    float scale) {
  const std::size_t d = old.size();
  std::vector<core::shared_mass> out;
  out.reserve(d);
  const cudaStream_t s = streams_->gossip.get();
  if (d == 0) {
    if (delta != nullptr) launch_add_scaled(x_.data(), delta, x_.size(), scale, s);
    return out;
  }
  // Up to max_send_edges edges per pass. Later passes see x after the
  // earlier ones: scaling their fraction by 1 / (what x had left) gives each
  // edge the same share of x as it was before the push (up to rounding).
  std::size_t sent = 0;
  while (sent < d) {
    const std::size_t count = std::min<std::size_t>(d - sent, max_send_edges);
    const double remaining = 1.0 - static_cast<double>(sent) * fraction;
    send_edges edges;
    edges.count = static_cast<int>(count);
    std::vector<std::shared_ptr<device_mass>> next(count);
    std::vector<const device_mass*> read(count, nullptr);
    for (std::size_t k = 0; k < count; ++k) {
      const auto* before = old[sent + k];
      if (before != nullptr) {
        const auto* b = dynamic_cast<const device_mass*>(before);
        SGP_ASSERT(b != nullptr && b->size() == x_.size() && b->device() == context_->device());
        edges.old[k] = b->data();  // written earlier on this stream
        read[k] = b;
      }
      next[k] = std::make_shared<device_mass>(streams_, x_.size());
      edges.next[k] = next[k]->data();
    }
    // The step goes into the first pass only.
    launch_push_send(x_.data(), x_.size(), fraction / remaining, bf16, edges, s,
                     sent == 0 ? delta : nullptr, scale);
    // The kernel reads the old blocks: their free must wait for it. The
    // caller usually drops an edge's old block as soon as this returns, and
    // when its push was lost nobody else holds it; a free that waited only
    // for the block's write let another stream reuse the memory while this
    // kernel was still queued (wrong sums under loss on the GPU).
    for (const auto* b : read) {
      if (b != nullptr) b->mark_read(s);
    }
    for (auto& block : next) {
      block->mark_written();
      out.push_back(std::move(block));
    }
    sent += count;
  }
  return out;
}

core::shared_mass device_mass_space::apply(const core::shared_mass& in,
                                           const core::mass_block* old) {
  if (const auto* host = dynamic_cast<const core::host_mass*>(in.get())) {
    // From another process (the bridge hands a push on as a host block):
    // uploaded once, then applied and kept as a device block. The bridge
    // pins its blocks (core/host_pinning.hpp), so the copy is a DMA that
    // returns at once; the host block is recycled once the caller lets it
    // go, so the copy must be done by then.
    if (host->size() != x_.size()) return nullptr;
    const device_guard guard(context_->device());
    auto local = std::make_shared<device_mass>(streams_, x_.size());
    if (x_.size() > 0) {
      SGP_CUDA_CHECK(cudaMemcpyAsync(local->data(), host->data(), x_.size() * sizeof(double),
                                     cudaMemcpyHostToDevice, streams_->gossip.get()));
    }
    local->mark_written();
    local->synchronize_written();
    return apply(local, old);
  }
  const auto* block = dynamic_cast<const device_mass*>(in.get());
  if (block == nullptr || block->size() != x_.size()) return nullptr;
  const auto* before = dynamic_cast<const device_mass*>(old);
  if (old != nullptr && (before == nullptr || before->size() != x_.size())) return nullptr;
  const device_guard guard(context_->device());
  const cudaStream_t s = streams_->gossip.get();
  core::shared_mass kept = in;
  block->wait_written(s);
  if (block->device() != context_->device()) {
    // From another GPU: copy it here (peer to peer where the devices allow,
    // through the host otherwise) and keep the copy.
    auto local = std::make_shared<device_mass>(streams_, x_.size());
    SGP_CUDA_CHECK(cudaMemcpyPeerAsync(local->data(), context_->device(), block->data(),
                                       block->device(), x_.size() * sizeof(double), s));
    block->mark_read(s);
    local->mark_written();
    block = local.get();
    kept = std::move(local);
  }
  launch_push_apply(x_.data(), x_.size(), block->data(),
                    before != nullptr ? before->data() : nullptr, s);
  block->mark_read(s);
  if (before != nullptr) before->mark_read(s);
  return kept;
}

core::shared_mass device_mass_space::zeros() {
  const device_guard guard(context_->device());
  auto block = std::make_shared<device_mass>(streams_, x_.size());
  if (x_.size() > 0) {
    SGP_CUDA_CHECK(
        cudaMemsetAsync(block->data(), 0, x_.size() * sizeof(double), streams_->gossip.get()));
  }
  block->mark_written();
  return block;
}

}  // namespace sgp::gpu::cuda
