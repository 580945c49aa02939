// Implementation of the interactive console (see console.hpp).
#include "actors/console.hpp"

#include <editline/readline.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "actors/messages.hpp"

namespace sgp::actors {

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
  while (!stop.load()) {
    if (!prompted) {
      std::fputs("sgp> ", stdout);
      std::fflush(stdout);
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
    std::printf("%s\n", console_request(sys, supervisor, line).c_str());
    std::fflush(stdout);
  }
}

}  // namespace sgp::actors
