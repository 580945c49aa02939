// HMAC-SHA256 (RFC 2104 with SHA-256) and a constant-time digest comparison.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/sha256.hpp"

namespace sgp::core {

/// HMAC-SHA256 of `message` under `key` (any length; a key longer than the
/// 64-byte block is hashed first, as RFC 2104 says).
[[nodiscard]] sha256_digest hmac_sha256(std::span<const std::uint8_t> key,
                                        std::span<const std::uint8_t> message);
[[nodiscard]] sha256_digest hmac_sha256(std::string_view key, std::string_view message);

/// True when `a` and `b` hold the same bytes. Runs in time that depends only
/// on the lengths, never on where the bytes differ: no early exit; when the
/// lengths differ the result is false, after the shorter one is still read
/// through in full.
[[nodiscard]] bool digest_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);
[[nodiscard]] bool digest_equal(std::string_view a, std::string_view b);

}  // namespace sgp::core
