// The host-memory mass space (see host_mass_space.hpp).
#include "core/host_mass_space.hpp"

#include <algorithm>

#include "core/assert.hpp"
#include "core/bf16.hpp"
#include "core/flat_ops.hpp"
#include "core/parallel_chunks.hpp"

namespace sgp::core {

void host_mass::copy_to(std::span<double> out) const {
  SGP_ASSERT(out.size() == values_.size());
  parallel_chunks(values_.size(), [&](std::size_t b, std::size_t e) {
    std::copy(values_.begin() + static_cast<std::ptrdiff_t>(b),
              values_.begin() + static_cast<std::ptrdiff_t>(e),
              out.begin() + static_cast<std::ptrdiff_t>(b));
  });
}
namespace {

/// The share fraction * x, rounded to bf16 when asked.
inline double share_of(double x, double fraction, bool bf16) {
  const double s = fraction * x;
  return bf16 ? static_cast<double>(round_to_bf16(static_cast<float>(s))) : s;
}

}  // namespace

template <class T>
void host_mass_space<T>::add_scaled(std::span<const float> delta, float scale) {
  SGP_ASSERT(delta.size() == x_.size());
  T* x = x_.data();
  const float* d = delta.data();
  for (std::size_t i = 0; i < x_.size(); ++i) x[i] += static_cast<T>(scale * d[i]);
}

template <class T>
void host_mass_space<T>::debias(double w, std::span<float> z) const {
  SGP_ASSERT(z.size() == x_.size());
  SGP_ASSERT(w > 0.0);
  const double inv = 1.0 / w;
  for (std::size_t i = 0; i < x_.size(); ++i) {
    z[i] = static_cast<float>(static_cast<double>(x_[i]) * inv);
  }
}

template <class T>
std::vector<shared_mass> host_mass_space<T>::send(std::span<const mass_block* const> old,
                                                  double fraction, bool bf16) {
  return send_after_step(old, fraction, bf16, nullptr, 0.0f);
}

template <class T>
std::vector<shared_mass> host_mass_space<T>::step_and_send(std::span<const float> delta,
                                                           float scale,
                                                           std::span<const mass_block* const> old,
                                                           double fraction, bool bf16) {
  SGP_ASSERT(delta.size() == x_.size());
  return send_after_step(old, fraction, bf16, delta.data(), scale);
}

template <class T>
std::vector<shared_mass> host_mass_space<T>::send_after_step(std::span<const mass_block* const> old,
                                                             double fraction, bool bf16,
                                                             const float* delta, float scale) {
  const std::size_t d = old.size();
  const std::size_t n = x_.size();
  std::vector<const double*> before(d, nullptr);
  std::vector<std::shared_ptr<host_mass>> next(d);
  pool_->allow(cached_blocks * d);
  for (std::size_t k = 0; k < d; ++k) {
    if (old[k] != nullptr) {
      const auto* h = dynamic_cast<const host_mass*>(old[k]);
      SGP_ASSERT(h != nullptr && h->size() == n);
      before[k] = h->data();
    }
    next[k] = std::make_shared<host_mass>(pool_, n);
  }
  T* xs = x_.data();
  // x after the step, rounded as add_scaled() rounds it.
  auto stepped = [xs, delta, scale](std::size_t i) {
    return delta == nullptr ? xs[i] : static_cast<T>(xs[i] + static_cast<T>(scale * delta[i]));
  };
  if (d == 1) {
    // The common case (one peer per iteration), without the inner loop.
    const double* b = before[0];
    double* a = next[0]->data();
    if (b == nullptr) {
      for (std::size_t i = 0; i < n; ++i) {
        const auto xi = static_cast<double>(stepped(i));
        const double s = share_of(xi, fraction, bf16);
        a[i] = s;
        xs[i] = static_cast<T>(xi - s);
      }
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        const auto xi = static_cast<double>(stepped(i));
        const double s = share_of(xi, fraction, bf16);
        const double after = b[i] + s;
        a[i] = after;
        xs[i] = static_cast<T>(xi - (after - b[i]));
      }
    }
  } else if (d > 1) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto xi = static_cast<double>(stepped(i));
      const double s = share_of(xi, fraction, bf16);
      double sent = 0.0;
      for (std::size_t k = 0; k < d; ++k) {
        const double b = before[k] != nullptr ? before[k][i] : 0.0;
        const double after = b + s;
        next[k]->data()[i] = after;
        // What the receiver will add: the recorded difference, not s.
        sent += after - b;
      }
      xs[i] = static_cast<T>(xi - sent);
    }
  } else if (delta != nullptr) {
    add_scaled({delta, n}, scale);  // no edge: only the step
  }
  return {next.begin(), next.end()};
}

template <class T>
shared_mass host_mass_space<T>::apply(const shared_mass& in, const mass_block* old) {
  const auto* h = dynamic_cast<const host_mass*>(in.get());
  if (h == nullptr || h->size() != x_.size()) return nullptr;
  const auto* o = dynamic_cast<const host_mass*>(old);
  if (old != nullptr && (o == nullptr || o->size() != x_.size())) return nullptr;
  const double* a = h->data();
  T* xs = x_.data();
  if (o != nullptr) {
    const double* b = o->data();
    for (std::size_t i = 0; i < x_.size(); ++i) {
      xs[i] = static_cast<T>(static_cast<double>(xs[i]) + (a[i] - b[i]));
    }
  } else {
    for (std::size_t i = 0; i < x_.size(); ++i) {
      xs[i] = static_cast<T>(static_cast<double>(xs[i]) + a[i]);
    }
  }
  return in;
}

template <class T>
shared_mass host_mass_space<T>::zeros() {
  auto z = std::make_shared<host_mass>(pool_, x_.size());
  std::fill(z->data(), z->data() + z->size(), 0.0);
  return z;
}

template class host_mass_space<float>;
template class host_mass_space<double>;

}  // namespace sgp::core
