// Implementation of the bridge actor (see bridge_actor.hpp).
#include "actors/bridge_actor.hpp"

#include <chrono>
#include <cstdio>

#include "actors/actor_failure.hpp"
#include "actors/sender_actor.hpp"
#include "actors/terminal.hpp"
#include "config/settings_text.hpp"
#include "core/cut_off.hpp"
#include "core/log.hpp"
#include "net/push_bridge.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/push_codec.hpp"

namespace sgp::actors {
namespace {

using self_ptr = caf::stateful_actor<bridge_state>*;

const std::string& name_of(const bridge_state& s, std::uint32_t process) {
  return s.setup.process_names[process];
}

/// The in-edges, sized by the first push received (every push has the model's size).
void edges_of_size(bridge_state& s, std::size_t parameters) {
  s.edges = std::make_unique<net::remote_edges>(parameters, s.setup.precision, s.setup.pinning);
}

void deliver(self_ptr self, std::uint32_t process, net::outgoing_frame frame) {
  auto& s = self->state;
  if (s.dead[process]) return;
  if (s.transport->deliver(process, std::move(frame)) == net::deliver_outcome::dropped_full &&
      frame.supersede_key == 0) {
    core::logf(core::log_level::warn, "cluster", {},
               "the queue to process %s is full: a notice was dropped",
               name_of(s, process).c_str());
  }
}

void tell_cut_off(self_ptr self);

/// Silence while the connection stays open is given this many timeouts.
constexpr double open_grace = 5.0;

/// Our connection to the peer is up now.
bool connected(const net::peer_stats& stats) {
  return stats.connects > stats.disconnects;
}

/// Forgets every edge to and from `process`'s nodes (the sending half
/// forgets its own when told the process is down or readmitted).
void forget_nodes_of(bridge_state& s, std::uint32_t process) {
  if (s.edges) s.edges->forget_process(s.setup.node_process, process);
}

/// This process's settings notice for `peer`: the settings, then [this
/// process's incarnation, the peer's as known here (0: none), 1 if this
/// process readmitted that incarnation].
net::outgoing_frame settings_frame(const bridge_state& s, std::uint32_t peer) {
  const auto yours = s.lives.of(peer);
  const bool readmitted = yours != 0 && s.readmitted[peer] == yours;
  auto frame = std::make_shared<const std::vector<std::uint8_t>>(
      net::wire::encode_notice({s.setup.process,
                                net::wire::notice_topic::settings,
                                s.setup.settings,
                                {static_cast<double>(s.setup.incarnation),
                                 static_cast<double>(yours), readmitted ? 1.0 : 0.0}}));
  return {std::move(frame), nullptr,
          net::edge_key(net::wire::frame_kind::notice, s.setup.process, peer)};
}

/// What a settings notice says of the lives of its sender and receiver.
struct settings_life {
  std::uint64_t sender = 0;    ///< its incarnation
  std::uint64_t receiver = 0;  ///< the receiver's, as the sender knows it (0: none)
  bool readmitted = false;     ///< the sender readmitted the receiver
};

settings_life life_of(const std::vector<double>& values) {
  const auto whole = [&](std::size_t k) -> std::uint64_t {
    if (k >= values.size() || !(values[k] >= 0.0) ||
        values[k] >= static_cast<double>(core::max_exact_double))
      return 0;
    return static_cast<std::uint64_t>(values[k]);
  };
  return {whole(0), whole(1), values.size() > 2 && values[2] == 1.0};
}

/// Addressed to an earlier life of this process (queued while it was down).
bool stale(const bridge_state& s, const settings_life& life) {
  return life.receiver != 0 && life.receiver != s.setup.incarnation;
}

/// Drops what `peer`'s earlier life `life` said; logged once per life.
void drop_earlier_life(bridge_state& s, std::uint32_t peer, std::uint64_t life) {
  if (s.earlier_said[peer] == life) return;
  s.earlier_said[peer] = life;
  core::logf(
      core::log_level::info, "cluster", {},
      "frames of process %s's earlier life (incarnation %llu; the known one: %llu) are "
      "dropped (read late; or that process was just started on a host whose clock is behind)",
      name_of(s, peer).c_str(), static_cast<unsigned long long>(life),
      static_cast<unsigned long long>(s.lives.of(peer)));
}

/// A peer readmitted this process: the host waits for its welcome.
void tell_rejoining(self_ptr self, std::uint32_t peer) {
  auto& s = self->state;
  if (s.told_rejoining) return;
  s.told_rejoining = true;
  self->send(s.host, rejoining_atom::value, peer);
}

/// `process` was restarted (a new incarnation): the host may readmit it
/// if its settings are the same.
void offer_back(self_ptr self, std::uint32_t process, std::uint64_t incarnation,
                const std::string& settings) {
  auto& s = self->state;
  s.said_back[process] = true;
  if (settings != s.setup.settings) {
    core::logf(core::log_level::warn, "cluster", {},
               "process %s is back as a new incarnation with different settings: it stays out",
               name_of(s, process).c_str());
    return;
  }
  self->send(s.host, back_atom::value, process, incarnation);
}

/// Declares `process` dead: its edges are forgotten, the host reshapes.
void declare_dead(self_ptr self, std::uint32_t process, const char* why) {
  auto& s = self->state;
  if (s.dead[process]) return;
  s.dead[process] = true;
  forget_nodes_of(s, process);
  self->send(s.out, down_atom::value, process);
  core::logf(core::log_level::warn, "cluster", {}, "process %s %s: declared dead",
             name_of(s, process).c_str(), why);
  self->send(s.host, down_atom::value, process, std::string(why));
}

void on_tick(self_ptr self) {
  auto& s = self->state;
  const double now = clock_seconds(self);
  // This tick came late: this process did not run (starved, paused). The
  // peers' silence says nothing then; it is counted from now.
  const double heartbeat = std::chrono::duration<double>(s.setup.heartbeat_every).count();
  if (s.tick_due > 0.0 && now - s.tick_due > s.setup.process_timeout / 2) {
    for (auto& t : s.last_heard) {
      if (t >= 0.0) t = std::max(t, now);
    }
  }
  s.tick_due = now + heartbeat;
  const auto n = static_cast<std::uint32_t>(s.last_heard.size());
  const auto ns =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  ++s.heartbeat_seq;
  // Our settings, every half second while peers may still be joining (or
  // a readmitted peer may not have them yet): a frame in flight when a
  // connection breaks is lost, and a peer that never has them never lets
  // this process join.
  if (s.heartbeat_seq % 5 == 1) {
    const bool joining = now - s.started < s.setup.join_timeout + 5.0;
    for (std::uint32_t p = 0; p < n; ++p) {
      if (p != s.setup.process && (joining || now < s.settings_until[p])) {
        deliver(self, p, settings_frame(s, p));
      }
    }
  }
  if (s.heartbeat_seq % 10 == 7) tell_cut_off(self);
  for (std::uint32_t p = 0; p < n; ++p) {
    if (p != s.setup.process && s.dead[p] && !s.said_back[p] && s.back_heard[p] >= 0.0 &&
        now - s.back_heard[p] > 2.0) {
      // Heard for a while without a new incarnation: the same life, after
      // an outage longer than the timeout. Its mass was accounted as gone.
      s.said_back[p] = true;
      core::logf(core::log_level::warn, "cluster", {},
                 "process %s is back after it was declared dead, as the same incarnation (an "
                 "outage): one side of the outage restarts and rejoins (SGP, OSGP)",
                 name_of(s, p).c_str());
    }
    if (p == s.setup.process || s.dead[p]) continue;
    const net::wire::heartbeat hb{s.setup.process, s.heartbeat_seq, ns};
    deliver(self, p,
            net::outgoing_frame{
                std::make_shared<const std::vector<std::uint8_t>>(net::wire::encode_control(hb)),
                nullptr, net::edge_key(net::wire::frame_kind::heartbeat, s.setup.process, p)});
    const auto stats = s.transport->stats(p);
    if (stats.disconnects > s.disconnects[p]) {
      s.disconnects[p] = stats.disconnects;
      s.broken_at[p] = now;
    } else if (stats.connects > 0 && s.broken_at[p] >= 0.0 && stats.queued_frames == 0) {
      s.broken_at[p] = -1.0;  // reconnected and drained
    }
    char why[96];
    if (s.last_heard[p] < 0.0 || !s.verified[p]) {
      if (now - s.started > s.setup.join_timeout) {
        std::snprintf(why, sizeof(why), "did not join within %.0f s", s.setup.join_timeout);
        declare_dead(self, p, why);
      }
    } else if (const double silent = now - s.last_heard[p];
               silent > s.setup.process_timeout * (connected(stats) ? open_grace : 1.0)) {
      // Silent with the connection closed: gone. Silent with it open: a
      // process starved of CPU is slow, not dead, and a pulled cable keeps
      // the connection open too; both get open_grace times longer.
      std::snprintf(why, sizeof(why), "silent for %.2f s%s", silent,
                    connected(stats) ? " (its connection still open)" : "");
      declare_dead(self, p, why);
    } else if (s.broken_at[p] >= 0.0 && now - s.last_heard[p] > 3 * heartbeat &&
               s.last_heard[p] <= s.broken_at[p]) {
      std::snprintf(why, sizeof(why), "closed its connection and is silent for %.2f s",
                    now - s.last_heard[p]);
      declare_dead(self, p, why);
    }
  }
  if (!s.all_joined) {
    bool all = true;
    for (std::uint32_t p = 0; p < n; ++p) {
      if (p != s.setup.process && !s.dead[p] && !s.verified[p]) all = false;
    }
    if (all) {
      s.all_joined = true;
      self->send(s.host, joined_atom::value);
    }
  }
  self->delayed_send(self, s.setup.heartbeat_every, tick_atom::value);
}

void on_push_frame(self_ptr self, std::uint32_t peer, const net::wire::frame_view& view) {
  auto& s = self->state;
  auto push = net::wire::decode_push(s.decoder, view);
  if (!push.ok()) return;
  const auto to = push->fields.receiver;
  // Only a node of this process, from a node of the sending process.
  if (to >= s.workers.size() || push->fields.sender >= s.setup.node_process.size() ||
      s.setup.node_process[push->fields.sender] != peer || !s.workers[to]) {
    ++s.unroutable;
    return;
  }
  if (!s.edges) edges_of_size(s, push->fields.count);
  auto in = s.edges->incoming(push.value());
  if (in.forward) self->send(s.workers[to], push_atom::value, std::move(*in.forward));
  if (in.ack) deliver(self, peer, std::move(*in.ack));
}

/// The value of `key` in settings text ("key = value" lines), or "(not set)".
std::string setting_value(const std::string& text, const std::string& key) {
  const std::string prefix = key + " = ";
  for (std::size_t at = 0; at < text.size();) {
    const auto end = std::min(text.find('\n', at), text.size());
    if (text.compare(at, prefix.size(), prefix) == 0) {
      return text.substr(at + prefix.size(), end - at - prefix.size());
    }
    at = end + 1;
  }
  return "(not set)";
}

/// A peer's settings: the same lets it join; different ones stop the run.
void check_settings(self_ptr self, std::uint32_t peer, const net::wire::notice& n) {
  auto& s = self->state;
  const auto& theirs = n.text;
  const auto life = life_of(n.values);
  if (stale(s, life)) {
    ++s.stale_settings;
    return;
  }
  if (theirs == s.setup.settings) {
    if (s.lives.heard(peer, life.sender) == core::life_news::earlier) {
      return drop_earlier_life(s, peer, life.sender);
    }
    s.verified[peer] = true;
    if (life.readmitted) tell_rejoining(self, peer);
    return;
  }
  const auto key = config::first_difference(theirs, s.setup.settings);
  const auto& me = name_of(s, s.setup.process);
  const auto& them = name_of(s, peer);
  self->send(s.host, refused_atom::value,
             "process " + them + " and process " + me + " have different settings: first at " +
                 key + " (" + them + ": " + setting_value(theirs, key) + ", " + me + ": " +
                 setting_value(s.setup.settings, key) + ")");
}

/// The processes live in this bridge's view (this one among them).
std::vector<bool> live_here(const bridge_state& s) {
  std::vector<bool> live(s.dead.size());
  for (std::size_t p = 0; p < live.size(); ++p) live[p] = !s.dead[p];
  return live;
}

/// About once a second, tells each process held dead (as the incarnation
/// last heard) that it is: one cut off by an outage learns it once it
/// hears again. Straight to the transport, which keeps reconnecting; a
/// newer notice supersedes the queued one.
void tell_cut_off(self_ptr self) {
  auto& s = self->state;
  const auto live = live_here(s);
  for (std::uint32_t p = 0; p < s.dead.size(); ++p) {
    if (p == s.setup.process || !s.dead[p] || s.lives.of(p) == 0) continue;
    const core::cut_off_notice n{s.setup.incarnation, s.lives.of(p), live};
    auto frame = std::make_shared<const std::vector<std::uint8_t>>(net::wire::encode_notice(
        {s.setup.process, net::wire::notice_topic::cut_off, {}, core::encode_cut_off(n)}));
    (void)s.transport->deliver(p,
                               {std::move(frame), nullptr,
                                net::edge_key(net::wire::frame_kind::notice, s.setup.process, p)});
  }
}

/// `peer` holds this process dead: it may be the one to restart.
void on_cut_off(self_ptr self, std::uint32_t peer, const net::wire::notice& m) {
  auto& s = self->state;
  auto n = core::decode_cut_off(m.values, s.dead.size());
  if (!n.ok() || s.told_cut_off) return;
  const auto verdict =
      core::judge_cut_off(*n, s.setup.process, s.setup.incarnation, live_here(s), peer);
  if (verdict != core::cut_off_verdict::restart) return;
  s.told_cut_off = true;
  std::string why = "process " + name_of(s, peer) + " holds this process dead";
  why += s.dead[peer] ? " (a partition: its side of the cluster is the larger one, or holds the "
                        "lowest process)"
                      : " (this process was cut off for longer than cluster.process_timeout)";
  self->send(s.host, cut_off_atom::value, peer, why);
}

/// A frame from a dead process: a new incarnation's settings offer it back.
void on_dead_frame(self_ptr self, const net::received_frame& f) {
  auto& s = self->state;
  if (s.back_heard[f.peer] < 0.0) s.back_heard[f.peer] = clock_seconds(self);
  if (f.kind != net::wire::frame_kind::notice) return;
  auto m = net::wire::decode_notice(s.decoder, {f.kind, {f.body.data(), f.body.size()}});
  if (m.ok() && m->process == f.peer && m->topic == net::wire::notice_topic::cut_off) {
    return on_cut_off(self, f.peer, m.value());
  }
  if (!m.ok() || m->process != f.peer || m->topic != net::wire::notice_topic::settings) return;
  const auto life = life_of(m->values);
  if (stale(s, life)) return;
  if (s.lives.heard(f.peer, life.sender) == core::life_news::restarted) {
    offer_back(self, f.peer, life.sender, m->text);
  }
}

/// A verified peer's settings again: it may have been restarted before it
/// was declared dead, or it readmitted this process.
void on_settings_again(self_ptr self, std::uint32_t peer, const net::wire::notice& n) {
  auto& s = self->state;
  const auto life = life_of(n.values);
  if (stale(s, life)) {
    ++s.stale_settings;
    return;
  }
  const auto news = s.lives.heard(peer, life.sender);
  if (news == core::life_news::earlier) return drop_earlier_life(s, peer, life.sender);
  if (news == core::life_news::restarted) {
    declare_dead(self, peer, "was restarted (a new incarnation)");
    offer_back(self, peer, life.sender, n.text);
    return;
  }
  if (life.readmitted) tell_rejoining(self, peer);
}

void on_frame(self_ptr self, net::received_frame& f) {
  auto& s = self->state;
  if (f.peer >= s.dead.size() || f.peer == s.setup.process) return;
  // From a connection of the peer's earlier life, read after its new
  // life's (this process was stopped, or slow, while the peer restarted):
  // that life is over, and what it said must not bring it back.
  if (f.nonce != 0 && f.nonce < s.lives.of(f.peer)) return drop_earlier_life(s, f.peer, f.nonce);
  if (s.dead[f.peer]) return on_dead_frame(self, f);
  s.last_heard[f.peer] = clock_seconds(self);
  const net::wire::frame_view view{f.kind, {f.body.data(), f.body.size()}};
  if (!s.verified[f.peer] && f.kind != net::wire::frame_kind::heartbeat) {
    // Only its settings until they are found to be the same.
    if (f.kind == net::wire::frame_kind::notice) {
      auto m = net::wire::decode_notice(s.decoder, view);
      if (m.ok() && m->process == f.peer && m->topic == net::wire::notice_topic::settings) {
        return check_settings(self, f.peer, m.value());
      }
    }
    ++s.unverified_frames;
    return;
  }
  switch (f.kind) {
    case net::wire::frame_kind::push:
      on_push_frame(self, f.peer, view);
      break;
    case net::wire::frame_kind::ack: {
      auto m = net::wire::decode_control(s.decoder, view);
      if (m.ok()) self->send(s.out, frame_atom::value, std::get<net::wire::ack>(m.value()));
      break;
    }
    case net::wire::frame_kind::notice: {
      auto m = net::wire::decode_notice(s.decoder, view);
      if (!m.ok() || m->process != f.peer) break;
      if (m->topic == net::wire::notice_topic::settings) {
        on_settings_again(self, f.peer, m.value());
        break;
      }
      if (m->topic == net::wire::notice_topic::cut_off) {
        on_cut_off(self, f.peer, m.value());
        break;
      }
      if (m->topic == net::wire::notice_topic::store) {
        // The store is thread-safe: a Gloo rendezvous may be waiting on it.
        if (!s.setup.store) break;
        if (auto reply = s.setup.store->received(m.value())) {
          deliver(self, f.peer,
                  net::outgoing_frame{std::make_shared<const std::vector<std::uint8_t>>(
                                          net::wire::encode_notice(*reply)),
                                      nullptr, 0});
        }
        break;
      }
      self->send(s.host, notice_atom::value, std::move(m.value()));
      break;
    }
    default:
      break;  // heartbeats: being heard is all
  }
}

}  // namespace

caf::behavior bridge_actor(caf::stateful_actor<bridge_state>* self, bridge_setup setup,
                           net::frame_transport* transport, caf::actor host, caf::actor out) {
  exit_on_exception(self, "cluster bridge");
  auto& s = self->state;
  const std::size_t processes = setup.process_names.size();
  s.setup = std::move(setup);
  s.transport = transport;
  s.host = std::move(host);
  s.out = std::move(out);
  if (!s.out) {
    // A caller bug: pushes for other processes would go nowhere.
    self->quit(caf::make_error(caf::sec::invalid_argument, "the bridge has no sending half"));
    return {};
  }
  self->link_to(s.out);
  s.started = clock_seconds(self);
  s.last_heard.assign(processes, -1.0);
  s.dead.assign(processes, false);
  s.said_back.assign(processes, false);
  s.back_heard.assign(processes, -1.0);
  s.lives = core::process_lives(processes);
  s.readmitted.assign(processes, 0);
  s.earlier_said.assign(processes, 0);
  s.settings_until.assign(processes, -1.0);
  s.verified.assign(processes, false);
  s.disconnects.assign(processes, 0);
  s.broken_at.assign(processes, -1.0);
  self->send(self, tick_atom::value);
  return {
      [=](push_atom, const core::gossip_envelope& e) {
        // For the sending half (a sender that still holds the bridge as
        // the remote nodes' worker).
        self->send(self->state.out, push_atom::value, e);
      },
      [=](frame_atom, net::received_frame& f) { on_frame(self, f); },
      [=](tick_atom) { on_tick(self); },
      [=](readmit_atom, std::uint32_t process, std::uint64_t incarnation) {
        // The host let a restarted process back in: a fresh start for its
        // liveness and edges, and our settings until it has them.
        auto& st = self->state;
        if (process >= st.dead.size() || process == st.setup.process) return;
        const double now = clock_seconds(self);
        st.dead[process] = false;
        st.verified[process] = true;
        st.last_heard[process] = now;
        st.broken_at[process] = -1.0;
        st.disconnects[process] = st.transport->stats(process).disconnects;
        st.said_back[process] = false;
        st.back_heard[process] = -1.0;
        st.readmitted[process] = incarnation;
        st.settings_until[process] = now + 10.0;
        forget_nodes_of(st, process);  // the host tells the sending half itself
        deliver(self, process, settings_frame(st, process));
      },
      [=](down_atom, std::uint32_t process) {
        // Dead in the cluster's view (a welcome said so): not waited for.
        auto& st = self->state;
        if (process >= st.dead.size() || process == st.setup.process || st.dead[process]) return;
        st.dead[process] = true;
        forget_nodes_of(st, process);  // the host tells the sending half itself
      },
      [=](forgot_atom, std::uint32_t node) {
        // A node was killed: its edges go, as a dead process's do (a
        // revived node is a new incarnation, whose edges start from zero).
        auto& st = self->state;
        // The host tells the sending half itself.
        if (st.edges && node < st.setup.node_process.size()) st.edges->forget(node);
      },
      [=](view_atom, const std::vector<push_handle>& workers) { self->state.workers = workers; },
      [=](notice_atom, std::uint32_t to, const net::wire::notice& n) {
        auto& st = self->state;
        auto frame = std::make_shared<const std::vector<std::uint8_t>>(net::wire::encode_notice(n));
        for (std::uint32_t p = 0; p < st.dead.size(); ++p) {
          if (to != all_processes && p != to) continue;
          if (p == st.setup.process) {
            // The store keeps its own entries.
            if (n.topic != net::wire::notice_topic::store)
              self->send(st.host, notice_atom::value, n);
          } else {
            deliver(self, p, net::outgoing_frame{frame, nullptr, 0});
          }
        }
      },
      [=](status_atom) {
        // The sending half's counters with the receiving ones of ours.
        auto rp = self->make_response_promise<data_plane_counters>();
        const auto in =
            self->state.edges ? self->state.edges->counters() : net::remote_edge_counters{};
        const auto merge = [in](data_plane_counters c) {
          c.edges.pushes_in = in.pushes_in;
          c.edges.applied_in = in.applied_in;
          c.edges.not_applied_in = in.not_applied_in;
          c.edges.malformed_in = in.malformed_in;
          return c;
        };
        self->request(self->state.out, caf::infinite, status_atom::value)
            .then([=](const data_plane_counters& out) mutable { rp.deliver(merge(out)); },
                  // The sending half is gone (the run is ending): ours only.
                  [=](const caf::error&) mutable { rp.deliver(merge(data_plane_counters{})); });
        return rp;
      },
  };
}

}  // namespace sgp::actors
