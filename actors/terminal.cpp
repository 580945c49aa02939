// Implementation of the progress line (see terminal.hpp).
#include "actors/terminal.hpp"

#include <unistd.h>

#include <cstdio>
#include <mutex>

namespace sgp::actors {
namespace {

struct progress_state {
  std::mutex mutex;
  std::function<void(const std::string&)> sink;
  bool open = false;  ///< a tty line drawn without its newline
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
    s.sink(text);
    return;
  }
  if (stderr_is_tty()) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    s.open = true;
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
}

void end_progress() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.sink) {
    s.sink("");
    return;
  }
  if (s.open) std::fputs("\n", stderr);
  s.open = false;
}

void set_progress_sink(std::function<void(const std::string&)> sink) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (sink && s.open) std::fputs("\n", stderr);  // the console starts below it
  s.open = false;
  s.sink = std::move(sink);
}

}  // namespace sgp::actors
