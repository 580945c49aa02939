// `sgp console HOST:PORT`: the training console over the status page's HTTP
// server (output.http) of a run elsewhere. `status` reads GET /status.json
// and prints a table; any other line is POSTed to /command with the secret.
#pragma once

#include <iosfwd>
#include <string>

namespace sgp::apps {

/// Reads commands from `in`, a line each, until `quit` or EOF (then 0). The
/// secret comes from the environment variable SGP_SECRET (never from the
/// command line) and is never printed. A server that cannot be reached ends
/// the console with an error naming HOST:PORT on `err` and exit code 1; a
/// refused command (wrong or missing secret) is reported and the console goes on.
int run_remote_console(const std::string& endpoint_text, std::istream& in, std::ostream& out,
                       std::ostream& err);

}  // namespace sgp::apps
