// Push-sum state of one node: uniform mixing and de-biasing.
#include "core/push_sum.hpp"

#include <utility>

#include "core/assert.hpp"
#include "core/flat_ops.hpp"

namespace sgp::core {

double uniform_mixing_weight(std::size_t out_degree) {
  return 1.0 / static_cast<double>(out_degree + 1);
}

double mixing_weight(std::size_t out_degree, double self_weight) {
  SGP_ASSERT(self_weight >= 0.0 && self_weight < 1.0);
  if (self_weight == 0.0 || out_degree == 0) return uniform_mixing_weight(out_degree);
  return (1.0 - self_weight) / static_cast<double>(out_degree);
}

template <class T>
push_sum_state<T>::push_sum_state(std::vector<T> x, double w) : x_(std::move(x)), w_(w) {
  SGP_ASSERT(w_ >= 0.0);
}

template <class T>
double push_sum_state<T>::scale_for_push(std::size_t out_degree) {
  const double p = uniform_mixing_weight(out_degree);
  if (out_degree == 0) return p;  // keeps everything, nothing to scale
  scale<T>(static_cast<T>(p), x_);
  w_ *= p;
  return p;
}

template <class T>
push_share<T> push_sum_state<T>::make_share(std::size_t out_degree) {
  scale_for_push(out_degree);
  return push_share<T>{x_, w_};
}

template <class T>
void push_sum_state<T>::receive(std::span<const T> x_share, double w_share) {
  add<T>(x_share, x_);
  w_ += w_share;
}

template <class T>
push_share<T> push_sum_state<T>::split_half() {
  scale<T>(static_cast<T>(0.5), x_);
  w_ *= 0.5;
  return push_share<T>{x_, w_};
}

template <class T>
void push_sum_state<T>::debiased(std::span<T> z) const {
  debias<T>(x_, w_, z);
}

template <class T>
std::vector<T> push_sum_state<T>::debiased() const {
  std::vector<T> z(x_.size());
  debiased(z);
  return z;
}

template class push_sum_state<float>;
template class push_sum_state<double>;

}  // namespace sgp::core
