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
  return options_.schedule.out_peers(view_.live, view_.links, iteration_, id());
}

std::vector<gossip_envelope> gossip_node::step(std::span<const float> delta) {
  SGP_ASSERT(delta.size() == sums_.size());
  const running_sums::step first{delta,
                                 static_cast<float>(options_.step_in_z_space ? sums_.w() : 1.0)};
  std::vector<gossip_envelope> out;
  if (!view_.live[id()]) {
    sums_.space().add_scaled(first.delta, first.scale);
  } else {
    // The step and the push in one pass over x. bf16: the same rounded
    // share for every peer, from x (after the step) before any of them.
    auto messages = sums_.push(out_peers(), options_.bf16_shares, &first);
    for (auto& message : messages) {
      const std::uint64_t to_incarnation = view_.incarnation[message.to];
      out.push_back({iteration_, view_.incarnation[id()], to_incarnation,
                     std::make_shared<const push_message>(std::move(message))});
    }
  }
  ++iteration_;
  return out;
}

gossip_envelope gossip_node::give(std::size_t to, double fraction) {
  const std::size_t peers[] = {to};
  auto message = std::move(sums_.send(peers, fraction).front());
  // Tagged with the previous iteration: it satisfies no wait of the receiver.
  return {iteration_ == 0 ? 0 : iteration_ - 1, view_.incarnation[id()], view_.incarnation[to],
          std::make_shared<const push_message>(std::move(message))};
}

apply_outcome gossip_node::receive(const gossip_envelope& envelope) {
  if (!envelope.message) {
    ++counters_.rejected;
    return apply_outcome::malformed;
  }
  const push_message& m = *envelope.message;
  if (m.from >= view_.live.size() || !view_.live[m.from] ||
      envelope.incarnation != view_.incarnation[m.from] ||
      envelope.receiver_incarnation != view_.incarnation[id()]) {
    ++counters_.rejected;
    return apply_outcome::misrouted;
  }
  const auto outcome = sums_.apply(m);
  switch (outcome) {
    case apply_outcome::applied: {
      ++counters_.applied;
      auto& heard = heard_[m.from];
      heard = std::max(heard, static_cast<std::int64_t>(envelope.iteration));
      break;
    }
    case apply_outcome::stale: {
      ++counters_.duplicate;
      // A stale message still proves that the sender reached its iteration.
      auto& heard = heard_[m.from];
      heard = std::max(heard, static_cast<std::int64_t>(envelope.iteration));
      break;
    }
    default:
      ++counters_.rejected;
  }
  return outcome;
}

std::int64_t gossip_node::required_iteration() const {
  // Before step k (= iteration_) a blocking node needs iteration k-1's
  // messages; an overlapped node lets tau + 1 more iterations be outstanding.
  const std::int64_t k = static_cast<std::int64_t>(iteration_);
  const std::int64_t lag =
      options_.mode == gossip_mode::blocking ? 0 : static_cast<std::int64_t>(options_.tau) + 1;
  return k - 1 - lag;
}

std::vector<std::size_t> gossip_node::waiting_on() const {
  std::vector<std::size_t> missing;
  const std::int64_t j = required_iteration();
  if (!options_.communicate || j < 0 || j <= waived_through_ || !view_.live[id()]) return missing;
  for (const std::size_t peer :
       options_.schedule.in_peers(view_.live, view_.links, static_cast<std::uint64_t>(j), id())) {
    const auto it = heard_.find(peer);
    if (it == heard_.end() || it->second < j) missing.push_back(peer);
  }
  return missing;
}

void gossip_node::debiased(std::span<float> z) const {
  sums_.space().debias(sums_.w(), z);
}

std::vector<float> gossip_node::debiased_host() const {
  const auto z = sums_.debiased();
  return {z.begin(), z.end()};
}

}  // namespace sgp::core
