// Implementation of one node's push-sum protocol (see gossip_node.hpp).
#include "core/gossip_node.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace sgp::core {

membership_view membership_view::all_up(std::size_t n) {
  membership_view v;
  v.live.assign(n, true);
  v.incarnation.assign(n, 0);
  v.links = link_mask(n);
  return v;
}

gossip_node::gossip_node(std::size_t id, std::vector<float> x, double w, gossip_options options,
                         membership_view view)
    : gossip_node(id, std::make_unique<host_mass_space<float>>(std::move(x)), w, options,
                  std::move(view)) {}

gossip_node::gossip_node(std::size_t id, std::unique_ptr<mass_space> space, double w,
                         gossip_options options, membership_view view)
    : sums_(id, std::move(space), w), options_(options), view_(std::move(view)) {
  SGP_ASSERT(id < view_.live.size());
  SGP_ASSERT(view_.incarnation.size() == view_.live.size());
}

std::vector<forgotten_edges> gossip_node::set_view(const membership_view& view) {
  std::vector<forgotten_edges> forgotten;
  if (view.epoch <= view_.epoch && !view_.live.empty()) return forgotten;
  SGP_ASSERT(view.live.size() == view_.live.size());
  for (std::size_t peer = 0; peer < view.live.size(); ++peer) {
    if (peer == id()) continue;
    const bool died = view_.live[peer] && !view.live[peer];
    const bool reborn = view.incarnation[peer] != view_.incarnation[peer];
    if (died || reborn) {
      forgotten.push_back({peer, sums_.sent_weight(peer), sums_.applied_weight(peer)});
      sums_.forget_peer(peer);
      heard_.erase(peer);
    }
  }
  view_ = view;
  return forgotten;
}

std::vector<std::size_t> gossip_node::out_peers() const {
  if (!options_.communicate) return {};
  return options_.schedule.out_peers(view_.live, view_.links, rounds_, id());
}

std::vector<gossip_envelope> gossip_node::push_round(const running_sums::step* first) {
  std::vector<gossip_envelope> out;
  // The step and the push in one pass over x. bf16: the same rounded
  // share for every peer, from x (after the step) before any of them.
  auto messages = sums_.push(out_peers(), options_.bf16_shares, first, options_.self_weight);
  for (auto& message : messages) {
    const std::uint64_t to_incarnation = view_.incarnation[message.to];
    last_push_[message.to] = {iteration_, rounds_};
    out.push_back({iteration_, rounds_, false, view_.incarnation[id()], to_incarnation,
                   std::make_shared<const push_message>(std::move(message)), nullptr});
  }
  ++rounds_;
  release_held();
  return out;
}

double gossip_node::step_scale() {
  const double w = sums_.w();
  switch (options_.space) {
    case step_space::x:
      return 1.0;
    case step_space::z:
      return w;
    case step_space::balanced:
      // A mean over about 20 steps: long enough to smooth the cycle of w
      // of a round in flight, short enough to follow a change of the view.
      mean_w_ += balanced_mean_rate * (w - mean_w_);
      return mean_w_ > 0.0 ? w / mean_w_ : 1.0;
  }
  return w;
}

std::vector<gossip_envelope> gossip_node::step(std::span<const float> delta) {
  SGP_ASSERT(delta.size() == sums_.size());
  const running_sums::step first{delta, static_cast<float>(step_scale())};
  std::vector<gossip_envelope> out;
  bool push = view_.live[id()];
  if (push && reference_overlap() && options_.communicate) {
    // The reference's query before its transfer: absorb a complete round,
    // else skip this push (at most tau times in a row), else wait for it.
    const auto j = static_cast<std::int64_t>(rounds_) - 1;
    if (in_flight_ && (j <= waived_through_ || missing(j).empty())) {
      in_flight_ = false;
      misses_ = 0;
    }
    if (in_flight_) {
      push = false;
      ++counters_.skipped_pushes;
      if (misses_ < options_.tau) {
        ++misses_;
      } else {
        awaiting_ = true;
      }
    }
  }
  if (push) {
    out = push_round(&first);
    if (reference_overlap() && options_.communicate) in_flight_ = true;
  } else {
    sums_.space().add_scaled(first.delta, first.scale);
  }
  ++iteration_;
  if (!reference_overlap()) {
    // One push per iteration: rounds follow iterations (a dead node's too).
    rounds_ = iteration_;
    release_held();
  }
  return out;
}

std::vector<gossip_envelope> gossip_node::poll(bool finished) {
  const std::int64_t j = static_cast<std::int64_t>(rounds_) - 1;
  const bool complete = !in_flight_ || j <= waived_through_ || missing(j).empty();
  if (!awaiting_) {
    if (!finished || !reference_overlap() || !options_.communicate || !view_.live[id()] ||
        !complete) {
      return {};
    }
    const bool peer_ahead = std::any_of(heard_.begin(), heard_.end(), [&](const auto& h) {
      return h.second >= static_cast<std::int64_t>(rounds_);
    });
    if (!peer_ahead) return {};
  } else if (!complete) {
    return {};
  }
  awaiting_ = false;
  misses_ = 0;
  auto out = push_round(nullptr);
  in_flight_ = true;
  return out;
}

std::vector<gossip_envelope> gossip_node::flush() {
  auto held = std::move(held_);
  held_.clear();
  for (const auto& e : held) {
    if (accepts(e)) {
      (void)apply(e);
    } else {
      ++counters_.rejected;
    }
  }
  std::vector<gossip_envelope> out;
  if (!view_.live[id()]) return out;
  for (const std::size_t to : sums_.out_edges()) {
    if (to < view_.live.size() && view_.live[to]) out.push_back(resend_envelope(to));
  }
  return out;
}

std::vector<gossip_envelope> gossip_node::resend(std::size_t to) {
  const auto edges = sums_.out_edges();
  if (!view_.live[id()] || to >= view_.live.size() || !view_.live[to] ||
      std::find(edges.begin(), edges.end(), to) == edges.end()) {
    return {};
  }
  return {resend_envelope(to)};
}

gossip_envelope gossip_node::resend_envelope(std::size_t to) {
  // Tagged with the iteration and round of this node's last push to `to`:
  // the sums hold every share pushed on the edge so far, that one last, so
  // the resend stands in for it. (Tagged with this node's own last round, a
  // resend made after it moved on was early at a blocking receiver, held
  // there for rounds, and the mass it carried for the round that receiver
  // waited on came late all the same.) Without a push on the edge yet
  // (only a transfer): this node's last iteration and round.
  const auto last = last_push_.find(to);
  const bool pushed = last != last_push_.end();
  return {pushed ? last->second.first : (iteration_ == 0 ? 0 : iteration_ - 1),
          pushed ? last->second.second : (rounds_ == 0 ? 0 : rounds_ - 1),
          false,
          view_.incarnation[id()],
          view_.incarnation[to],
          std::make_shared<const push_message>(sums_.resend(to)),
          nullptr};
}

void gossip_node::set_iteration(std::uint64_t iteration, std::uint64_t round) {
  iteration_ = iteration;
  rounds_ = reference_overlap() ? round : iteration;
  heard_.clear();
  waived_through_ = -1;
  in_flight_ = false;
  awaiting_ = false;
  misses_ = 0;
  release_held();
}

apply_outcome gossip_node::join_from(const gossip_envelope& envelope, std::uint64_t at_least) {
  if (envelope.message && accepts(envelope) && !envelope.transfer) {
    set_iteration(std::max(envelope.iteration + 1, at_least), envelope.round + 1);
  }
  return receive(envelope);
}

void gossip_node::resume_at(std::uint64_t iteration, std::uint64_t round) {
  set_iteration(iteration, round);
  const auto through = static_cast<std::int64_t>(rounds_) - 1;
  for (std::size_t p = 0; p < view_.live.size(); ++p) {
    if (p != id()) heard_[p] = through;
  }
}

gossip_envelope gossip_node::give(std::size_t to, double fraction) {
  const std::size_t peers[] = {to};
  auto message = std::move(sums_.send(peers, fraction).front());
  // Tagged with the previous iteration and round: it satisfies no wait of
  // the receiver, and a transfer is never held.
  return {iteration_ == 0 ? 0 : iteration_ - 1,
          rounds_ == 0 ? 0 : rounds_ - 1,
          true,
          view_.incarnation[id()],
          view_.incarnation[to],
          std::make_shared<const push_message>(std::move(message)),
          nullptr};
}

bool gossip_node::accepts(const gossip_envelope& envelope) const {
  const push_message& m = *envelope.message;
  return m.from < view_.live.size() && view_.live[m.from] &&
         envelope.incarnation == view_.incarnation[m.from] &&
         envelope.receiver_incarnation == view_.incarnation[id()];
}

apply_outcome gossip_node::receive(const gossip_envelope& envelope) {
  if (!envelope.message) {
    ++counters_.rejected;
    return apply_outcome::malformed;
  }
  if (!accepts(envelope)) {
    ++counters_.rejected;
    return apply_outcome::misrouted;
  }
  if (holds_early() && !envelope.transfer && envelope.round >= rounds_ &&
      envelope.message->to == id()) {
    // Early: the sender is at a round this node has not pushed yet. It
    // proves that the sender got there (waits count it), but its share is
    // mixed in only after this node's own push of that round.
    auto& heard = heard_[envelope.message->from];
    heard = std::max(heard, static_cast<std::int64_t>(envelope.round));
    held_.push_back(envelope);
    ++counters_.held;
    return apply_outcome::held;
  }
  return apply(envelope);
}

apply_outcome gossip_node::apply(const gossip_envelope& envelope) {
  const push_message& m = *envelope.message;
  const auto outcome = sums_.apply(m);
  switch (outcome) {
    case apply_outcome::applied:
      ++counters_.applied;
      [[fallthrough]];
    case apply_outcome::stale: {
      if (outcome == apply_outcome::stale) ++counters_.duplicate;
      // A stale message still proves that the sender reached its round.
      auto& heard = heard_[m.from];
      heard = std::max(heard, static_cast<std::int64_t>(envelope.round));
      break;
    }
    default:
      ++counters_.rejected;
  }
  return outcome;
}

void gossip_node::release_held() {
  if (held_.empty()) return;
  std::vector<gossip_envelope> keep;
  for (auto& e : held_) {
    if (e.round >= rounds_) {
      keep.push_back(std::move(e));
    } else if (accepts(e)) {
      (void)apply(e);
    } else {
      ++counters_.rejected;
    }
  }
  held_ = std::move(keep);
}

std::int64_t gossip_node::required_iteration() const {
  if (reference_overlap()) return awaiting_ ? static_cast<std::int64_t>(rounds_) - 1 : -1;
  // Before step k (= iteration_) a blocking node needs round k-1's
  // messages; the bounded OSGP lets tau + 1 more rounds be outstanding
  // (once past its blocking phase).
  const std::int64_t k = static_cast<std::int64_t>(iteration_);
  const std::int64_t lag = options_.mode == gossip_mode::blocking || blocking_phase()
                               ? 0
                               : static_cast<std::int64_t>(options_.tau) + 1;
  return k - 1 - lag;
}

std::vector<std::size_t> gossip_node::missing(std::int64_t j) const {
  std::vector<std::size_t> out;
  if (!options_.communicate || j < 0 || !view_.live[id()]) return out;
  for (const std::size_t peer :
       options_.schedule.in_peers(view_.live, view_.links, static_cast<std::uint64_t>(j), id())) {
    const auto it = heard_.find(peer);
    if (it == heard_.end() || it->second < j) out.push_back(peer);
  }
  return out;
}

std::vector<std::size_t> gossip_node::waiting_on() const {
  const std::int64_t j = required_iteration();
  if (j <= waived_through_) return {};
  return missing(j);
}

void gossip_node::debiased(std::span<float> z) const {
  sums_.space().debias(sums_.w(), z);
}

std::vector<float> gossip_node::debiased_host() const {
  const auto z = sums_.debiased();
  return {z.begin(), z.end()};
}

}  // namespace sgp::core
