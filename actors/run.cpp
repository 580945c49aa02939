// Implementation of run_training (see run.hpp).
#include "actors/run.hpp"
#include "actors/terminal.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "actors/console.hpp"
#include "actors/http_server.hpp"
#include "actors/scheduler_setup.hpp"
#include "actors/training_group.hpp"
#include "config/settings.hpp"
#include "core/endpoint.hpp"
#include "core/log.hpp"

namespace sgp::actors {
namespace {

/// The message of an error made with make_error(sec, "text"), else CAF's rendering.
std::string error_text(caf::actor_system& sys, const caf::error& e) {
  const auto& ctx = e.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0)) return ctx.get_as<std::string>(0);
  return sys.render(e);
}

/// Sends `stop` to the supervisor once `signal` is set; returns when `done`.
void watch_stop_signal(const supervisor_handle& supervisor, const std::atomic<int>& signal,
                       const std::atomic<bool>& done) {
  while (!done.load()) {
    if (const int sig = signal.load(); sig != 0) {
      core::logf(core::log_level::info, "sgp", {},
                 "%s: stopping (evaluation and summary); again to exit at once", ::strsignal(sig));
      caf::anon_send(supervisor, stop_atom::value);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

core::result<runtime::run_summary> run_training(const config::config& cfg,
                                                const run_options& options) {
  auto settings = config::resolve(cfg);
  if (!settings.ok()) return settings.err();
  const auto scheduler =
      scheduler_alone(cfg.cluster.actor_threads, settings->cluster.actor_polling);
  if (!scheduler.why.empty())
    core::logf(core::log_level::info, "sgp", {}, "%s", scheduler.why.c_str());
  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg, scheduler);
  caf::actor_system sys{sys_cfg};
  auto group = spawn_training_group(sys, cfg);
  if (!group.ok()) return group.err();
  // The status page and the console serve a cluster process's host too,
  // which is dynamically typed: they take any actor that answers their
  // requests (status_atom, command_atom).
  const auto supervisor = caf::actor_cast<caf::actor>(group->supervisor);
  auto http = start_status_page(sys, supervisor, cfg);
  if (!http.ok()) {
    caf::anon_send_exit(group->supervisor, caf::exit_reason::kill);
    return http.err();
  }

  std::atomic<bool> stop{false};
  std::thread console;
  if (options.console) {
    console = std::thread([&] { run_console(sys, supervisor, stop); });
  }
  core::result<runtime::run_summary> out = core::make_error("the run ended without a result");
  std::thread watcher;
  {
    caf::scoped_actor self{sys};
    auto handle = self->request(group->supervisor, caf::infinite, start_atom::value);
    // After the start request: the supervisor sees a stop only once it started.
    if (options.stop_signal != nullptr) {
      watcher =
          std::thread([&] { watch_stop_signal(group->supervisor, *options.stop_signal, stop); });
    }
    handle.receive([&](const runtime::run_summary& s) { out = s; },
                   [&](const caf::error& e) { out = core::make_error(error_text(sys, e)); });
  }
  stop = true;
  if (watcher.joinable()) watcher.join();
  if (console.joinable()) console.join();
  http->reset();  // before the actor system goes
  return out;
}

}  // namespace sgp::actors
