// Implementation of the interactive console (see console.hpp).
//
// On a terminal, libedit's callback interface keeps the tty in raw mode
// while a line is edited: keys are handled as they come (arrows, history),
// nothing is echoed twice, and the progress line is drawn above the prompt
// by this thread (libedit is not thread-safe), with the prompt and the text
// typed so far redrawn under it. Other input (a pipe, a file) is read line
// by line.
#include "actors/console.hpp"

#include <editline/readline.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "actors/messages.hpp"
#include "actors/terminal.hpp"
#include "core/log.hpp"

namespace sgp::actors {
namespace {

constexpr const char* prompt = "sgp> ";
constexpr const char* ended_text = "the run has ended: commands are no longer taken";

/// Flushes stdout; false (said once on stderr) when its reader has gone
/// (EPIPE: SIGPIPE is ignored) or another write error happened.
bool stdout_writable() {
  if (std::fflush(stdout) == 0 && std::ferror(stdout) == 0) return true;
  core::logf(core::log_level::warn, "console", {},
             "stdout: write failed (%s): replies are no longer shown", std::strerror(errno));
  return false;
}

bool blank(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos;
}

/// Sends a line unless the run has ended; the reply to print.
std::string answer(caf::actor_system& sys, const caf::actor& supervisor,
                   const std::atomic<bool>& stop, const std::string& line) {
  if (stop.load()) return ended_text;
  std::string reply = console_request(sys, supervisor, line);
  // The supervisor went while the request was on its way.
  if (stop.load() && reply.rfind("error: ", 0) == 0) return ended_text;
  return reply;
}

/// The line-by-line console for input that is not a terminal.
void run_line_console(caf::actor_system& sys, const caf::actor& supervisor,
                      const std::atomic<bool>& stop) {
  bool prompted = false;
  bool stdout_open = true;
  while (!stop.load()) {
    if (!prompted && stdout_open) {
      std::fputs(prompt, stdout);
      stdout_open = stdout_writable();
      prompted = true;
    }
    // Wait for input without blocking the end of training for ever.
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    if (::poll(&fd, 1, 200) <= 0) continue;
    prompted = false;
    char* raw = readline("");
    if (raw == nullptr) break;  // end of input
    const std::string line(raw);
    std::free(raw);
    if (blank(line)) continue;
    add_history(line.c_str());
    const std::string reply = answer(sys, supervisor, stop, line);
    if (!stdout_open) continue;  // commands still work, replies go nowhere
    std::printf("%s\n", reply.c_str());
    stdout_open = stdout_writable();
  }
}

/// The terminal console's state, reached from libedit's line callback
/// (which takes no user data).
struct tty_console {
  caf::actor_system* sys = nullptr;
  const caf::actor* supervisor = nullptr;
  const std::atomic<bool>* stop = nullptr;
  bool closed = false;
  /// The last thing drawn above the prompt line is the progress line: the
  /// next one replaces it rather than adding a line.
  bool progress_above = false;
  std::mutex mutex;  ///< guards pending (written by the supervisor's thread)
  /// Lines not drawn yet (of consecutive progress lines, the latest).
  std::vector<terminal_line> pending;
  std::string progress;  ///< the progress line drawn last
};

tty_console* active = nullptr;

/// Called by libedit with a finished line (null at Ctrl-D on an empty
/// line). libedit has left raw mode: the reply prints as usual.
void on_line(char* raw) {
  auto& c = *active;
  if (raw == nullptr) {
    c.closed = true;
    std::fputs("\r\033[K", stdout);  // the prompt and the ^D libedit drew
    return;
  }
  const std::string line(raw);
  std::free(raw);
  if (!blank(line)) {
    add_history(line.c_str());
    const std::string reply = answer(*c.sys, *c.supervisor, *c.stop, line);
    std::printf("%s\n", reply.c_str());
    c.progress_above = false;
  }
  std::fflush(stdout);
  // libedit's callback mode ends with the line: install it again for the
  // next one (this also shows the prompt).
  rl_callback_handler_install(prompt, on_line);
}

/// The terminal's width (80 when it cannot be told).
std::size_t terminal_columns() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1) return size.ws_col;
  return 80;
}

/// Draws a progress line or a message above the prompt (a message above
/// the progress line) and redraws the prompt and the text typed so far.
void draw(tty_console& c, const terminal_line& line) {
  if (line.what == terminal_line::kind::end) {
    c.progress_above = false;  // the next progress line goes under this one
    return;
  }
  // Clear the prompt line; the progress line above it too if it is there.
  std::fputs(c.progress_above ? "\r\033[K\033[A\r\033[K" : "\r\033[K", stdout);
  if (line.what == terminal_line::kind::message) {
    std::printf("%s\r\n", line.text.c_str());
    if (c.progress_above) std::printf("%s\r\n", c.progress.c_str());
  } else {
    // One screen row, so that the next redraw (one row up) replaces it.
    c.progress = line.text.substr(0, terminal_columns() - 1);
    std::printf("%s\r\n", c.progress.c_str());
    c.progress_above = true;
  }
  std::fflush(stdout);
  rl_forced_update_display();
}

void run_tty_console(caf::actor_system& sys, const caf::actor& supervisor,
                     const std::atomic<bool>& stop) {
  tty_console c;
  c.sys = &sys;
  c.supervisor = &supervisor;
  c.stop = &stop;
  active = &c;
  set_progress_sink([&c](const terminal_line& line) {
    std::lock_guard lock(c.mutex);
    const auto progress = terminal_line::kind::progress;
    if (line.what == progress && !c.pending.empty() && c.pending.back().what == progress) {
      c.pending.back() = line;
    } else {
      c.pending.push_back(line);
    }
  });
  rl_callback_handler_install(prompt, on_line);
  auto take_pending = [&c] {
    std::lock_guard lock(c.mutex);
    std::vector<terminal_line> lines;
    lines.swap(c.pending);
    return lines;
  };
  while (!stop.load() && !c.closed) {
    pollfd fd{STDIN_FILENO, POLLIN, 0};
    const int ready = ::poll(&fd, 1, 100);
    if (ready > 0 && (fd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0 &&
        (fd.revents & POLLIN) == 0) {
      c.closed = true;  // the terminal went
      break;
    }
    if (ready > 0) rl_callback_read_char();
    if (c.closed) break;
    for (const auto& line : take_pending()) draw(c, line);
  }
  rl_callback_handler_remove();  // back to cooked mode
  set_progress_sink({});
  if (c.closed) {
    std::fputs("console: closed (the run goes on; Ctrl-C stops it)\n", stdout);
  } else {
    std::fputs("\r\033[K", stdout);  // the run ended: the prompt goes
  }
  // The progress lines the console had not drawn yet.
  for (const auto& line : take_pending()) {
    switch (line.what) {
      case terminal_line::kind::progress:
        show_progress(line.text);
        break;
      case terminal_line::kind::end:
        end_progress();
        break;
      case terminal_line::kind::message:
        show_message(line.text);
        break;
    }
  }
  std::fflush(stdout);
  active = nullptr;
}

}  // namespace

std::string console_request(caf::actor_system& sys, const caf::actor& supervisor,
                            const std::string& line) {
  caf::scoped_actor self{sys};
  std::string reply;
  self->request(supervisor, std::chrono::seconds(10), command_atom::value, line)
      .receive([&](const std::string& text) { reply = text; },
               [&](const caf::error& e) { reply = "error: " + sys.render(e); });
  return reply;
}

void run_console(caf::actor_system& sys, const caf::actor& supervisor,
                 const std::atomic<bool>& stop) {
  core::log(core::log_level::info, "console",
            "type 'help' for commands; Ctrl-D closes the console");
  using_history();
  if (::isatty(STDIN_FILENO) != 0 && ::isatty(STDOUT_FILENO) != 0) {
    run_tty_console(sys, supervisor, stop);
  } else {
    run_line_console(sys, supervisor, stop);
  }
}

}  // namespace sgp::actors
