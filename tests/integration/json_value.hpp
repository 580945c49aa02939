// The JSON reader for tests: core/json_read.hpp under the tests' names.
#pragma once

#include "core/json_read.hpp"

namespace sgp::test {

using core::json_value;
using core::parse_json;

}  // namespace sgp::test
