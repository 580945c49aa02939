// `--set key.path=value` overrides, applied to the parsed document before it
// is validated (so they get the same checks as the file). Internal to config/.
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "config/toml_reader.hpp"
#include "core/result.hpp"

namespace sgp::config::detail {

/// Stores the value of `text` ("optimizer.lr=0.05") at its key path in `root`,
/// creating missing tables on the way. The value is read as a TOML value; a
/// bare word that is not one becomes a string ("algorithm.name=ar-sgd").
/// Appends to `origins` what it set or created, so later errors name `text`.
core::status apply_override(toml::table& root, const std::string& text,
                            std::vector<override_origin>& origins);

}  // namespace sgp::config::detail
