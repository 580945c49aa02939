// Robust push-sum by running sums: sender and receiver sides of every edge.
#include "core/running_sums.hpp"

#include <utility>

#include "core/assert.hpp"
#include "core/flat_ops.hpp"
#include "core/push_sum.hpp"

namespace sgp::core {

template <class T>
running_sums<T>::running_sums(std::size_t id, std::vector<T> x, double w)
    : id_(id), x_(std::move(x)), w_(w) {
  SGP_ASSERT(w_ >= 0.0);
}

template <class T>
std::vector<T> running_sums<T>::debiased() const {
  std::vector<T> z(x_.size());
  debias<T>(x_, w_, z);
  return z;
}

template <class T>
std::vector<double> running_sums<T>::uniform_share(std::size_t out_degree) const {
  const double p = uniform_mixing_weight(out_degree);
  std::vector<double> share(x_.size());
  for (std::size_t i = 0; i < x_.size(); ++i) share[i] = p * static_cast<double>(x_[i]);
  return share;
}

template <class T>
std::vector<push_message> running_sums<T>::push(std::span<const std::size_t> out_peers) {
  const std::size_t d = out_peers.size();
  std::vector<push_message> messages;
  if (d == 0) return messages;
  const std::vector<double> share = uniform_share(d);
  const double weight = uniform_mixing_weight(d) * w_;
  messages.reserve(d);
  for (const std::size_t to : out_peers) messages.push_back(send(to, share, weight));
  return messages;
}

template <class T>
push_message running_sums<T>::send(std::size_t to, std::span<const double> share, double weight) {
  SGP_ASSERT(to != id_);
  SGP_ASSERT(share.size() == x_.size());
  auto& e = out_[to];
  if (e.mass.empty()) e.mass.assign(x_.size(), 0.0);
  for (std::size_t i = 0; i < x_.size(); ++i) {
    const double before = e.mass[i];
    e.mass[i] = before + share[i];
    // Subtract what the cumulative sum recorded, computed exactly as the
    // receiver computes its difference, so no rounding of the ever-growing
    // sum creates or destroys mass.
    x_[i] = static_cast<T>(static_cast<double>(x_[i]) - (e.mass[i] - before));
  }
  const double before_w = e.weight;
  e.weight = before_w + weight;
  w_ -= e.weight - before_w;
  ++e.seq;
  return push_message{id_, to, e.seq, e.mass, e.weight};
}

template <class T>
push_message running_sums<T>::resend(std::size_t to) {
  SGP_ASSERT(to != id_);
  auto& e = out_[to];
  if (e.mass.empty()) e.mass.assign(x_.size(), 0.0);
  ++e.seq;
  return push_message{id_, to, e.seq, e.mass, e.weight};
}

template <class T>
apply_outcome running_sums<T>::apply(const push_message& message) {
  if (message.to != id_ || message.from == id_) return apply_outcome::misrouted;
  if (message.mass.size() != x_.size()) return apply_outcome::malformed;
  const auto found = in_.find(message.from);
  if (message.seq <= (found == in_.end() ? 0 : found->second.seq)) return apply_outcome::stale;
  auto& e = found == in_.end() ? in_[message.from] : found->second;
  if (e.mass.empty()) e.mass.assign(x_.size(), 0.0);
  for (std::size_t i = 0; i < x_.size(); ++i) {
    x_[i] = static_cast<T>(static_cast<double>(x_[i]) + (message.mass[i] - e.mass[i]));
  }
  w_ += message.weight - e.weight;
  e.mass = message.mass;
  e.weight = message.weight;
  e.seq = message.seq;
  return apply_outcome::applied;
}

template <class T>
std::span<const double> running_sums<T>::sent_mass(std::size_t to) const {
  const auto it = out_.find(to);
  return it == out_.end() ? std::span<const double>{} : std::span<const double>(it->second.mass);
}

template <class T>
double running_sums<T>::sent_weight(std::size_t to) const {
  const auto it = out_.find(to);
  return it == out_.end() ? 0.0 : it->second.weight;
}

template <class T>
std::span<const double> running_sums<T>::applied_mass(std::size_t from) const {
  const auto it = in_.find(from);
  return it == in_.end() ? std::span<const double>{} : std::span<const double>(it->second.mass);
}

template <class T>
double running_sums<T>::applied_weight(std::size_t from) const {
  const auto it = in_.find(from);
  return it == in_.end() ? 0.0 : it->second.weight;
}

template <class T>
std::uint64_t running_sums<T>::applied_seq(std::size_t from) const {
  const auto it = in_.find(from);
  return it == in_.end() ? 0 : it->second.seq;
}

template <class T>
void running_sums<T>::forget_peer(std::size_t peer) {
  out_.erase(peer);
  in_.erase(peer);
}

template class running_sums<float>;
template class running_sums<double>;

}  // namespace sgp::core
