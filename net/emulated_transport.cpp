// Implementation of the link-emulating decorator (see emulated_transport.hpp).
#include "net/emulated_transport.hpp"

#include <algorithm>
#include <utility>

namespace sgp::net {

emulated_transport::emulated_transport(std::unique_ptr<node_transport> inner,
                                       transport_clock& clock, link_emulator links,
                                       emulation_options options)
    : inner_(std::move(inner)),
      clock_(clock),
      links_(std::move(links)),
      options_(options),
      random_(options.seed),
      stats_(static_cast<std::size_t>(links_.nodes())),
      on_timer_(static_cast<std::size_t>(links_.nodes()), 0),
      latest_due_(static_cast<std::size_t>(links_.nodes()), 0.0),
      queued_(static_cast<std::size_t>(links_.nodes())) {}

namespace {
bool supersedable(const core::gossip_envelope& e) {
  return !e.transfer && !e.state;
}
}  // namespace

std::size_t emulated_transport::charge(const core::gossip_envelope& envelope) const {
  const auto& m = envelope.message;
  return wire::push_frame_size(options_.wire_type, m && m->mass ? m->mass->size() : 0);
}

transport_stats& emulated_transport::stats_of(std::size_t peer) {
  return peer < stats_.size() ? stats_[peer] : unaddressed_;
}

transport_outcome emulated_transport::deliver(core::gossip_envelope envelope) {
  if (!envelope.message) {
    ++unaddressed_.messages_sent;
    ++unaddressed_.messages_dropped;
    return transport_outcome::unknown_peer;
  }
  const std::size_t to = envelope.message->to;
  auto& st = stats_of(to);
  ++st.messages_sent;
  if (to >= stats_.size() || !inner_->reaches(to)) {
    ++st.messages_dropped;
    return transport_outcome::unknown_peer;
  }
  const double now = clock_.now();
  auto& slot = queued_[to];
  if (slot.envelope && slot.start > now && supersedable(envelope) &&
      links_.up(static_cast<int>(options_.from), static_cast<int>(to))) {
    // The older push has not started on the link: this one takes its place
    // (a link gone down since drops this one below, as any other).
    *slot.envelope = std::move(envelope);
    ++st.messages_superseded;
    return transport_outcome::scheduled;
  }
  const std::size_t bytes = charge(envelope);
  const auto d = links_.plan(static_cast<int>(options_.from), static_cast<int>(to), bytes, now);
  st.bytes_sent += bytes;  // charged as planned, dropped or not (the sender's counter)
  if (d.dropped) {
    if (d.link_down) {
      ++st.messages_dropped;
      return transport_outcome::link_down;
    }
    ++st.messages_lost;
    return transport_outcome::lost;
  }
  const double delay = d.deliver_at - now;
  if (options_.duplicate > 0.0 && random_.uniform() < options_.duplicate) {
    ++st.messages_duplicated;
    clock_.schedule(now + 2.0 * delay,
                    [this, copy = envelope]() mutable { hand_over(std::move(copy)); });
  }
  auto& pending = on_timer_[to];
  auto& latest = latest_due_[to];
  double at = d.deliver_at;
  if (delay < immediate_seconds) {
    if (pending == 0) {
      hand_over(std::move(envelope));
      return transport_outcome::delivered;
    }
    // Due now, but an earlier message is still on the timer: behind it
    // (same time, scheduled later, runs later), not before it.
    at = std::max(at, latest);
  }
  ++pending;
  latest = std::max(latest, at);
  auto held = std::make_shared<core::gossip_envelope>(std::move(envelope));
  // A transfer is never replaced, and nothing planned before it jumps it.
  slot = supersedable(*held) ? queued_push{d.start, held} : queued_push{};
  clock_.schedule(at, [this, to, held]() {
    --on_timer_[to];
    auto& q = queued_[to];
    if (q.envelope == held) q.envelope.reset();
    hand_over(std::move(*held));
  });
  return transport_outcome::scheduled;
}

void emulated_transport::hand_over(core::gossip_envelope envelope) {
  auto& st = stats_of(envelope.message->to);
  const auto outcome = inner_->deliver(std::move(envelope));
  if (outcome == transport_outcome::delivered || outcome == transport_outcome::scheduled) {
    ++st.messages_delivered;
  } else {
    ++st.messages_dropped;  // the receiver went away while the message was on the link
  }
}

void emulated_transport::set_receiver(std::size_t node, receive_callback callback) {
  inner_->set_receiver(node, std::move(callback));
}

bool emulated_transport::reaches(std::size_t node) const {
  return inner_->reaches(node);
}

transport_stats emulated_transport::stats(std::size_t peer) const {
  return peer < stats_.size() ? stats_[peer] : transport_stats{};
}

transport_stats emulated_transport::totals() const {
  transport_stats sum = unaddressed_;
  for (const auto& s : stats_) sum += s;
  return sum;
}

}  // namespace sgp::net
