// The host-memory mass space: x as floats or doubles in a std::vector and
// cumulative sums as double vectors. The CPU backend's nodes gossip here, and
// it is the CPU twin of the CUDA backend's device space.
#pragma once

#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "core/mass_space.hpp"

namespace sgp::core {

/// An allocator that leaves new elements uninitialised (every element of a
/// cumulative sum is written right after allocation; zeroing first would be
/// one more pass over a model-sized buffer).
template <class T>
struct uninitialised_allocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = uninitialised_allocator<U>;
  };
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// A cumulative mass vector in host memory.
using mass_vector = std::vector<double, uninitialised_allocator<double>>;

/// A mass block in host memory.
class host_mass final : public mass_block {
 public:
  /// `n` uninitialised values.
  explicit host_mass(std::size_t n) : values_(n) {}
  explicit host_mass(std::span<const double> values) : values_(values.begin(), values.end()) {}

  [[nodiscard]] std::size_t size() const override { return values_.size(); }
  [[nodiscard]] std::vector<double> to_host() const override {
    return {values_.begin(), values_.end()};
  }
  [[nodiscard]] const double* data() const { return values_.data(); }
  [[nodiscard]] double* data() { return values_.data(); }

 private:
  mass_vector values_;
};

/// x in host memory as T (float in training, double in exactness tests).
template <class T>
class host_mass_space final : public mass_space {
 public:
  explicit host_mass_space(std::vector<T> x) : x_(std::move(x)) {}

  [[nodiscard]] std::size_t size() const override { return x_.size(); }
  [[nodiscard]] std::vector<double> x_host() const override { return {x_.begin(), x_.end()}; }
  void add_scaled(std::span<const float> delta, float scale) override;
  void debias(double w, std::span<float> z) const override;
  [[nodiscard]] std::vector<shared_mass> send(std::span<const mass_block* const> old,
                                              double fraction, bool bf16) override;
  [[nodiscard]] shared_mass apply(const shared_mass& in, const mass_block* old) override;
  [[nodiscard]] shared_mass zeros() override;

  /// The numerator itself.
  [[nodiscard]] std::span<const T> x() const { return x_; }

 private:
  std::vector<T> x_;
};

extern template class host_mass_space<float>;
extern template class host_mass_space<double>;

}  // namespace sgp::core
