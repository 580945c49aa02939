// Storage for host mass blocks, recycled. A node writes one model-sized
// block of doubles per push and frees one (the block its receiver applied
// before) about as often; handing each back to the allocator and taking a
// fresh one costs a page fault per 4 KiB page on first touch, which measured
// as a third of a CPU node's time in `sgp bench comm-bound`. The pool keeps a
// few freed buffers of one size and hands them out again. Thread-safe: a
// block is taken on the sender's thread and given back on whichever thread
// drops its last reference.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/host_pinning.hpp"
#include "core/large_buffer.hpp"

namespace sgp::core {

/// An allocator that leaves new elements uninitialised (every element of a
/// cumulative sum is written right after allocation; zeroing first would be
/// one more pass over a model-sized buffer), on huge pages when large
/// (core/large_buffer.hpp).
template <class T>
struct uninitialised_allocator : large_allocator<T> {
  template <class U>
  struct rebind {
    using other = uninitialised_allocator<U>;
  };
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// A cumulative mass vector in host memory.
using mass_vector = std::vector<double, uninitialised_allocator<double>>;

class host_block_pool {
 public:
  /// Keeps at most `max_cached` free buffers. With `pinning`, every buffer
  /// it allocates is pinned until it is freed (a GPU uploads from them).
  explicit host_block_pool(std::size_t max_cached,
                           std::shared_ptr<const host_pinning> pinning = nullptr)
      : max_cached_(max_cached), pinning_(std::move(pinning)) {}
  host_block_pool(const host_block_pool&) = delete;
  host_block_pool& operator=(const host_block_pool&) = delete;
  /// Unpins the cached buffers before they are freed.
  ~host_block_pool();

  /// `n` uninitialised doubles: a cached buffer of that size, or a new one.
  [[nodiscard]] mass_vector take(std::size_t n);

  /// Keeps `v` for a later take() unless the pool is full (then frees it).
  void give_back(mass_vector v);

  /// Raises the bound on cached buffers to `max_cached` if it is lower.
  void allow(std::size_t max_cached);

  /// Buffers cached now (tests, diagnostics).
  [[nodiscard]] std::size_t cached() const;

 private:
  mutable std::mutex mutex_;
  std::vector<mass_vector> free_;
  std::size_t max_cached_;
  std::shared_ptr<const host_pinning> pinning_;
  /// The pinned buffers this pool allocated (in use or cached), by address.
  std::map<const void*, pinned_range> pinned_;
};

}  // namespace sgp::core
