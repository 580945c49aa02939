// The interactive console: reads commands on the terminal (line editing and
// history by libedit) and sends them to a supervisor, printing its replies.
#pragma once

#include <caf/all.hpp>

#include <atomic>
#include <string>

namespace sgp::actors {

/// Reads lines until end of input or `stop` becomes true; each line goes to
/// `supervisor` as (command_atom, line) and the reply is printed.
void run_console(caf::actor_system& sys, const caf::actor& supervisor,
                 const std::atomic<bool>& stop);

/// Sends one console line to `supervisor` and returns its reply (or the error).
std::string console_request(caf::actor_system& sys, const caf::actor& supervisor,
                            const std::string& line);

}  // namespace sgp::actors
