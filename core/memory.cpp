// Implementation of the memory checks (see memory.hpp).
#include "core/memory.hpp"

#include <unistd.h>

#include <cstdio>

namespace sgp::core {

std::uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

std::string bytes_text(double bytes) {
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 6) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

status check_memory(double need, std::uint64_t memory, const std::string& what) {
  if (memory == 0 || need <= static_cast<double>(memory)) return {};
  return make_error(what + " need " + bytes_text(need) + ", more than this machine's " +
                    bytes_text(static_cast<double>(memory)) + " of memory");
}

}  // namespace sgp::core
