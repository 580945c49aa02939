// Implementation of the constant-time secret comparison (see secret.hpp).
#include "core/secret.hpp"

#include <algorithm>

namespace sgp::core {

bool secret_matches(std::string_view presented, std::string_view expected) {
  if (expected.empty()) return false;
  // Every byte of the longer one is looked at; the length difference counts too.
  const std::size_t n = std::max(presented.size(), expected.size());
  volatile unsigned char diff = presented.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const auto a = static_cast<unsigned char>(i < presented.size() ? presented[i] : 0);
    const auto b = static_cast<unsigned char>(i < expected.size() ? expected[i] : 0);
    diff = diff | (a ^ b);
  }
  return diff == 0;
}

}  // namespace sgp::core
