// Implementation of `sgp console HOST:PORT` (see remote_console.hpp).
#include "apps/remote_console.hpp"

#include <httplib.h>

#include <cstdlib>
#include <istream>
#include <ostream>

#include "apps/status_table.hpp"
#include "core/command.hpp"
#include "core/endpoint.hpp"

namespace sgp::apps {
namespace {

// A console must not hang on a server that is gone: seconds, not minutes.
constexpr int connect_timeout_s = 3;
constexpr int read_timeout_s = 10;  // a command waits up to 5 s on the supervisor
const char* const refused_text = "refused: wrong or missing secret (set SGP_SECRET)";

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string with_newline(std::string s) {
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

/// "HOST:PORT" for messages, brackets around an IPv6 address.
std::string address_text(const core::endpoint& e) {
  const bool v6 = e.host.find(':') != std::string::npos;
  return (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

class remote_console {
 public:
  remote_console(const core::endpoint& e, std::ostream& out, std::ostream& err)
      : address_(address_text(e)), client_(e.host, e.port), out_(out), err_(err) {
    client_.set_connection_timeout(connect_timeout_s, 0);
    client_.set_read_timeout(read_timeout_s, 0);
    client_.set_write_timeout(read_timeout_s, 0);
    if (const char* s = std::getenv("SGP_SECRET")) secret_ = s;
  }

  /// Checks that the server answers; false (and a message) when it does not.
  bool connect() {
    auto r = client_.Get("/status.json");
    if (!r) return unreachable(r.error());
    err_ << "console: connected to " << address_ << " (status page http://" << address_
         << "/); type 'help' for commands, 'quit' or Ctrl-D to leave\n";
    if (secret_.empty()) {
      err_ << "console: SGP_SECRET is not set: only 'status' and 'help' will work\n";
    }
    return true;
  }

  /// Runs one console line; false when the server cannot be reached.
  bool run(const std::string& line) {
    if (line == "help") {
      out_ << core::command_help() << "quit                            leave the console\n";
      return true;
    }
    if (line == "status") return status();
    return command(line);
  }

 private:
  bool unreachable(httplib::Error e) {
    err_ << "console: cannot reach " << address_ << " (" << httplib::to_string(e)
         << " error): is `sgp train` running there with output.http = \"" << address_ << "\"?\n";
    return false;
  }

  bool status() {
    auto r = client_.Get("/status.json");
    if (!r) return unreachable(r.error());
    if (r->status != 200) {
      out_ << "server: HTTP " << r->status << ": " << with_newline(trimmed(r->body));
      return true;
    }
    auto table = render_status_table(r->body);
    if (!table.ok()) {
      out_ << "server: unexpected status: " << table.err().message << '\n';
      return true;
    }
    out_ << *table;
    return true;
  }

  bool command(const std::string& line) {
    httplib::Headers headers;
    // The header the server reads first (actors/http_server.cpp: presented_secret).
    if (!secret_.empty()) headers.emplace("X-SGP-Secret", secret_);
    auto r = client_.Post("/command", headers, line, "text/plain");
    if (!r) return unreachable(r.error());
    if (r->status == 401 || r->status == 403) {
      out_ << refused_text << '\n';
    } else if (r->status != 200) {
      out_ << "server: HTTP " << r->status << ": " << with_newline(trimmed(r->body));
    } else {
      out_ << with_newline(r->body);
    }
    return true;
  }

  std::string address_;
  httplib::Client client_;
  std::ostream& out_;
  std::ostream& err_;
  std::string secret_;
};

}  // namespace

int run_remote_console(const std::string& endpoint_text, std::istream& in, std::ostream& out,
                       std::ostream& err) {
  const auto endpoint = core::parse_endpoint(endpoint_text);
  if (!endpoint.ok()) {
    err << "console: " << endpoint_text << ": " << endpoint.err().message << '\n';
    return 1;
  }
  if (endpoint->port == 0) {
    err << "console: " << endpoint_text << ": give the server's port (HOST:PORT)\n";
    return 1;
  }
  remote_console console(*endpoint, out, err);
  if (!console.connect()) return 1;
  std::string line;
  while (std::getline(in, line)) {
    line = trimmed(line);
    if (line.empty()) continue;
    if (line == "quit" || line == "exit") break;
    if (!console.run(line)) return 1;
    out.flush();
  }
  return 0;
}

}  // namespace sgp::apps
