// Page-locking host memory that a GPU copies to or from. Between processes
// a GPU's running sum is downloaded into host memory (the out-edge's T) and
// a received push is uploaded from it (the block the bridge forwards); from
// pageable memory the driver copies through a staging buffer of its own and
// the copy blocks the calling thread, while page-locked memory is copied by
// DMA at the bus's speed. core/ knows no CUDA: the backend gives the two
// functions (gpu::host_pinning_of), and null means there is nothing to pin
// (a CPU backend). Pinning is best effort: memory that could not be pinned
// stays pageable, which is slower but as correct.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

namespace sgp::core {

struct host_pinning {
  /// Page-locks [p, p + bytes); true when it did.
  std::function<bool(void*, std::size_t)> pin;
  /// Undoes a pin that returned true (before the memory is freed).
  std::function<void(void*)> unpin;
};

/// A range pinned for its lifetime (move-only): unpinned at destruction,
/// which must come before the memory is freed.
class pinned_range {
 public:
  pinned_range() = default;
  /// Pins [p, p + bytes) with `pinning` (null or empty: nothing).
  pinned_range(std::shared_ptr<const host_pinning> pinning, void* p, std::size_t bytes) {
    if (pinning && pinning->pin && p != nullptr && bytes > 0 && pinning->pin(p, bytes)) {
      pinning_ = std::move(pinning);
      p_ = p;
    }
  }
  pinned_range(const pinned_range&) = delete;
  pinned_range& operator=(const pinned_range&) = delete;
  pinned_range(pinned_range&& other) noexcept
      : pinning_(std::move(other.pinning_)), p_(std::exchange(other.p_, nullptr)) {}
  pinned_range& operator=(pinned_range&& other) noexcept {
    if (this != &other) {
      reset();
      pinning_ = std::move(other.pinning_);
      p_ = std::exchange(other.p_, nullptr);
    }
    return *this;
  }
  ~pinned_range() { reset(); }

  /// Whether the range is pinned now.
  [[nodiscard]] bool pinned() const { return p_ != nullptr; }

  /// Unpins now.
  void reset() {
    if (p_ != nullptr && pinning_ && pinning_->unpin) pinning_->unpin(p_);
    p_ = nullptr;
    pinning_.reset();
  }

 private:
  std::shared_ptr<const host_pinning> pinning_;
  void* p_ = nullptr;
};

}  // namespace sgp::core
