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
  return mass_vector(n);
}

void host_block_pool::give_back(mass_vector v) {
  if (v.empty()) return;
  const std::lock_guard lock(mutex_);
  if (free_.size() < max_cached_) free_.push_back(std::move(v));
  // Otherwise `v` is freed on return, after the lock is released.
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
