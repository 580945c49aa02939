// Huge-page-backed large buffers: alignment, zeroing, and that the kernel
// really maps a large buffer with huge pages where it offers them.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "core/large_buffer.hpp"

using namespace sgp::core;

namespace {

/// The kernel's transparent huge page mode ("always", "madvise", "never").
std::string huge_page_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(in, line);
  const auto open = line.find('[');
  const auto close = line.find(']');
  return open == std::string::npos || close == std::string::npos
             ? ""
             : line.substr(open + 1, close - open - 1);
}

/// AnonHugePages (kB) of the mapping that holds `p`, from /proc/self/smaps.
long huge_kib_at(const void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    std::uintptr_t lo = 0;
    std::uintptr_t hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= at && at < hi;
      continue;
    }
    if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      return std::stol(line.substr(14));
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("large buffers are aligned to 2 MiB, small ones come from operator new", "[core]") {
  CHECK_FALSE(advises_huge_pages(huge_page_bytes - 1));
  void* small = allocate_large(1000);
  REQUIRE(small != nullptr);
  deallocate_large(small, 1000);
#if defined(__linux__)
  REQUIRE(advises_huge_pages(huge_page_bytes));
  const std::size_t bytes = 3 * huge_page_bytes + 12345;  // not a multiple
  void* p = allocate_large(bytes);
  REQUIRE(p != nullptr);
  CHECK(reinterpret_cast<std::uintptr_t>(p) % huge_page_bytes == 0);
  static_cast<char*>(p)[bytes - 1] = 1;  // the last byte is ours
  deallocate_large(p, bytes);
#endif
}

TEST_CASE("a large vector of doubles starts at zero and is mapped with huge pages", "[core]") {
  large_doubles v(4 * huge_page_bytes / sizeof(double));
  for (std::size_t i = 0; i < v.size(); i += 4096) REQUIRE(v[i] == 0.0);
  for (auto& x : v) x = 1.0;  // fault every page in
  const long huge = huge_kib_at(v.data());
  const std::string mode = huge_page_mode();
  INFO("transparent_hugepage mode: " << mode << ", AnonHugePages " << huge << " kB");
  if (mode == "always" || mode == "madvise") {
    // Huge pages are a best effort of the kernel (it may find no free 2 MiB
    // block), but an idle test process on a machine that offers them gets
    // at least one of the four.
    CHECK(huge >= 2048);
  } else {
    WARN("transparent huge pages are off here: nothing to check");
  }
}
