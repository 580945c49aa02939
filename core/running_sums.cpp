// Robust push-sum by running sums: sender and receiver sides of every edge.
#include "core/running_sums.hpp"

#include <utility>

#include "core/assert.hpp"
#include "core/push_sum.hpp"

namespace sgp::core {

running_sums::running_sums(std::size_t id, std::unique_ptr<mass_space> space, double w)
    : id_(id), space_(std::move(space)), w_(w) {
  SGP_ASSERT(space_ != nullptr);
  SGP_ASSERT(w_ >= 0.0);
}

running_sums::running_sums(std::size_t id, std::vector<float> x, double w)
    : running_sums(id, std::make_unique<host_mass_space<float>>(std::move(x)), w) {}

running_sums::running_sums(std::size_t id, std::vector<double> x, double w)
    : running_sums(id, std::make_unique<host_mass_space<double>>(std::move(x)), w) {}

std::vector<double> running_sums::debiased() const {
  SGP_ASSERT(w_ > 0.0);
  auto z = space_->x_host();
  const double inv = 1.0 / w_;
  for (auto& v : z) v *= inv;
  return z;
}

std::vector<push_message> running_sums::push(std::span<const std::size_t> out_peers, bool bf16,
                                             const step* first, double self_weight) {
  const double fraction = out_peers.empty() ? 0.0 : mixing_weight(out_peers.size(), self_weight);
  return send(out_peers, fraction, bf16, first);
}

std::vector<push_message> running_sums::send(std::span<const std::size_t> to, double fraction,
                                             bool bf16, const step* first) {
  std::vector<push_message> messages;
  if (to.empty()) {
    if (first != nullptr) space_->add_scaled(first->delta, first->scale);
    return messages;
  }
  std::vector<const mass_block*> old(to.size(), nullptr);
  for (std::size_t k = 0; k < to.size(); ++k) {
    SGP_ASSERT(to[k] != id_);
    const auto it = out_.find(to[k]);
    if (it != out_.end()) old[k] = it->second.mass.get();
  }
  auto next = first != nullptr
                  ? space_->step_and_send(first->delta, first->scale, old, fraction, bf16)
                  : space_->send(old, fraction, bf16);
  SGP_ASSERT(next.size() == to.size());
  const double weight = fraction * w_;
  messages.reserve(to.size());
  for (std::size_t k = 0; k < to.size(); ++k) {
    auto& e = out_[to[k]];
    e.mass = std::move(next[k]);
    // As for x: subtract what the cumulative weight recorded.
    const double before_w = e.weight;
    e.weight = before_w + weight;
    w_ -= e.weight - before_w;
    ++e.seq;
    messages.push_back(push_message{id_, to[k], e.seq, e.mass, e.weight});
  }
  return messages;
}

push_message running_sums::resend(std::size_t to) {
  SGP_ASSERT(to != id_);
  auto& e = out_[to];
  if (!e.mass) e.mass = space_->zeros();
  ++e.seq;
  return push_message{id_, to, e.seq, e.mass, e.weight};
}

apply_outcome running_sums::apply(const push_message& message) {
  if (message.to != id_ || message.from == id_) return apply_outcome::misrouted;
  if (!message.mass || message.mass->size() != space_->size()) return apply_outcome::malformed;
  const auto found = in_.find(message.from);
  if (message.seq <= (found == in_.end() ? 0 : found->second.seq)) return apply_outcome::stale;
  const mass_block* old = found == in_.end() ? nullptr : found->second.mass.get();
  auto kept = space_->apply(message.mass, old);
  if (!kept) return apply_outcome::malformed;
  auto& e = found == in_.end() ? in_[message.from] : found->second;
  w_ += message.weight - e.weight;
  e.mass = std::move(kept);  // shared, not copied (unless it lived in another space)
  e.weight = message.weight;
  e.seq = message.seq;
  return apply_outcome::applied;
}

std::vector<double> running_sums::sent_mass(std::size_t to) const {
  const auto it = out_.find(to);
  if (it == out_.end() || !it->second.mass) return {};
  return it->second.mass->to_host();
}

double running_sums::sent_weight(std::size_t to) const {
  const auto it = out_.find(to);
  return it == out_.end() ? 0.0 : it->second.weight;
}

std::vector<double> running_sums::applied_mass(std::size_t from) const {
  const auto it = in_.find(from);
  if (it == in_.end() || !it->second.mass) return {};
  return it->second.mass->to_host();
}

double running_sums::applied_weight(std::size_t from) const {
  const auto it = in_.find(from);
  return it == in_.end() ? 0.0 : it->second.weight;
}

std::uint64_t running_sums::applied_seq(std::size_t from) const {
  const auto it = in_.find(from);
  return it == in_.end() ? 0 : it->second.seq;
}

void running_sums::forget_peer(std::size_t peer) {
  out_.erase(peer);
  in_.erase(peer);
}

std::vector<std::size_t> running_sums::out_edges() const {
  std::vector<std::size_t> peers;
  for (const auto& [to, e] : out_) {
    if (e.mass) peers.push_back(to);
  }
  return peers;
}

}  // namespace sgp::core
