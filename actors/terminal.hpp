// The terminal's progress line, shared by the supervisor (which writes it)
// and the interactive console (which draws it above its prompt, so that a
// redraw never erases what is being typed).
#pragma once

#include <functional>
#include <string>

namespace sgp::actors {

/// What the console is handed to draw above its prompt.
struct terminal_line {
  enum class kind { progress, end, message };
  kind what = kind::progress;
  std::string text;  ///< empty for `end`
};

/// Shows `text` as the progress line: redrawn in place on a terminal, one
/// line each call otherwise, or handed to the console while one draws it.
void show_progress(const std::string& text);

/// Ends the progress line (the next output starts on a fresh line).
void end_progress();

/// Prints a one-line message (a fault, a node that died) on stderr above
/// the progress line, which stays below it.
void show_message(const std::string& text);

/// show_message with printf formatting.
[[gnu::format(printf, 1, 2)]] void show_messagef(const char* format, ...);

/// While set, progress lines and messages go to `sink` instead of stderr
/// (the console draws them on its own thread); an empty function gives
/// them back.
void set_progress_sink(std::function<void(const terminal_line&)> sink);

/// Makes the logging facade (core/log.hpp) write its lines with
/// show_message, so that they print above the progress line and the
/// console's prompt instead of through them.
void route_log_through_terminal();

}  // namespace sgp::actors
