// "HOST:PORT" addresses for the status page's HTTP server (output.http).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sgp::core {

struct endpoint {
  std::string host;  ///< as given, brackets of "[::1]" removed
  int port = 0;      ///< 0: any free port
};

/// Parses "127.0.0.1:8080", "localhost:0", "[::1]:8080", "0.0.0.0:8080".
result<endpoint> parse_endpoint(std::string_view text);

/// True for "localhost", 127.0.0.0/8 and ::1: only this machine can connect.
bool is_loopback(std::string_view host);

}  // namespace sgp::core
