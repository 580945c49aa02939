// Rendering of /status.json as a table (see status_table.hpp).
#include "apps/status_table.hpp"

#include "core/json_read.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

namespace sgp::apps {
namespace {

using json = core::json_value;

/// A number with printf's `format`, or "-" when absent (null: not finite).
std::string num(const json& v, const char* format) {
  if (v.kind != json::type::number) return "-";
  char buf[48];
  std::snprintf(buf, sizeof(buf), format, v.number);
  return buf;
}

std::string text(const json& v) {
  if (v.kind == json::type::string) return v.text.empty() ? "-" : v.text;
  if (v.kind == json::type::boolean) return v.boolean ? "yes" : "no";
  return "-";
}

std::string row(const std::vector<std::string>& cells, const std::vector<int>& widths) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    out += cells[i];
    if (i + 1 < cells.size()) {
      const int pad = widths[i] - static_cast<int>(cells[i].size());
      out.append(static_cast<std::size_t>(pad > 0 ? pad + 2 : 2), ' ');
    }
  }
  out.erase(out.find_last_not_of(' ') + 1);
  return out + '\n';
}

}  // namespace

core::result<std::string> render_status_table(std::string_view document) {
  const auto doc = core::parse_json(document);
  if (!doc || doc->kind != json::type::object) {
    return core::make_error("the status is not a JSON object");
  }
  const json& s = *doc;
  if (s["nodes"].kind != json::type::array) return core::make_error("the status has no nodes");

  std::string out = "iteration " + num(s["iteration"], "%.0f");
  if (s["total_iterations"].kind == json::type::number && s["total_iterations"].number > 0) {
    out += '/';
    out += num(s["total_iterations"], "%.0f");
  }
  out += "  live " + num(s["live_nodes"], "%.0f") + "/" + std::to_string(s["nodes"].items.size()) +
         "  connected " + text(s["connected"]) + "  consensus " +
         num(s["consensus_distance"], "%.3g");
  if (s["algorithm"].kind == json::type::string) out += "  " + s["algorithm"].text;
  if (s["topology"].kind == json::type::string) out += " on " + s["topology"].text;
  if (s["finishing"].boolean) out += "  (finishing)";
  out += '\n';

  std::vector<std::vector<std::string>> rows = {
      {"node", "state", "live", "iteration", "lag", "loss", "w", "it/s", "late", "lost", "note"}};
  for (const auto& n : s["nodes"].items) {
    const std::string state = text(n["state"]);
    // A node that has not reported has no values yet: "-" rather than zeros.
    auto value = [&](const char* key, const char* format) {
      return state == "starting" ? "-" : num(n[key], format);
    };
    rows.push_back({num(n["id"], "%.0f"), state, state == "dead" ? "no" : "yes",
                    value("iteration", "%.0f"), value("lag", "%.0f"), value("loss", "%.4f"),
                    value("w", "%.4g"), value("iterations_per_second", "%.3g"),
                    value("messages_late", "%.0f"), value("messages_lost", "%.0f"),
                    n["straggler"].boolean ? "straggler: " + text(n["straggler_reason"]) : ""});
  }
  std::vector<int> widths(rows.front().size(), 0);
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      widths[i] = std::max(widths[i], static_cast<int>(r[i].size()));
    }
  }
  for (const auto& r : rows) out += row(r, widths);
  return out;
}

}  // namespace sgp::apps
