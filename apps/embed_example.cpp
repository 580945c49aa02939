// An application of its own that embeds the sgp runtime: it owns the CAF
// actor system, spawns a training group next to its own actors, and drives
// it by typed messages (actors/embedding.hpp): a watcher actor subscribes to
// the group's events, prints node 0's progress from the typed iteration
// reports, takes link 0-1 down at iteration 30 and up at 60 by typed
// commands, prints every fault and command event, and the end; the main
// thread waits for the summary.
//
//   sgp_embed_example [CONFIG]   (default: a small synthetic 4-node OSGP run)
#include <caf/all.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "actors/embedding.hpp"
#include "actors/training_group.hpp"
#include "config/config.hpp"
#include "core/nccl_env.hpp"

namespace {

using namespace std::chrono_literals;
using sgp::actors::action_event;
using sgp::actors::command_outcome;
using sgp::actors::iteration_event;
using sgp::actors::run_end;

sgp::core::command link_command(sgp::core::command_kind kind, int from, int to) {
  sgp::core::command c;
  c.kind = kind;
  c.from = from;
  c.to = to;
  return c;
}

caf::behavior watcher(caf::event_based_actor* self, sgp::actors::supervisor_handle supervisor) {
  auto reports = std::make_shared<unsigned long long>(0);
  auto act = [=](const sgp::core::command& c) {
    self->request(supervisor, 5s, sgp::actors::command_atom::value, c)
        .then([=](const command_outcome& o) {
          std::printf("[watcher] %s -> %s%s\n", sgp::core::command_line(c).c_str(),
                      o.applied ? "" : "refused: ", o.message.c_str());
        });
  };
  return {
      [=](const iteration_event& e) {
        ++*reports;
        if (e.node != 0) return;
        if (e.iteration % 20 == 0) {
          std::printf("[watcher] node 0 at iteration %llu: loss %.4f, w %.5f, comm wait %.3f s\n",
                      static_cast<unsigned long long>(e.iteration), e.loss, e.w, e.comm_wait);
        }
        if (e.iteration == 30) act(link_command(sgp::core::command_kind::link_down, 0, 1));
        if (e.iteration == 60) act(link_command(sgp::core::command_kind::link_up, 0, 1));
      },
      [=](const action_event& e) {
        std::printf("[watcher] %s (%s) at iteration %llu: %s: %s\n", e.record.event.c_str(),
                    e.record.source.c_str(), static_cast<unsigned long long>(e.record.iteration),
                    e.record.command.c_str(), e.record.result.c_str());
      },
      [=](const run_end& e) {
        std::printf("[watcher] the run %s after %llu iteration reports\n",
                    e.completed ? "completed" : ("failed: " + e.error).c_str(), *reports);
        self->quit();
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
  // Subscribed before the start, by the same sender: no report is missed.
  self->send(group->supervisor, sgp::actors::subscribe_atom::value, watch);
  self->request(group->supervisor, caf::infinite, sgp::actors::start_atom::value)
      .receive(
          [&](const sgp::runtime::run_summary& s) {
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
  self->wait_for(watch);  // it quits on run_end, which comes with the summary or error
  return rc;
}
