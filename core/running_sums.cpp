// Robust push-sum by running sums: sender and receiver sides of every edge.
#include "core/running_sums.hpp"

#include <algorithm>
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
  std::vector<std::shared_ptr<mass_vector>> next(d);
  for (std::size_t k = 0; k < d; ++k) {
    SGP_ASSERT(out_peers[k] != id_);
    const auto& e = out_[out_peers[k]];
    next[k] = std::make_shared<mass_vector>(x_.size());
    if (e.mass) {
      old[k] = e.mass->data();
    } else {
      std::fill(next[k]->begin(), next[k]->end(), 0.0);  // the edge's first push
      old[k] = next[k]->data();
    }
  }
  T* xs = x_.data();
  const std::size_t n = x_.size();
  for (std::size_t k = 0; k < d; ++k) {
    // Later peers must see the share computed from x before this push: the
    // k-th pass uses x scaled back by what the earlier passes removed.
    const double* before = old[k];
    double* after = next[k]->data();
    const double q = p / (1.0 - static_cast<double>(k) * p);
    for (std::size_t i = 0; i < n; ++i) {
      const double share = q * static_cast<double>(xs[i]);
      const double b = before[i];
      const double a = b + share;
      after[i] = a;
      // Subtract what the cumulative sum recorded, exactly as the receiver
      // will compute its difference: rounding of the ever-growing sum then
      // neither creates nor destroys mass.
      xs[i] = static_cast<T>(static_cast<double>(xs[i]) - (a - b));
    }
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
  auto next = std::make_shared<mass_vector>(x_.size());
  if (!e.mass) std::fill(next->begin(), next->end(), 0.0);  // the edge's first push
  const double* old = e.mass ? e.mass->data() : next->data();
  double* out = next->data();
  for (std::size_t i = 0; i < x_.size(); ++i) {
    const double before = old[i];
    const double after = before + share[i];
    out[i] = after;
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
  if (!e.mass) e.mass = std::make_shared<const mass_vector>(x_.size(), 0.0);
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
  T* xs = x_.data();
  if (e.mass) {
    const double* old = e.mass->data();
    for (std::size_t i = 0; i < x_.size(); ++i) {
      xs[i] = static_cast<T>(static_cast<double>(xs[i]) + (in[i] - old[i]));
    }
  } else {
    for (std::size_t i = 0; i < x_.size(); ++i) {
      xs[i] = static_cast<T>(static_cast<double>(xs[i]) + in[i]);
    }
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
