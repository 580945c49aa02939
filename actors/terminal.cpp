// Implementation of the progress line (see terminal.hpp).
#include "actors/terminal.hpp"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <string_view>

#include "core/log.hpp"

namespace sgp::actors {
namespace {

struct progress_state {
  std::mutex mutex;
  std::function<void(const terminal_line&)> sink;
  bool open = false;  ///< a tty line drawn without its newline
  std::string last;   ///< the open line's text
};

progress_state& state() {
  static progress_state s;
  return s;
}

bool stderr_is_tty() {
  static const bool tty = ::isatty(STDERR_FILENO) != 0;
  return tty;
}

}  // namespace

void show_progress(const std::string& text) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.sink) {
    s.sink({terminal_line::kind::progress, text});
    return;
  }
  if (stderr_is_tty()) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    s.open = true;
    s.last = text;
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
}

void end_progress() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.sink) {
    s.sink({terminal_line::kind::end, {}});
    return;
  }
  if (s.open) std::fputs("\n", stderr);
  s.open = false;
}

void show_message(const std::string& text) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.sink) {
    s.sink({terminal_line::kind::message, text});
    return;
  }
  if (s.open) {
    std::fprintf(stderr, "\r\033[K%s\n%s", text.c_str(), s.last.c_str());
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
}

void show_messagef(const char* format, ...) {
  char text[1024];
  std::va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof(text), format, args);
  va_end(args);
  show_message(text);
}

void set_progress_sink(std::function<void(const terminal_line&)> sink) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (sink && s.open) std::fputs("\n", stderr);  // the console starts below it
  s.open = false;
  s.sink = std::move(sink);
}

void route_log_through_terminal() {
  core::set_log_sink([](std::string_view line) { show_message(std::string(line)); });
}

}  // namespace sgp::actors
