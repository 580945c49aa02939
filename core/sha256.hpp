// SHA-256 (FIPS 180-4 §6.2), standard library only: one-shot and incremental.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sgp::core {

/// A SHA-256 digest: 32 bytes, big-endian words as the standard writes them.
using sha256_digest = std::array<std::uint8_t, 32>;

/// Incremental SHA-256: feed bytes with update() in any split, then finish()
/// once. The digest equals sha256() of the concatenated input.
class sha256_state {
 public:
  sha256_state();

  /// Appends `data` to the message. Must not be called after finish().
  void update(std::span<const std::uint8_t> data);
  void update(std::string_view data);

  /// Pads the message, processes the last block(s) and returns the digest.
  /// Call once; the state is spent afterwards.
  [[nodiscard]] sha256_digest finish();

 private:
  void process_block(const std::uint8_t* block);

  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
  bool finished_ = false;
};

/// SHA-256 of `data` in one call.
[[nodiscard]] sha256_digest sha256(std::span<const std::uint8_t> data);
[[nodiscard]] sha256_digest sha256(std::string_view data);

}  // namespace sgp::core
