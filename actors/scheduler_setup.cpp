// Implementation of the scheduler set-up (see scheduler_setup.hpp).
#include "actors/scheduler_setup.hpp"

#include <caf/atom.hpp>

#include <algorithm>

#include "actors/message_types.hpp"

namespace sgp::actors {

std::size_t scheduler_threads(std::size_t hardware_threads, std::size_t processes_on_host) {
  // CAF's own default for a process alone: the hardware's count, at least 4.
  const std::size_t alone = std::max<std::size_t>(hardware_threads, 4);
  return std::max<std::size_t>(2, alone / std::max<std::size_t>(processes_on_host, 1));
}

scheduler_setup scheduler_alone(int actor_threads, config::actor_polling polling) {
  scheduler_setup s;
  s.threads = static_cast<std::size_t>(std::max(actor_threads, 0));
  s.quiet = polling == config::actor_polling::quiet;
  if (s.threads > 0) s.why = std::to_string(s.threads) + " actor threads (cluster.actor_threads)";
  if (s.quiet) s.why += std::string(s.why.empty() ? "" : ", ") + "quiet (cluster.actor_polling)";
  return s;
}

scheduler_setup scheduler_in_cluster(int actor_threads, config::actor_polling polling,
                                     std::size_t hardware_threads, std::size_t processes_on_host) {
  scheduler_setup s;
  const bool given = actor_threads > 0;
  s.threads = given ? static_cast<std::size_t>(actor_threads)
                    : scheduler_threads(hardware_threads, processes_on_host);
  const bool crowded = processes_on_host > 1 &&
                       processes_on_host * s.threads > std::max<std::size_t>(hardware_threads, 1);
  s.quiet = polling == config::actor_polling::quiet ||
            (polling == config::actor_polling::automatic && crowded);
  if (given) {
    s.why = std::to_string(s.threads) + " actor threads (cluster.actor_threads)";
  } else if (processes_on_host > 1) {
    s.why = std::to_string(processes_on_host) +
            " processes of the cluster on this host: " + std::to_string(s.threads) +
            " actor threads each";
  }
  if (s.quiet) {
    s.why += std::string(s.why.empty() ? "" : ", ") +
             (polling == config::actor_polling::quiet
                  ? "quiet (cluster.actor_polling)"
                  : "quiet: more than the host's " + std::to_string(hardware_threads) +
                        " hardware threads (cluster.actor_polling = \"auto\")");
  }
  return s;
}

void configure_actor_system(caf::actor_system_config& cfg, const scheduler_setup& setup) {
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  if (setup.threads > 0) cfg.set("scheduler.max-threads", setup.threads);
  if (setup.quiet) {
    // Straight to the relaxed phase: a thread sleeps on its queue's
    // condition variable (woken by work enqueued to it) and tries to steal
    // every relaxed-sleep-duration (10 ms). The polling phases spin or nap
    // 50 µs at a time on every idle thread, which on a crowded host takes
    // the cores that the other processes' compute and I/O need.
    cfg.set("work-stealing.aggressive-poll-attempts", std::size_t{0});
    cfg.set("work-stealing.moderate-poll-attempts", std::size_t{0});
  }
  add_message_types(cfg);
}

}  // namespace sgp::actors
