// Implementation of the stop signals (see stop_signals.hpp).
#include "apps/stop_signals.hpp"

#include <unistd.h>

#include <csignal>
#include <initializer_list>

namespace sgp::apps {
namespace {

std::atomic<int> received{0};
static_assert(std::atomic<int>::is_always_lock_free, "used in a signal handler");

extern "C" void on_stop_signal(int sig) {
  int expected = 0;
  if (!received.compare_exchange_strong(expected, sig)) ::_exit(128 + sig);  // the second one
}

}  // namespace

void ignore_sigpipe() {
  std::signal(SIGPIPE, SIG_IGN);
}

void install_stop_signals() {
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(sig, &action, nullptr);
  }
}

const std::atomic<int>& stop_signal() {
  return received;
}

}  // namespace sgp::apps
