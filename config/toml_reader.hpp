// Typed, checked reads from a parsed TOML table. Every failure is one line
// naming where the value came from (FILE:LINE:COLUMN, or the --set override
// that put it there) and its key path. Internal to config/.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/result.hpp"

namespace sgp::config::detail {

/// A value (or a table created on the way to it) that a --set override put
/// into the document: errors under `key_path` name `text`, not the file.
struct override_origin {
  std::string key_path;  ///< "optimizer.lr"
  std::string text;      ///< "optimizer.lr=abc", as given
};

/// Allowed range of a number; each end open or closed or unbounded.
struct bounds {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  /// "" when `v` is inside, else "must be >= 0, got -1" (`shown` is `v` as written).
  [[nodiscard]] std::string violation(double v, const std::string& shown) const;
};

bounds unbounded();
bounds at_least(double lo);                ///< [lo, inf)
bounds greater_than(double lo);            ///< (lo, inf)
bounds closed(double lo, double hi);       ///< [lo, hi]
bounds half_open(double lo, double hi);    ///< [lo, hi)
bounds open_closed(double lo, double hi);  ///< (lo, hi]

/// A table and its path in the document ("optimizer", "network.link[1]").
struct scope {
  const toml::table& table;
  std::string path;

  /// "path.key" (or "key" at the root).
  [[nodiscard]] std::string key_path(std::string_view key) const;
  /// The node at `key`, or nullptr.
  [[nodiscard]] const toml::node* find(std::string_view key) const;
};

/// Reads values out of one parsed document. Each `read` leaves `out` alone
/// when the key is absent, so struct defaults stand.
class toml_reader {
 public:
  toml_reader(std::string source_name, std::vector<override_origin> origins);

  /// "FILE:LINE:COL: PATH: what", or "--set TEXT: PATH: what" for override values.
  [[nodiscard]] core::error error_at(const toml::source_region& where, std::string_view path,
                                     std::string_view what) const;

  /// Rejects the first key of `s` (by position) that `table_id` does not
  /// allow (see schema.hpp), with a suggestion.
  [[nodiscard]] core::status check_keys(const scope& s, std::string_view table_id) const;

  /// The sub-table at `key`, nullptr when absent; an error when not a table.
  [[nodiscard]] core::result<const toml::table*> table(const scope& s, std::string_view key) const;

  /// The array of tables at `key` ([[key]]), nullptr when absent.
  [[nodiscard]] core::result<const toml::array*> table_array(const scope& s,
                                                             std::string_view key) const;

  [[nodiscard]] core::status read(const scope& s, std::string_view key, int& out,
                                  bounds b = unbounded()) const;
  [[nodiscard]] core::status read(const scope& s, std::string_view key, std::int64_t& out,
                                  bounds b = unbounded()) const;
  /// A non-negative integer (seeds).
  [[nodiscard]] core::status read(const scope& s, std::string_view key, std::uint64_t& out) const;
  /// Integers are accepted where numbers are expected, not the reverse.
  [[nodiscard]] core::status read(const scope& s, std::string_view key, double& out,
                                  bounds b = unbounded()) const;
  [[nodiscard]] core::status read(const scope& s, std::string_view key, std::optional<double>& out,
                                  bounds b = unbounded()) const;
  [[nodiscard]] core::status read(const scope& s, std::string_view key, bool& out) const;
  [[nodiscard]] core::status read(const scope& s, std::string_view key, std::string& out) const;
  /// An array of numbers, each within `b`; `ascending`: strictly increasing.
  [[nodiscard]] core::status read(const scope& s, std::string_view key, std::vector<double>& out,
                                  bounds b, bool ascending) const;
  /// A non-empty array of integers, each within `b` (GPU ids).
  [[nodiscard]] core::status read(const scope& s, std::string_view key, std::vector<int>& out,
                                  bounds b) const;
  /// An array of arrays of integers, each within `b` (partition groups).
  [[nodiscard]] core::status read(const scope& s, std::string_view key,
                                  std::vector<std::vector<int>>& out, bounds b) const;

  /// A string that must be one of `values`.
  [[nodiscard]] core::status read_enum(const scope& s, std::string_view key, std::string& out,
                                       std::span<const std::string_view> values) const;
  /// A string that parse_bandwidth_bits_per_second accepts.
  [[nodiscard]] core::status read_bandwidth(const scope& s, std::string_view key,
                                            std::string& out) const;
  /// A string that parse_duration_seconds accepts; with `positive`, "0ms" is
  /// refused too (a timeout of nothing).
  [[nodiscard]] core::status read_duration(const scope& s, std::string_view key, std::string& out,
                                           bool positive = false) const;

 private:
  [[nodiscard]] std::string location(const toml::source_region& where, std::string_view path) const;
  [[nodiscard]] core::status integer(const toml::node& node, const std::string& path,
                                     std::int64_t& out, bounds b) const;
  [[nodiscard]] core::status number(const toml::node& node, const std::string& path, double& out,
                                    bounds b) const;

  std::string source_;
  std::vector<override_origin> origins_;
};

/// The TOML type of a node in words: "string", "integer", "floating-point number", ...
std::string type_name(const toml::node& node);

}  // namespace sgp::config::detail

/// Returns the status of `expr` from the enclosing function when it failed.
#define SGP_CONFIG_TRY(expr)                      \
  do {                                            \
    if (auto st_ = (expr); !st_.ok()) return st_; \
  } while (false)
