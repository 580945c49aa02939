// The host block pool (see host_block_pool.hpp).
#include "core/host_block_pool.hpp"

#include <algorithm>

namespace sgp::core {

mass_vector host_block_pool::take(std::size_t n) {
  {
    const std::lock_guard lock(mutex_);
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->size() == n) {
        mass_vector v = std::move(*it);
        free_.erase(it);
        return v;
      }
    }
  }
  mass_vector v(n);
  if (pinning_ && n > 0) {
    pinned_range pin(pinning_, v.data(), n * sizeof(double));
    if (pin.pinned()) {
      const std::lock_guard lock(mutex_);
      pinned_.emplace(v.data(), std::move(pin));
    }
  }
  return v;
}

void host_block_pool::give_back(mass_vector v) {
  if (v.empty()) return;
  pinned_range unpin;  // unpinned on return, before `v` (the parameter) is freed
  const std::lock_guard lock(mutex_);
  if (free_.size() < max_cached_) {
    free_.push_back(std::move(v));
    return;
  }
  // Freed on return: the lock goes first, then the pin, then `v`.
  if (const auto it = pinned_.find(v.data()); it != pinned_.end()) {
    unpin = std::move(it->second);
    pinned_.erase(it);
  }
}

host_block_pool::~host_block_pool() {
  // The cached buffers go with free_; each was unpinned first.
  pinned_.clear();
}

void host_block_pool::allow(std::size_t max_cached) {
  const std::lock_guard lock(mutex_);
  max_cached_ = std::max(max_cached_, max_cached);
}

std::size_t host_block_pool::cached() const {
  const std::lock_guard lock(mutex_);
  return free_.size();
}

}  // namespace sgp::core
