// Implementation of the kept frame bodies (see frame_memory.hpp).
#include "net/wire/frame_memory.hpp"

#include <array>
#include <mutex>
#include <new>

#include "core/large_buffer.hpp"

namespace sgp::net::wire::frame_memory {
namespace {

struct kept_block {
  void* p = nullptr;
  std::size_t bytes = 0;
};

/// The kept blocks, oldest first, in a fixed array: keeping one never allocates.
struct store {
  std::mutex mutex;
  std::array<kept_block, kept_blocks> blocks{};
  std::size_t count = 0;

  void erase(std::size_t i) {
    for (std::size_t k = i + 1; k < count; ++k) blocks[k - 1] = blocks[k];
    --count;
  }
  ~store() {
    for (std::size_t k = 0; k < count; ++k) core::deallocate_large(blocks[k].p, blocks[k].bytes);
  }
};

store& the_store() {
  static store s;
  return s;
}

}  // namespace

void* take(std::size_t bytes) {
  if (bytes >= large_bytes) {
    auto& s = the_store();
    std::lock_guard lock(s.mutex);
    for (std::size_t k = s.count; k-- > 0;) {  // the newest first
      if (s.blocks[k].bytes == bytes) {
        void* p = s.blocks[k].p;
        s.erase(k);
        return p;
      }
    }
  }
  return core::allocate_large(bytes);
}

void give(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  if (bytes < large_bytes) {
    core::deallocate_large(p, bytes);
    return;
  }
  kept_block evicted{};
  {
    auto& s = the_store();
    std::lock_guard lock(s.mutex);
    if (s.count == kept_blocks) {
      evicted = s.blocks[0];
      s.erase(0);
    }
    s.blocks[s.count++] = {p, bytes};
  }
  core::deallocate_large(evicted.p, evicted.bytes);
}

std::size_t kept() {
  auto& s = the_store();
  std::lock_guard lock(s.mutex);
  return s.count;
}

void release_all() noexcept {
  std::array<kept_block, kept_blocks> gone{};
  std::size_t n = 0;
  {
    auto& s = the_store();
    std::lock_guard lock(s.mutex);
    gone = s.blocks;
    n = s.count;
    s.count = 0;
  }
  for (std::size_t k = 0; k < n; ++k) core::deallocate_large(gone[k].p, gone[k].bytes);
}

}  // namespace sgp::net::wire::frame_memory
