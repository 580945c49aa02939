// Checkpoint files: named arrays (float, double, int64) in one binary file,
// written atomically (temporary file, fsync, rename) and checked on read
// (magic, version, sizes, FNV-1a checksum), so a crash mid-write never
// leaves a half checkpoint behind and a damaged file is an error, not a crash.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sgp::core {

/// The contents of one checkpoint: arrays by name. Scalars are arrays of one.
class checkpoint {
 public:
  void put_floats(const std::string& name, std::span<const float> values);
  void put_doubles(const std::string& name, std::span<const double> values);
  void put_ints(const std::string& name, std::span<const std::int64_t> values);
  void put_string(const std::string& name, const std::string& value);

  /// Each getter fails with a message naming the entry when it is missing or
  /// of another type; `expected_size` (if not 0) is checked too.
  [[nodiscard]] result<std::vector<float>> floats(const std::string& name,
                                                  std::size_t expected_size = 0) const;
  [[nodiscard]] result<std::vector<double>> doubles(const std::string& name,
                                                    std::size_t expected_size = 0) const;
  [[nodiscard]] result<std::vector<std::int64_t>> ints(const std::string& name,
                                                       std::size_t expected_size = 0) const;
  [[nodiscard]] result<std::string> string(const std::string& name) const;

  [[nodiscard]] bool has(const std::string& name) const { return entries_.count(name) > 0; }

  /// Writes to `path` atomically (path + ".tmp", fsync, rename).
  [[nodiscard]] status save(const std::string& path) const;

  /// Reads and verifies `path`; errors start with the path.
  static result<checkpoint> load(const std::string& path);

 private:
  enum class kind : std::uint8_t { f32 = 1, f64 = 2, i64 = 3, str = 4 };
  struct entry {
    kind type;
    std::vector<std::uint8_t> bytes;
  };
  [[nodiscard]] result<const entry*> find(const std::string& name, kind type) const;
  std::map<std::string, entry> entries_;
};

}  // namespace sgp::core
