// Settings that are valid but known to fail: combinations that measurement
// found to diverge, said before the run starts (docs/performance.md has the
// runs). Pure: resolved settings in, sentences out.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/settings.hpp"

namespace sgp::config {

/// One warning per combination of `cfg` (resolved as `set`) known to fail;
/// empty when none. Each names the keys and what to use instead.
[[nodiscard]] std::vector<std::string> advice_for(const config& cfg, const settings& set);

/// Settings of `cfg` that a one-node `sgp train` without the console does
/// not use (it runs no actors), one sentence each naming the key; empty
/// when every such key has its default.
[[nodiscard]] std::vector<std::string> unused_by_one_node(const config& cfg);

}  // namespace sgp::config
