// The host-memory mass space: x as floats or doubles in a std::vector and
// cumulative sums as double vectors. The CPU backend's nodes gossip here, and
// it is the CPU twin of the CUDA backend's device space.
#pragma once

#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "core/host_block_pool.hpp"
#include "core/mass_space.hpp"

namespace sgp::core {

/// A mass block in host memory.
class host_mass final : public mass_block {
 public:
  /// `n` uninitialised values.
  explicit host_mass(std::size_t n) : values_(n) {}
  /// `n` uninitialised values from `pool`, given back to it at destruction.
  host_mass(std::shared_ptr<host_block_pool> pool, std::size_t n)
      : pool_(std::move(pool)), values_(pool_->take(n)) {}
  explicit host_mass(std::span<const double> values) : values_(values.begin(), values.end()) {}
  host_mass(const host_mass&) = delete;
  host_mass& operator=(const host_mass&) = delete;
  ~host_mass() override {
    if (pool_) pool_->give_back(std::move(values_));
  }

  [[nodiscard]] std::size_t size() const override { return values_.size(); }
  [[nodiscard]] std::vector<double> to_host() const override {
    return {values_.begin(), values_.end()};
  }
  void copy_to(std::span<double> out) const override;
  [[nodiscard]] const double* data() const { return values_.data(); }
  [[nodiscard]] double* data() { return values_.data(); }

 private:
  std::shared_ptr<host_block_pool> pool_;  ///< null: plain allocation
  mass_vector values_;
};

/// x in host memory as T (float in training, double in exactness tests).
template <class T>
class host_mass_space final : public mass_space {
 public:
  explicit host_mass_space(std::vector<T> x)
      : x_(std::move(x)), pool_(std::make_shared<host_block_pool>(cached_blocks)) {}

  [[nodiscard]] std::size_t size() const override { return x_.size(); }
  [[nodiscard]] std::vector<double> x_host() const override { return {x_.begin(), x_.end()}; }
  void add_scaled(std::span<const float> delta, float scale) override;
  void debias(double w, std::span<float> z) const override;
  [[nodiscard]] std::vector<shared_mass> send(std::span<const mass_block* const> old,
                                              double fraction, bool bf16) override;
  [[nodiscard]] std::vector<shared_mass> step_and_send(std::span<const float> delta, float scale,
                                                       std::span<const mass_block* const> old,
                                                       double fraction, bool bf16) override;
  [[nodiscard]] shared_mass apply(const shared_mass& in, const mass_block* old) override;
  [[nodiscard]] shared_mass zeros() override;

  /// The numerator itself.
  [[nodiscard]] std::span<const T> x() const { return x_; }

  /// Where this space's new blocks come from (tests).
  [[nodiscard]] const host_block_pool& pool() const { return *pool_; }

  /// Free blocks kept for reuse, per peer of a push: a push to d peers
  /// writes d blocks, and about d come back (each receiver drops the one it
  /// applied before).
  static constexpr std::size_t cached_blocks = 2;

 private:
  /// send(), with x += scale * delta first when `delta` is not null.
  std::vector<shared_mass> send_after_step(std::span<const mass_block* const> old, double fraction,
                                           bool bf16, const float* delta, float scale);

  std::vector<T> x_;
  std::shared_ptr<host_block_pool> pool_;
};

extern template class host_mass_space<float>;
extern template class host_mass_space<double>;

}  // namespace sgp::core
