// An application of its own that embeds the sgp runtime: it owns the CAF
// actor system, spawns a training group next to its own actors, and drives
// it by messages: a watcher actor polls the group's status and injects a
// link failure and its repair while training runs; the main thread waits
// for the summary.
//
//   sgp_embed_example [CONFIG]   (default: a small synthetic 4-node OSGP run)
#include <caf/all.hpp>

#include <cstdio>
#include <string>

#include "actors/training_group.hpp"
#include "config/config.hpp"
#include "core/nccl_env.hpp"

namespace {

using namespace std::chrono_literals;
using sgp::actors::command_atom;

/// Polls the group's status every 300 ms; takes link 0-1 down on its third
/// poll and up again on its sixth.
caf::behavior watcher(caf::event_based_actor* self, caf::actor supervisor) {
  auto polls = std::make_shared<int>(0);
  self->send(self, sgp::actors::tick_atom::value);
  return {
      [=](sgp::actors::tick_atom) {
        ++*polls;
        std::string line = *polls == 3 ? "link down 0 1" : *polls == 6 ? "link up 0 1" : "status";
        self->request(supervisor, 5s, command_atom::value, line)
            .then([=](const std::string& reply) {
              std::printf("[watcher] %s -> %s\n", line.c_str(),
                          reply.substr(0, reply.find('\n', reply.find('\n') + 1)).c_str());
            });
        self->delayed_send(self, 300ms, sgp::actors::tick_atom::value);
      },
  };
}

}  // namespace

int main(int argc, char** argv) {
  // NVLink multicast stays off wherever sgp runs (before any thread starts).
  sgp::core::disable_nvlink_multicast();
  auto cfg = argc > 1 ? sgp::config::load_file(argv[1])
                      : sgp::config::load_string(
                            "[run]\ndir = \"runs/embed-example\"\n[cluster]\nnodes = 4\n"
                            "[model]\nname = \"cnn\"\n[data]\nname = \"synthetic\"\n"
                            "batch_size = 16\nsynthetic_train_samples = 4096\n"
                            "[schedule]\nepochs = 2\n[algorithm]\nname = \"osgp\"\n"
                            "[output]\nprogress = false\n",
                            "embedded");
  if (!cfg.ok()) {
    std::fprintf(stderr, "embed_example: %s\n", cfg.err().message.c_str());
    return 1;
  }
  caf::actor_system_config sys_cfg;
  sys_cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf::actor_system sys{sys_cfg};
  auto group = sgp::actors::spawn_training_group(sys, *cfg);
  if (!group.ok()) {
    std::fprintf(stderr, "embed_example: %s\n", group.err().message.c_str());
    return 1;
  }
  auto watch = sys.spawn(watcher, group->supervisor);
  int rc = 1;
  caf::scoped_actor self{sys};
  self->request(group->supervisor, caf::infinite, sgp::actors::start_atom::value)
      .receive(
          [&](const sgp::actors::run_summary& s) {
            std::printf(
                "trained %d nodes for %llu iterations: averaged model %.2f%%, weight %.12g "
                "of %.12g\n",
                s.nodes, static_cast<unsigned long long>(s.iterations),
                100.0 * s.test_accuracy_mean_model, s.total_weight, s.expected_total_weight);
            rc = 0;
          },
          [&](const caf::error& e) {
            std::fprintf(stderr, "embed_example: %s\n", sys.render(e).c_str());
          });
  self->send_exit(watch, caf::exit_reason::user_shutdown);
  return rc;
}
