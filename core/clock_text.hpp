// Durations as a progress line shows them: "m:ss", or "h:mm:ss" from an hour.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>

namespace sgp::core {

/// `seconds` rounded to whole seconds, as "m:ss" or "h:mm:ss" (never negative).
inline std::string clock_text(double seconds) {
  const auto total = static_cast<long long>(std::max(0.0, seconds) + 0.5);
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof(text), "%lld:%02lld:%02lld", total / 3600, total / 60 % 60,
                  total % 60);
  } else {
    std::snprintf(text, sizeof(text), "%lld:%02lld", total / 60, total % 60);
  }
  return text;
}

}  // namespace sgp::core
