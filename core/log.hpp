// The logging facade: every diagnostic line of the program goes through
// here, filtered by one process-wide level, with the node, iteration and
// process it concerns rendered on the line where the caller knows them:
//
//   [process p1 node 3 it 120] warn: supervisor: node 3 died (killed)
//
// Lines go to a sink: stderr by default; the program routes them through
// the terminal (actors/terminal.hpp) so that they print above the progress
// line and the console's prompt. One line reaches the sink whole: writers
// on several threads never interleave within a line.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sgp::core {

enum class log_level { debug = 0, info = 1, warn = 2, error = 3 };

/// "debug", "info", "warn", "error".
std::string_view log_level_name(log_level level);

/// The level named `name` ("debug", "info", "warn", "error"), else nullopt.
std::optional<log_level> parse_log_level(std::string_view name);

/// What a line is about; an unset field is left out of the line.
struct log_context {
  int node = -1;               ///< < 0: not about one node
  long long iteration = -1;    ///< < 0: not at one iteration
  std::string_view process{};  ///< empty: the process-wide name, if set
};

/// The minimum level written (process-wide; `info` until set).
log_level log_threshold();
void set_log_threshold(log_level level);

/// True when a line at `level` would be written (skip costly formatting).
bool log_enabled(log_level level);

/// The process name put on every line whose context names none (a cluster
/// process sets its own); empty: none.
void set_log_process(std::string name);

/// Receives each line, without its '\n', one call at a time (the facade
/// serialises the calls). A sink must not log.
using log_sink = std::function<void(std::string_view line)>;

/// Replaces the sink; an empty function restores stderr. Returns the old one.
log_sink set_log_sink(log_sink sink);

/// The line `log` writes, without '\n': "[context] level: subsystem: message",
/// where "[context] " is left out when empty, "level: " for info, and
/// "subsystem: " when `subsystem` is empty.
std::string format_log_line(log_level level, std::string_view subsystem, std::string_view message,
                            const log_context& context, std::string_view process_default = {});

/// Writes one line at `level` if the threshold lets it through.
void log(log_level level, std::string_view subsystem, std::string_view message,
         const log_context& context = {});

/// `log` with printf formatting.
[[gnu::format(printf, 4, 5)]] void logf(log_level level, std::string_view subsystem,
                                        const log_context& context, const char* format, ...);

}  // namespace sgp::core
