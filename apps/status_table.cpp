// Rendering of /status.json as a table (see status_table.hpp). sgp has no
// JSON reader in core/ (it only writes JSON), so a small strict one lives here.
#include "apps/status_table.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

namespace sgp::apps {
namespace {

struct json {
  enum class type { null, boolean, number, string, array, object } kind = type::null;
  bool boolean = false;
  double number = 0.0;
  std::string text;
  std::vector<json> items;
  std::map<std::string, json> fields;

  [[nodiscard]] const json& operator[](const std::string& key) const {
    static const json missing;
    const auto it = fields.find(key);
    return it == fields.end() ? missing : it->second;
  }
};

class json_reader {
 public:
  explicit json_reader(std::string_view s) : s_(s) {}

  std::optional<json> document() {
    auto v = value(0);
    space();
    if (!v || pos_ != s_.size()) return std::nullopt;
    return v;
  }

 private:
  void space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool word(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }

  std::optional<std::string> string() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (c == '\\') {
        if (pos_ >= s_.size()) return std::nullopt;
        c = s_[pos_++];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
        if (c == 'u') {  // kept as '?': the table shows no such characters
          if (pos_ + 4 > s_.size()) return std::nullopt;
          pos_ += 4;
          c = '?';
        }
      }
      out += c;
    }
    if (!eat('"')) return std::nullopt;
    return out;
  }

  std::optional<json> value(int depth) {
    space();
    if (pos_ >= s_.size() || depth > 32) return std::nullopt;
    json v;
    const char c = s_[pos_];
    if (c == '{') {
      ++pos_;
      v.kind = json::type::object;
      if (eat('}')) return v;
      do {
        auto k = string();
        if (!k || !eat(':')) return std::nullopt;
        auto item = value(depth + 1);
        if (!item) return std::nullopt;
        v.fields[*k] = std::move(*item);
      } while (eat(','));
      return eat('}') ? std::optional<json>(v) : std::nullopt;
    }
    if (c == '[') {
      ++pos_;
      v.kind = json::type::array;
      if (eat(']')) return v;
      do {
        auto item = value(depth + 1);
        if (!item) return std::nullopt;
        v.items.push_back(std::move(*item));
      } while (eat(','));
      return eat(']') ? std::optional<json>(v) : std::nullopt;
    }
    if (c == '"') {
      auto t = string();
      if (!t) return std::nullopt;
      v.kind = json::type::string;
      v.text = std::move(*t);
      return v;
    }
    if (word("null")) return v;
    if (word("true") || word("false")) {
      v.kind = json::type::boolean;
      v.boolean = s_.substr(pos_ - 4, 4) == "true";
      return v;
    }
    const std::string rest(s_.substr(pos_, 64));
    char* end = nullptr;
    v.number = std::strtod(rest.c_str(), &end);
    if (end == rest.c_str()) return std::nullopt;
    pos_ += static_cast<std::size_t>(end - rest.c_str());
    v.kind = json::type::number;
    return v;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

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
  const auto doc = json_reader(document).document();
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
