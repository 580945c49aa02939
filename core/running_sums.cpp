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
  const double p = uniform_mixing_weight(d);
  // One pass over x for all peers: the share p·x_i is computed from x before
  // any of this push's subtractions, so every peer gets the same share.
  std::vector<const double*> old(d, nullptr);
  std::vector<std::shared_ptr<std::vector<double>>> next(d);
  for (std::size_t k = 0; k < d; ++k) {
    SGP_ASSERT(out_peers[k] != id_);
    const auto& e = out_[out_peers[k]];
    old[k] = e.mass ? e.mass->data() : nullptr;
    next[k] = std::make_shared<std::vector<double>>();
    next[k]->reserve(x_.size());
  }
  for (std::size_t i = 0; i < x_.size(); ++i) {
    const double share = p * static_cast<double>(x_[i]);
    double x = static_cast<double>(x_[i]);
    for (std::size_t k = 0; k < d; ++k) {
      const double before = old[k] != nullptr ? old[k][i] : 0.0;
      const double after = before + share;
      next[k]->push_back(after);
      // Subtract what the cumulative sum recorded, exactly as the receiver
      // will compute its difference: rounding of the ever-growing sum then
      // neither creates nor destroys mass.
      x -= after - before;
    }
    x_[i] = static_cast<T>(x);
  }
  const double weight = p * w_;
  messages.reserve(d);
  for (std::size_t k = 0; k < d; ++k) {
    auto& e = out_[out_peers[k]];
    e.mass = std::move(next[k]);
    const double before_w = e.weight;
    e.weight = before_w + weight;
    w_ -= e.weight - before_w;
    ++e.seq;
    messages.push_back(push_message{id_, out_peers[k], e.seq, e.mass, e.weight});
  }
  return messages;
}

template <class T>
push_message running_sums<T>::send(std::size_t to, std::span<const double> share, double weight) {
  SGP_ASSERT(to != id_);
  SGP_ASSERT(share.size() == x_.size());
  auto& e = out_[to];
  const double* old = e.mass ? e.mass->data() : nullptr;
  auto next = std::make_shared<std::vector<double>>();
  next->reserve(x_.size());
  for (std::size_t i = 0; i < x_.size(); ++i) {
    const double before = old != nullptr ? old[i] : 0.0;
    const double after = before + share[i];
    next->push_back(after);
    x_[i] = static_cast<T>(static_cast<double>(x_[i]) - (after - before));
  }
  e.mass = std::move(next);
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
  if (!e.mass) e.mass = std::make_shared<const std::vector<double>>(x_.size(), 0.0);
  ++e.seq;
  return push_message{id_, to, e.seq, e.mass, e.weight};
}

template <class T>
apply_outcome running_sums<T>::apply(const push_message& message) {
  if (message.to != id_ || message.from == id_) return apply_outcome::misrouted;
  if (!message.mass || message.mass->size() != x_.size()) return apply_outcome::malformed;
  const auto found = in_.find(message.from);
  if (message.seq <= (found == in_.end() ? 0 : found->second.seq)) return apply_outcome::stale;
  auto& e = found == in_.end() ? in_[message.from] : found->second;
  const double* in = message.mass->data();
  const double* old = e.mass ? e.mass->data() : nullptr;
  for (std::size_t i = 0; i < x_.size(); ++i) {
    const double before = old != nullptr ? old[i] : 0.0;
    x_[i] = static_cast<T>(static_cast<double>(x_[i]) + (in[i] - before));
  }
  w_ += message.weight - e.weight;
  e.mass = message.mass;  // shared, not copied
  e.weight = message.weight;
  e.seq = message.seq;
  return apply_outcome::applied;
}

template <class T>
std::span<const double> running_sums<T>::sent_mass(std::size_t to) const {
  const auto it = out_.find(to);
  if (it == out_.end() || !it->second.mass) return {};
  return std::span<const double>(*it->second.mass);
}

template <class T>
double running_sums<T>::sent_weight(std::size_t to) const {
  const auto it = out_.find(to);
  return it == out_.end() ? 0.0 : it->second.weight;
}

template <class T>
std::span<const double> running_sums<T>::applied_mass(std::size_t from) const {
  const auto it = in_.find(from);
  if (it == in_.end() || !it->second.mass) return {};
  return std::span<const double>(*it->second.mass);
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
