// Implementation of HOST:PORT parsing (see endpoint.hpp).
#include "core/endpoint.hpp"

#include <charconv>

namespace sgp::core {

result<endpoint> parse_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return make_error("expected HOST:PORT, e.g. \"127.0.0.1:8080\"");
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return make_error("expected [IPV6]:PORT");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return make_error("an IPv6 address needs brackets: [::1]:8080");
  }
  int value = -1;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value < 0 || value > 65535) {
    return make_error("port must be an integer in [0, 65535], got \"" + std::string(port) + "\"");
  }
  return endpoint{std::string(host), value};
}

bool is_loopback(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 written as a dotted address (not a name such as "127.example.com").
  if (!host.starts_with("127.")) return false;
  return host.find_first_not_of("0123456789.") == std::string_view::npos;
}

}  // namespace sgp::core
