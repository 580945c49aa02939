// Implementation of the status page's HTTP server (see http_server.hpp).
#include "actors/http_server.hpp"
#include <cstdlib>
#include "actors/terminal.hpp"
#include "core/endpoint.hpp"

#include <httplib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "actors/messages.hpp"
#include "core/cluster_status.hpp"
#include "core/log.hpp"
#include "core/secret.hpp"

namespace sgp::actors {
namespace {

constexpr auto supervisor_timeout = std::chrono::seconds(5);
constexpr std::size_t max_command_bytes = 4096;

/// The supervisor's snapshot, or an error text.
core::result<core::cluster_status> ask_status(caf::actor_system& sys, const caf::actor& sup) {
  caf::scoped_actor self{sys};
  core::result<core::cluster_status> out = core::make_error("no answer");
  self->request(sup, supervisor_timeout, status_atom::value)
      .receive([&](const core::cluster_status& s) { out = s; },
               [&](const caf::error& e) { out = core::make_error(sys.render(e)); });
  return out;
}

core::result<std::string> ask_command(caf::actor_system& sys, const caf::actor& sup,
                                      const std::string& line) {
  caf::scoped_actor self{sys};
  core::result<std::string> out = core::make_error("no answer");
  self->request(sup, supervisor_timeout, command_atom::value, line)
      .receive([&](const std::string& text) { out = text; },
               [&](const caf::error& e) { out = core::make_error(sys.render(e)); });
  return out;
}

/// The secret a request presents: "X-SGP-Secret: S" or "Authorization: Bearer S".
std::string presented_secret(const httplib::Request& req) {
  if (req.has_header("X-SGP-Secret")) return req.get_header_value("X-SGP-Secret");
  const auto auth = req.get_header_value("Authorization");
  constexpr std::string_view bearer = "Bearer ";
  if (auth.size() > bearer.size() && auth.compare(0, bearer.size(), bearer) == 0) {
    return auth.substr(bearer.size());
  }
  return {};
}

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

struct http_server::impl {
  caf::actor_system& sys;
  caf::actor supervisor;
  http_options options;
  httplib::Server server;
  std::thread thread;
  int port = 0;

  impl(caf::actor_system& s, caf::actor sup, http_options o)
      : sys(s), supervisor(std::move(sup)), options(std::move(o)) {}

  void routes() {
    // httplib serves a connection per thread, and a browser opens several
    // (some only speculatively): enough threads, and idle ones let go soon,
    // or a page's requests wait behind connections that send nothing.
    server.new_task_queue = [] { return new httplib::ThreadPool(8); };
    server.set_keep_alive_timeout(1);
    server.set_read_timeout(2, 0);
    server.set_payload_max_length(max_command_bytes);
    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      res.set_content(status_page_html(), "text/html; charset=utf-8");
    });
    server.Get("/status.json", [this](const httplib::Request&, httplib::Response& res) {
      auto s = ask_status(sys, supervisor);
      res.set_header("Cache-Control", "no-store");
      if (!s.ok()) {
        res.status = 503;
        res.set_content("supervisor: " + s.err().message + "\n", "text/plain");
        return;
      }
      res.set_content(core::to_json(*s), "application/json");
    });
    server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      auto s = ask_status(sys, supervisor);
      if (!s.ok()) {
        res.status = 503;
        res.set_content("supervisor: " + s.err().message + "\n", "text/plain");
        return;
      }
      res.set_content(core::to_prometheus(*s), "text/plain; version=0.0.4");
    });
    server.Post("/command", [this](const httplib::Request& req, httplib::Response& res) {
      const std::string peer = req.remote_addr + ":" + std::to_string(req.remote_port);
      if (options.secret.empty()) {
        core::logf(core::log_level::warn, "http", {}, "refused a command from %s: no secret is set",
                   peer.c_str());
        res.status = 403;
        res.set_content("commands are off: set output.http_secret or SGP_SECRET\n", "text/plain");
        return;
      }
      if (!core::secret_matches(presented_secret(req), options.secret)) {
        // The presented value is never logged: it may be a mistyped secret.
        core::logf(core::log_level::warn, "http", {},
                   "refused a command from %s: missing or wrong secret", peer.c_str());
        res.status = 401;
        res.set_header("WWW-Authenticate", "Bearer");
        res.set_content("a command needs the secret (X-SGP-Secret header)\n", "text/plain");
        return;
      }
      const std::string line = trimmed(req.body);
      if (line.empty() || line.find('\n') != std::string::npos) {
        res.status = 400;
        res.set_content("the body is one console line, e.g. 'kill 3'\n", "text/plain");
        return;
      }
      auto reply = ask_command(sys, supervisor, line);
      if (!reply.ok()) {
        res.status = 503;
        res.set_content("supervisor: " + reply.err().message + "\n", "text/plain");
        return;
      }
      core::logf(core::log_level::info, "http", {}, "%s: %s: %s", peer.c_str(), line.c_str(),
                 reply->substr(0, reply->find('\n')).c_str());
      res.set_content(*reply, "text/plain; charset=utf-8");
    });
  }
};

http_server::http_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

http_server::~http_server() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int http_server::port() const {
  return impl_->port;
}

core::result<std::unique_ptr<http_server>> http_server::start(caf::actor_system& sys,
                                                              caf::actor supervisor,
                                                              http_options options) {
  auto p = std::make_unique<impl>(sys, std::move(supervisor), std::move(options));
  p->routes();
  const auto& o = p->options;
  errno = 0;
  int port = o.port;
  if (o.port == 0) {
    port = p->server.bind_to_any_port(o.host);
  } else if (!p->server.bind_to_port(o.host, o.port)) {
    port = -1;
  }
  if (port < 0) {
    const int err = errno;
    return core::make_error("output.http: cannot listen on " + o.host + ":" +
                            std::to_string(o.port) + " (" +
                            (err != 0 ? std::strerror(err) : "cannot bind") + ")");
  }
  p->port = port;
  auto* server = &p->server;
  p->thread = std::thread([server] { server->listen_after_bind(); });
  return std::unique_ptr<http_server>(new http_server(std::move(p)));
}

core::result<std::unique_ptr<http_server>> start_status_page(caf::actor_system& sys,
                                                             const caf::actor& supervisor,
                                                             const config::config& cfg) {
  if (cfg.output.http.empty()) return std::unique_ptr<http_server>{};
  auto where = core::parse_endpoint(cfg.output.http);
  if (!where.ok()) return core::make_error("output.http: " + where.err().message);
  http_options o;
  o.host = where->host;
  o.port = where->port;
  o.secret = cfg.output.http_secret;
  if (const char* env = std::getenv("SGP_SECRET"); o.secret.empty() && env != nullptr) {
    o.secret = env;
  }
  if (!core::is_loopback(o.host) && o.secret.empty()) {
    return core::make_error("output.http: binding to " + o.host +
                            " (not loopback) needs a secret: set output.http_secret or SGP_SECRET");
  }
  auto server = http_server::start(sys, supervisor, o);
  if (!server.ok()) return server.err();
  std::fprintf(
      stderr, "http: status page on http://%s:%d/ (%s)\n",
      o.host.find(':') != std::string::npos ? ("[" + o.host + "]").c_str() : o.host.c_str(),
      (*server)->port(),
      o.secret.empty() ? "read-only: no secret set" : "commands need the secret");
  return server;
}

}  // namespace sgp::actors
