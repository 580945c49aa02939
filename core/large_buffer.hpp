// Model-sized host buffers backed by huge pages. A fresh buffer's first
// touch costs the kernel a page fault per 4 KiB page; a cluster's first
// push on each new edge allocates several model-sized buffers at once (a
// sender's T and C_a, a receiver's C, forwarded sums, frame bodies), and on
// a crowded host those faults cost seconds at the start of a run. Buffers
// of at least `huge_page_bytes` are therefore aligned to 2 MiB and advised
// to the kernel as transparent huge pages (madvise MADV_HUGEPAGE: honoured
// under the kernel's default "madvise" setting, a no-op where huge pages
// are off), one fault per 2 MiB. Smaller buffers come from operator new.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace sgp::core {

/// From this size on a buffer is aligned to, and advised as, huge pages.
inline constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;

/// `bytes` of storage (see above); throws std::bad_alloc when there is none.
[[nodiscard]] void* allocate_large(std::size_t bytes);

/// Frees what allocate_large(bytes) returned (the same `bytes`).
void deallocate_large(void* p, std::size_t bytes) noexcept;

/// Whether allocate_large(bytes) advises huge pages for it (tests).
[[nodiscard]] bool advises_huge_pages(std::size_t bytes);

/// A standard allocator over allocate_large.
template <class T>
struct large_allocator {
  using value_type = T;
  large_allocator() = default;
  template <class U>
  large_allocator(const large_allocator<U>&) noexcept {}  // NOLINT: as std
  [[nodiscard]] T* allocate(std::size_t n) {
    return static_cast<T*>(allocate_large(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { deallocate_large(p, n * sizeof(T)); }
  template <class U>
  friend bool operator==(const large_allocator&, const large_allocator<U>&) noexcept {
    return true;
  }
};

/// A model-sized vector of doubles, zero-initialised like std::vector.
using large_doubles = std::vector<double, large_allocator<double>>;

}  // namespace sgp::core
