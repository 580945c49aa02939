// Every process of a cluster starts training together (core/start_barrier.hpp):
// a ready notice (values [1]) from each process that joined and spawned its
// nodes, said again every ready_every while it waits; a process that has
// started answers a waiting one's notice (values [0]), so a notice lost
// before a peer could take it costs one more round, not the start. Each
// notice also carries the iteration its process resumes at (-1: none): a
// cluster resumes from one cut only.
#include <cstdio>
#include <string>

#include "actors/process_host.hpp"
#include "actors/sender_actor.hpp"
#include "core/log.hpp"

namespace sgp::actors {
namespace {

constexpr auto ready_every = std::chrono::milliseconds(250);
constexpr double log_every_seconds = 10.0;

using net::wire::notice_topic;

void say_ready(host_ptr self, std::uint32_t to, bool waiting) {
  const auto& s = self->state;
  // Then the iteration this process resumes at (-1: not resumed) and how
  // many nodes' states its checkpoint holds; the text: the name of its
  // checkpoint's cut, and after a newline that of its next.ckpt of a later
  // pause, if it has one (core::resumed_file).
  auto text = s.resumed_cut;
  if (s.pending_resume) text += "\n" + s.pending_resume->cut;
  send_notice(self, to, notice_topic::ready, text,
              {waiting ? 1.0 : 0.0, s.resumed_at, static_cast<double>(s.resumed_nodes)});
}

/// A ready notice's file (say_ready).
core::resumed_file file_of(const net::wire::notice& n) {
  core::resumed_file f{n.values[1], n.text, -1, {}};
  if (const auto cut = n.text.find('\n'); cut != std::string::npos) {
    f.cut = n.text.substr(0, cut);
    f.pending_cut = n.text.substr(cut + 1);
  }
  if (n.values.size() > 2) f.nodes = static_cast<int>(n.values[2]);
  return f;
}

void begin_if_open(host_ptr self) {
  auto& s = self->state;
  if (s.phase == host_phase::joining && s.barrier.open(s.process_live)) begin_training(self);
}

}  // namespace

void at_start_barrier(host_ptr self) {
  auto& s = self->state;
  if (s.phase != host_phase::joining) return;
  if (!s.barrier.ready_here()) {
    s.barrier.ready_here(clock_seconds(self));
    if (!s.barrier.open(s.process_live)) {
      say_ready(self, all_processes, true);
      self->delayed_send(self, ready_every, ready_atom::value);
    }
  }
  begin_if_open(self);
}

void on_ready_notice(host_ptr self, const net::wire::notice& n) {
  auto& s = self->state;
  if (n.process == s.setup.process) return;  // its own, looped back
  // A resumed cluster starts from one cut: every process's checkpoint was
  // written at the same pause (a process's older file would mix two).
  // Only while this process starts with the others (a waiting peer's
  // notice or a started one's answer: a peer that opened its barrier at
  // once never said it waits); a restarted process that rejoins a resumed
  // run does so without --resume, as any rejoin, and hears no ready notice.
  const bool both_starting = s.phase == host_phase::joining && !s.rejoining;
  if (both_starting && n.values.size() > 1) {
    s.resumed_by.resize(s.process_live.size());
    s.resumed_by[n.process] = file_of(n);
  }
  // Two cuts are fine (a process dead at the later one resumes from an
  // earlier one: resume_cut), a resumed run mixed with a new one is not.
  if (both_starting && n.values.size() > 1 && (n.values[1] < 0.0) != (s.resumed_at < 0.0)) {
    const auto text = [](double at) {
      return at < 0.0 ? std::string("does not resume")
                      : "resumes from iteration " + std::to_string(static_cast<long long>(at));
    };
    return abort_cluster(self, "process " + my_name(s) + " " + text(s.resumed_at) + ", process " +
                                   s.setup.names[n.process] + " " + text(n.values[1]) +
                                   ": a cluster resumes with every process or none (pass "
                                   "--resume to every process, each with its "
                                   "checkpoints/latest.ckpt of the same run)");
  }
  s.barrier.heard(n.process);
  if (s.barrier.ready_here()) begin_if_open(self);
  // Answer only once past the wait: two waiting processes answering each
  // other would never stop (they say it again every ready_every anyway).
  const bool peer_waits = !n.values.empty() && n.values.front() != 0.0;
  if (peer_waits && s.phase != host_phase::joining) say_ready(self, n.process, false);
}

void on_ready_tick(host_ptr self) {
  auto& s = self->state;
  if (s.phase != host_phase::joining || !s.barrier.ready_here()) return;
  const double now = clock_seconds(self);
  const double bound = s.setup.settings.cluster.join_timeout_seconds;
  const auto missing = core::process_list(s.barrier.missing(s.process_live), s.setup.names);
  if (s.barrier.expired(now, bound)) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "not ready %.0f s after this process was (cluster.join_timeout): %s; training "
               "starts without waiting for them",
               bound, missing.c_str());
    return begin_training(self);
  }
  if (s.barrier_logged < 0.0 || now - s.barrier_logged >= log_every_seconds) {
    core::logf(core::log_level::info, "cluster", {.process = my_name(s)},
               "ready; waiting for the processes still spawning their nodes: %s", missing.c_str());
    s.barrier_logged = now;
  }
  say_ready(self, all_processes, true);
  self->delayed_send(self, ready_every, ready_atom::value);
}

}  // namespace sgp::actors
