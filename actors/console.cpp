// Implementation of the interactive console (see console.hpp).
#include "actors/console.hpp"

#include <editline/readline.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "actors/messages.hpp"

namespace sgp::actors {
namespace {

/// Flushes stdout; false (said once on stderr) when its reader has gone
/// (EPIPE: SIGPIPE is ignored) or another write error happened.
bool stdout_writable() {
  if (std::fflush(stdout) == 0 && std::ferror(stdout) == 0) return true;
  std::fprintf(stderr, "console: stdout: write failed (%s): replies are no longer shown\n",
               std::strerror(errno));
  return false;
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
  std::fprintf(stderr, "console: type 'help' for commands; Ctrl-D closes the console\n");
  using_history();
  bool prompted = false;
  bool stdout_open = true;
  while (!stop.load()) {
    if (!prompted && stdout_open) {
      std::fputs("sgp> ", stdout);
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
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    add_history(line.c_str());
    const std::string reply = console_request(sys, supervisor, line);
    if (!stdout_open) continue;  // commands still work, replies go nowhere
    std::printf("%s\n", reply.c_str());
    stdout_open = stdout_writable();
  }
}

}  // namespace sgp::actors
