// Typed, checked reads from a parsed TOML table (see toml_reader.hpp).
#include "config/toml_reader.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <tuple>

#include "config/schema.hpp"
#include "config/units.hpp"

namespace sgp::config::detail {
namespace {

std::string format_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

/// The value as it would be written in TOML (for "got ..." in messages).
std::string shown(const toml::node& node) {
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) return format_double(f->get());
  if (const auto* str = node.as_string()) return "\"" + str->get() + "\"";
  return type_name(node);
}

}  // namespace

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "floating-point number";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    default:
      return "nothing";
  }
}

std::string bounds::violation(double v, const std::string& value) const {
  const bool below = lo_open ? !(v > lo) : !(v >= lo);
  const bool above = hi_open ? !(v < hi) : !(v <= hi);
  if (!below && !above) return "";
  const bool has_lo = std::isfinite(lo);
  const bool has_hi = std::isfinite(hi);
  std::string rule;
  if (has_lo && has_hi) {
    rule = std::string("must be in ") + (lo_open ? "(" : "[") + format_double(lo) + ", " +
           format_double(hi) + (hi_open ? ")" : "]");
  } else if (has_lo) {
    rule = std::string("must be ") + (lo_open ? "> " : ">= ") + format_double(lo);
  } else {
    rule = std::string("must be ") + (hi_open ? "< " : "<= ") + format_double(hi);
  }
  return rule + ", got " + value;
}

bounds unbounded() {
  return {};
}
bounds at_least(double lo) {
  return {lo, std::numeric_limits<double>::infinity(), false, false};
}
bounds greater_than(double lo) {
  return {lo, std::numeric_limits<double>::infinity(), true, false};
}
bounds closed(double lo, double hi) {
  return {lo, hi, false, false};
}
bounds half_open(double lo, double hi) {
  return {lo, hi, false, true};
}
bounds open_closed(double lo, double hi) {
  return {lo, hi, true, false};
}

std::string scope::key_path(std::string_view key) const {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

const toml::node* scope::find(std::string_view key) const {
  return table.get(key);
}

toml_reader::toml_reader(std::string source_name, std::vector<override_origin> origins)
    : source_(std::move(source_name)), origins_(std::move(origins)) {}

std::string toml_reader::location(const toml::source_region& where, std::string_view path) const {
  // The latest override that set this path or one of its parents wins.
  for (auto it = origins_.rbegin(); it != origins_.rend(); ++it) {
    const std::string& k = it->key_path;
    if (path == k || (path.size() > k.size() && path.substr(0, k.size()) == k &&
                      (path[k.size()] == '.' || path[k.size()] == '['))) {
      return "--set " + it->text;
    }
  }
  if (where.begin.line == 0) return source_;
  return source_ + ":" + std::to_string(where.begin.line) + ":" +
         std::to_string(where.begin.column);
}

core::error toml_reader::error_at(const toml::source_region& where, std::string_view path,
                                  std::string_view what) const {
  return core::error{location(where, path) + ": " + std::string(path) + ": " + std::string(what)};
}

core::status toml_reader::check_keys(const scope& s, std::string_view table_id) const {
  const auto allowed = schema::keys_of(table_id);
  const toml::key* worst = nullptr;
  std::tuple<bool, std::uint32_t, std::uint32_t> worst_rank{};
  for (auto&& [k, v] : s.table) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == k.str();
    if (known) continue;
    // Report the first unknown key in the file; override-made ones after those.
    const bool from_override = location({}, s.key_path(k.str())) != source_;
    const std::tuple<bool, std::uint32_t, std::uint32_t> rank{from_override, k.source().begin.line,
                                                              k.source().begin.column};
    if (worst == nullptr || rank < worst_rank) {
      worst = &k;
      worst_rank = rank;
    }
  }
  if (worst == nullptr) return {};
  const toml::node* node = s.table.get(worst->str());
  const bool is_table = node != nullptr && node->is_table();
  return error_at(worst->source(), s.key_path(worst->str()),
                  schema::unknown_key_message(table_id, s.path, worst->str(), is_table));
}

core::result<const toml::table*> toml_reader::table(const scope& s, std::string_view key) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!node->is_table()) {
    return error_at(node->source(), s.key_path(key), "expected a table, got " + type_name(*node));
  }
  return node->as_table();
}

core::result<const toml::array*> toml_reader::table_array(const scope& s,
                                                          std::string_view key) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return static_cast<const toml::array*>(nullptr);
  const std::string path = s.key_path(key);
  if (!node->is_array_of_tables()) {
    const auto* arr = node->as_array();
    const bool empty_array = arr != nullptr && arr->empty();
    if (!empty_array) {
      return error_at(node->source(), path,
                      "expected an array of tables ([[" + path + "]]), got " + type_name(*node));
    }
  }
  return node->as_array();
}

core::status toml_reader::integer(const toml::node& node, const std::string& path,
                                  std::int64_t& out, bounds b) const {
  const auto* v = node.as_integer();
  if (v == nullptr) {
    return error_at(node.source(), path, "expected an integer, got " + type_name(node));
  }
  if (auto bad = b.violation(static_cast<double>(v->get()), shown(node)); !bad.empty()) {
    return error_at(node.source(), path, bad);
  }
  out = v->get();
  return {};
}

core::status toml_reader::number(const toml::node& node, const std::string& path, double& out,
                                 bounds b) const {
  double value = 0.0;
  if (const auto* i = node.as_integer()) {
    value = static_cast<double>(i->get());
  } else if (const auto* f = node.as_floating_point()) {
    value = f->get();
  } else {
    return error_at(node.source(), path, "expected a number, got " + type_name(node));
  }
  if (std::isnan(value)) return error_at(node.source(), path, "must be a number, got nan");
  if (std::isinf(value)) {
    return error_at(node.source(), path, "must be a finite number, got " + shown(node));
  }
  if (auto bad = b.violation(value, shown(node)); !bad.empty()) {
    return error_at(node.source(), path, bad);
  }
  out = value;
  return {};
}

core::status toml_reader::read(const scope& s, std::string_view key, int& out, bounds b) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return {};
  std::int64_t value = 0;
  if (auto st = integer(*node, s.key_path(key), value, b); !st.ok()) return st;
  // An int field also has to fit an int.
  bounds fits = b;
  if (!(fits.lo >= std::numeric_limits<int>::min())) {
    fits.lo = std::numeric_limits<int>::min();
    fits.lo_open = false;
  }
  if (!(fits.hi <= std::numeric_limits<int>::max())) {
    fits.hi = std::numeric_limits<int>::max();
    fits.hi_open = false;
  }
  if (auto st = integer(*node, s.key_path(key), value, fits); !st.ok()) return st;
  out = static_cast<int>(value);
  return {};
}

core::status toml_reader::read(const scope& s, std::string_view key, std::int64_t& out,
                               bounds b) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return {};
  return integer(*node, s.key_path(key), out, b);
}

core::status toml_reader::read(const scope& s, std::string_view key, std::uint64_t& out) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return {};
  std::int64_t value = 0;
  if (auto st = integer(*node, s.key_path(key), value, at_least(0)); !st.ok()) return st;
  out = static_cast<std::uint64_t>(value);
  return {};
}

core::status toml_reader::read(const scope& s, std::string_view key, double& out, bounds b) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return {};
  return number(*node, s.key_path(key), out, b);
}

core::status toml_reader::read(const scope& s, std::string_view key, std::optional<double>& out,
                               bounds b) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return {};
  double value = 0.0;
  if (auto st = number(*node, s.key_path(key), value, b); !st.ok()) return st;
  out = value;
  return {};
}

core::status toml_reader::read(const scope& s, std::string_view key, bool& out) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return {};
  const auto* v = node->as_boolean();
  if (v == nullptr) {
    return error_at(node->source(), s.key_path(key),
                    "expected a boolean (true or false), got " + type_name(*node));
  }
  out = v->get();
  return {};
}

core::status toml_reader::read(const scope& s, std::string_view key, std::string& out) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return {};
  const auto* v = node->as_string();
  if (v == nullptr) {
    return error_at(node->source(), s.key_path(key), "expected a string, got " + type_name(*node));
  }
  out = v->get();
  return {};
}

core::status toml_reader::read(const scope& s, std::string_view key, std::vector<double>& out,
                               bounds b, bool ascending) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return {};
  const std::string path = s.key_path(key);
  const auto* arr = node->as_array();
  if (arr == nullptr) {
    return error_at(node->source(), path, "expected an array of numbers, got " + type_name(*node));
  }
  std::vector<double> values;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& item = *arr->get(i);
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    double value = 0.0;
    if (auto st = number(item, item_path, value, b); !st.ok()) return st;
    if (ascending && !values.empty() && !(value > values.back())) {
      return error_at(
          item.source(), item_path,
          "must be ascending, got " + shown(item) + " after " + format_double(values.back()));
    }
    values.push_back(value);
  }
  out = std::move(values);
  return {};
}

core::status toml_reader::read(const scope& s, std::string_view key, std::vector<int>& out,
                               bounds b) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return {};
  const std::string path = s.key_path(key);
  const auto* arr = node->as_array();
  if (arr == nullptr || arr->empty()) {
    return error_at(node->source(), path,
                    "expected a non-empty array of integers, got " +
                        (arr == nullptr ? type_name(*node) : std::string("an empty array")));
  }
  std::vector<int> values;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    std::int64_t value = 0;
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    if (auto st = integer(*arr->get(i), item_path, value, b); !st.ok()) return st;
    values.push_back(static_cast<int>(value));
  }
  out = std::move(values);
  return {};
}

core::status toml_reader::read(const scope& s, std::string_view key,
                               std::vector<std::vector<int>>& out, bounds b) const {
  const toml::node* node = s.find(key);
  if (node == nullptr) return {};
  const std::string path = s.key_path(key);
  const auto* arr = node->as_array();
  if (arr == nullptr) {
    return error_at(node->source(), path,
                    "expected an array of arrays of integers, got " + type_name(*node));
  }
  std::vector<std::vector<int>> groups;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& item = *arr->get(i);
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    const auto* inner = item.as_array();
    if (inner == nullptr) {
      return error_at(item.source(), item_path,
                      "expected an array of integers, got " + type_name(item));
    }
    std::vector<int> group;
    for (std::size_t j = 0; j < inner->size(); ++j) {
      std::int64_t value = 0;
      const std::string id_path = item_path + "[" + std::to_string(j) + "]";
      if (auto st = integer(*inner->get(j), id_path, value, b); !st.ok()) return st;
      group.push_back(static_cast<int>(value));
    }
    groups.push_back(std::move(group));
  }
  out = std::move(groups);
  return {};
}

core::status toml_reader::read_enum(const scope& s, std::string_view key, std::string& out,
                                    std::span<const std::string_view> values) const {
  std::string value = out;
  if (auto st = read(s, key, value); !st.ok()) return st;
  for (std::string_view v : values) {
    if (v == value) {
      out = value;
      return {};
    }
  }
  std::string list;
  for (std::string_view v : values) list += (list.empty() ? "" : ", ") + std::string(v);
  return error_at(s.find(key)->source(), s.key_path(key),
                  "must be one of " + list + "; got \"" + value + "\"");
}

core::status toml_reader::read_bandwidth(const scope& s, std::string_view key,
                                         std::string& out) const {
  std::string value = out;
  if (auto st = read(s, key, value); !st.ok()) return st;
  if (s.find(key) == nullptr) return {};
  if (auto bits = parse_bandwidth_bits_per_second(value); !bits.ok()) {
    return error_at(s.find(key)->source(), s.key_path(key), bits.err().message);
  }
  out = value;
  return {};
}

core::status toml_reader::read_duration(const scope& s, std::string_view key, std::string& out,
                                        bool positive) const {
  std::string value = out;
  if (auto st = read(s, key, value); !st.ok()) return st;
  if (s.find(key) == nullptr) return {};
  auto secs = parse_duration_seconds(value);
  if (!secs.ok()) return error_at(s.find(key)->source(), s.key_path(key), secs.err().message);
  if (positive && !(*secs > 0.0)) {
    return error_at(s.find(key)->source(), s.key_path(key),
                    "must be longer than 0, got \"" + value + "\"");
  }
  out = value;
  return {};
}

}  // namespace sgp::config::detail
