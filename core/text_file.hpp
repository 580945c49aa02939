// Checked text output for the run directory: every write, flush and close
// is checked, and a failure (a full disk, a closed pipe) is an error that
// names the file. Used for metrics.jsonl and summary.json.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace sgp::core {

/// A file of lines, opened for appending (or truncated), written through
/// stdio's buffer; the first failed write makes every later call fail too.
class line_file {
 public:
  /// Opens `path` for appending; a file that does not end in a newline
  /// gets one first, so that the next line starts on a line of its own.
  [[nodiscard]] status open_append(const std::string& path);
  /// Opens `path` empty.
  [[nodiscard]] status open_truncate(const std::string& path);
  /// Writes `line` and a newline.
  [[nodiscard]] status write_line(const std::string& line);
  /// Hands the buffered lines to the system.
  [[nodiscard]] status flush();
  /// Flushes and closes; the file is closed whatever the outcome.
  [[nodiscard]] status close();
  [[nodiscard]] bool is_open() const { return file_ != nullptr; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  struct closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  [[nodiscard]] status open(const std::string& path, const char* mode);
  [[nodiscard]] status failed(const char* what);

  std::unique_ptr<std::FILE, closer> file_;
  std::string path_;
  std::optional<error> error_;  ///< the first failure, sticky
};

/// Writes `text` and a newline to `path` atomically: a temporary file next
/// to it, flushed and closed with every step checked, then renamed.
[[nodiscard]] status write_file_atomically(const std::string& path, const std::string& text);

/// Writes `bytes` (no newline added) to `path` atomically, as
/// write_file_atomically does: for binary files.
[[nodiscard]] status write_bytes_atomically(const std::string& path, const std::string& bytes);

}  // namespace sgp::core
