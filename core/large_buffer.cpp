// Huge-page-backed large buffers (see large_buffer.hpp).
#include "core/large_buffer.hpp"

#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace sgp::core {

bool advises_huge_pages(std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  return bytes >= huge_page_bytes;
#else
  (void)bytes;
  return false;
#endif
}

void* allocate_large(std::size_t bytes) {
  if (!advises_huge_pages(bytes)) return ::operator new(bytes);
  // aligned_alloc wants a multiple of the alignment.
  const std::size_t rounded = (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
  void* p = std::aligned_alloc(huge_page_bytes, rounded);
  if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Advice only: where the kernel refuses it, the buffer has 4 KiB pages.
  (void)::madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

void deallocate_large(void* p, std::size_t bytes) noexcept {
  if (p == nullptr) return;
  if (advises_huge_pages(bytes)) {
    std::free(p);  // NOLINT: paired with aligned_alloc
  } else {
    ::operator delete(p);
  }
}

}  // namespace sgp::core
