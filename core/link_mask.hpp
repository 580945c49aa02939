// Which directed links between nodes are up: an n x n matrix, all up by
// default. Graph schedules route around the links that are down.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/assert.hpp"

namespace sgp::core {

/// Up/down state of every directed link from -> to among n nodes.
class link_mask {
 public:
  /// An empty mask (n = 0).
  link_mask() = default;
  /// n nodes, every link up.
  explicit link_mask(std::size_t n) : n_(n), up_(n * n, 1) {}

  /// Number of nodes.
  [[nodiscard]] std::size_t size() const { return n_; }

  /// Is the link from -> to up? (Both below size().)
  [[nodiscard]] bool up(std::size_t from, std::size_t to) const {
    SGP_ASSERT(from < n_ && to < n_);
    return up_[from * n_ + to] != 0;
  }

  /// Marks the link from -> to up or down.
  void set(std::size_t from, std::size_t to, bool is_up) {
    SGP_ASSERT(from < n_ && to < n_);
    up_[from * n_ + to] = is_up ? 1 : 0;
  }

  /// Marks both directions between a and b up or down.
  void set_both(std::size_t a, std::size_t b, bool is_up) {
    set(a, b, is_up);
    set(b, a, is_up);
  }

 private:
  std::size_t n_ = 0;
  std::vector<std::uint8_t> up_;
};

}  // namespace sgp::core
