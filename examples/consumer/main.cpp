// Embeds an installed sgp: a 3-node SGP group on synthetic data trains in
// this program's own actor system. A listener actor subscribes to the
// group's typed events (actors/embedding.hpp), counts the iteration reports,
// takes link 0-1 down by a typed command at node 0's first report and asks
// for a kill of a node that does not exist (refused). The program checks
// the summary and what the listener got: exit 0 when every node reported
// every iteration, the link went down (its event arrived typed), the bad
// kill was refused naming the node, and the push-sum weight is whole.
#include <caf/all.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "actors/embedding.hpp"
#include "actors/training_group.hpp"
#include "config/config.hpp"

namespace {

/// What the listener saw (read by main once it has quit).
struct tally {
  unsigned long long reports = 0;
  bool link_down_applied = false;
  bool link_down_event = false;
  bool bad_kill_refused = false;
  bool ended = false;
};

caf::behavior listener(caf::event_based_actor* self, sgp::actors::supervisor_handle supervisor,
                       std::shared_ptr<tally> t) {
  using namespace std::chrono_literals;
  return {
      [=](const sgp::actors::iteration_event& e) {
        ++t->reports;
        if (e.node != 0 || e.iteration != 1) return;
        const sgp::core::command down{
            .kind = sgp::core::command_kind::link_down, .from = 0, .to = 1};
        self->request(supervisor, 5s, sgp::actors::command_atom::value, down)
            .then([=](const sgp::actors::command_outcome& o) { t->link_down_applied = o.applied; });
        const sgp::core::command kill{.kind = sgp::core::command_kind::kill, .node = 5};
        self->request(supervisor, 5s, sgp::actors::command_atom::value, kill)
            .then([=](const sgp::actors::command_outcome& o) {
              std::printf("consumer: kill 5 -> %s\n", o.message.c_str());
              t->bad_kill_refused = !o.applied && o.message.find("node 5") != std::string::npos;
            });
      },
      [=](const sgp::actors::action_event& e) {
        std::printf("consumer: %s event: %s -> %s\n", e.record.event.c_str(),
                    e.record.command.c_str(), e.record.result.c_str());
        if (e.command.kind == sgp::core::command_kind::link_down && e.applied) {
          t->link_down_event = true;
        }
      },
      [=](const sgp::actors::run_end& e) {
        t->ended = e.completed;
        self->quit();
      },
  };
}

}  // namespace

int main() {
  const auto dir = std::filesystem::temp_directory_path() / "sgp_consumer_run";
  auto cfg = sgp::config::load_string(
      "[run]\ndir = \"" + dir.string() +
          "\"\n[cluster]\nnodes = 3\n[model]\nname = \"mlp\"\n"
          "[data]\nname = \"synthetic\"\nbatch_size = 16\nsynthetic_train_samples = 960\n"
          "synthetic_test_samples = 64\n[schedule]\nepochs = 1\nmax_iterations = 6\n"
          "[output]\nprogress = false\n",
      "consumer");
  if (!cfg.ok()) {
    std::fprintf(stderr, "consumer: %s\n", cfg.err().message.c_str());
    return 1;
  }
  caf::actor_system_config sys_cfg;
  sys_cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf::actor_system sys{sys_cfg};
  auto group = sgp::actors::spawn_training_group(sys, *cfg);
  if (!group.ok()) {
    std::fprintf(stderr, "consumer: %s\n", group.err().message.c_str());
    return 1;
  }
  auto t = std::make_shared<tally>();
  auto listen = sys.spawn(listener, group->supervisor, t);
  caf::scoped_actor self{sys};
  // Subscribed before the start, by the same sender: no report is missed.
  self->send(group->supervisor, sgp::actors::subscribe_atom::value, listen);
  bool summary_ok = false;
  unsigned long long expected_reports = 0;
  self->request(group->supervisor, caf::infinite, sgp::actors::start_atom::value)
      .receive(
          [&](const sgp::runtime::run_summary& s) {
            const bool whole = std::abs(s.total_weight - s.expected_total_weight) <= 1e-9 * 3;
            std::printf("consumer: %d/%d nodes, %llu iterations, weight %.12g of %.12g\n",
                        s.live_nodes, s.nodes, static_cast<unsigned long long>(s.iterations),
                        s.total_weight, s.expected_total_weight);
            summary_ok = s.live_nodes == 3 && s.iterations == 6 && whole;
            expected_reports = static_cast<unsigned long long>(s.nodes) * s.iterations;
          },
          [&](const caf::error& e) {
            std::fprintf(stderr, "consumer: %s\n", sys.render(e).c_str());
          });
  self->wait_for(listen);  // it quits on run_end
  std::printf(
      "consumer: %llu typed iteration reports (expected %llu), link down %s, "
      "bad kill %s\n",
      t->reports, expected_reports, t->link_down_event ? "seen" : "NOT SEEN",
      t->bad_kill_refused ? "refused" : "NOT REFUSED");
  const bool events_ok = t->reports > 0 && t->reports == expected_reports && t->link_down_applied &&
                         t->link_down_event && t->bad_kill_refused && t->ended;
  return summary_ok && events_ok ? 0 : 1;
}
