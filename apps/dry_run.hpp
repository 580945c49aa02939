// `sgp train CONFIG --dry-run`: the resolved config and what the run would
// do (runtime, nodes, devices, algorithm, topology), without running it.
#pragma once

#include <string>

#include "config/config.hpp"
#include "config/settings.hpp"

namespace sgp::apps {

/// The plan of a run of `cfg` (`set`: its resolve()), a few `key: value`
/// lines; `resume` as given.
std::string describe_plan(const config::config& cfg, const config::settings& set,
                          const std::string& resume, bool console);

}  // namespace sgp::apps
