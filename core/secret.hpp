// Comparing a presented shared secret (POST /command) with the expected one.
#pragma once

#include <string_view>

namespace sgp::core {

/// True when `presented` equals `expected`, in time that does not depend on
/// where they differ (every byte of the longer one is read). False when
/// `expected` is empty: no secret set means nothing matches.
bool secret_matches(std::string_view presented, std::string_view expected);

}  // namespace sgp::core
