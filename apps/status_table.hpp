// The status page's snapshot (GET /status.json, core::to_json) as a text
// table for `sgp console HOST:PORT`: a summary line and a row per node.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sgp::apps {

/// Renders a /status.json document; an error when it is not JSON or has no
/// "nodes" array. Fields a server leaves out are shown as "-".
core::result<std::string> render_status_table(std::string_view json);

}  // namespace sgp::apps
