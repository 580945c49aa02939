// The status page's HTTP server (output.http): serves the page, GET
// /status.json, GET /metrics and POST /command on threads of its own. It
// never touches actor state: every answer is a request to the supervisor.
// httplib stays in http_server.cpp.
#pragma once

#include <caf/all.hpp>

#include <memory>
#include <string>

#include "config/config.hpp"
#include "core/result.hpp"

namespace sgp::actors {

struct http_options {
  std::string host = "127.0.0.1";
  int port = 0;        ///< 0: any free port (port() says which)
  std::string secret;  ///< POST /command needs it; empty: commands are refused
};

class http_server {
 public:
  /// Binds HOST:PORT and serves until destroyed. The error names output.http.
  static core::result<std::unique_ptr<http_server>> start(caf::actor_system& sys,
                                                          caf::actor supervisor,
                                                          http_options options);
  ~http_server();  ///< stops serving and joins its threads
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// The port it listens on.
  [[nodiscard]] int port() const;

  struct impl;

 private:
  explicit http_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// The status page: HTML, CSS, JavaScript and SVG in one document.
const char* status_page_html();

/// The status page of `supervisor` (anything answering status_atom and
/// command_atom) when cfg.output.http is set, else null; the address, the
/// secret (output.http_secret or SGP_SECRET) and the line it prints.
core::result<std::unique_ptr<http_server>> start_status_page(caf::actor_system& sys,
                                                             const caf::actor& supervisor,
                                                             const config::config& cfg);

}  // namespace sgp::actors
