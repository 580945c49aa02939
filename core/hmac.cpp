// HMAC-SHA256 after RFC 2104 §2: H((K ^ opad) || H((K ^ ipad) || text)),
// block size 64 bytes, and a comparison that does not leak where two
// digests differ.
#include "core/hmac.hpp"

#include <algorithm>
#include <array>

namespace sgp::core {
namespace {

constexpr std::size_t k_block_size = 64;
constexpr std::uint8_t k_ipad = 0x36;
constexpr std::uint8_t k_opad = 0x5c;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

sha256_digest hmac_sha256(std::span<const std::uint8_t> key,
                          std::span<const std::uint8_t> message) {
  // The key padded with zeros to the block size; a longer key is hashed first.
  std::array<std::uint8_t, k_block_size> block_key{};
  if (key.size() > k_block_size) {
    const sha256_digest hashed = sha256(key);
    std::copy(hashed.begin(), hashed.end(), block_key.begin());
  } else {
    std::copy(key.begin(), key.end(), block_key.begin());
  }

  std::array<std::uint8_t, k_block_size> pad;
  for (std::size_t i = 0; i < k_block_size; ++i)
    pad[i] = static_cast<std::uint8_t>(block_key[i] ^ k_ipad);
  sha256_state inner;
  inner.update(pad);
  inner.update(message);
  const sha256_digest inner_digest = inner.finish();

  for (std::size_t i = 0; i < k_block_size; ++i)
    pad[i] = static_cast<std::uint8_t>(block_key[i] ^ k_opad);
  sha256_state outer;
  outer.update(pad);
  outer.update(inner_digest);
  return outer.finish();
}

sha256_digest hmac_sha256(std::string_view key, std::string_view message) {
  return hmac_sha256(as_bytes(key), as_bytes(message));
}

bool digest_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  // Every byte of the common prefix is compared, whatever is found; the
  // volatile accumulator keeps the compiler from turning the loop into an
  // early-exit memcmp. A length mismatch only decides the result at the end.
  const std::size_t n = std::min(a.size(), b.size());
  volatile std::uint8_t diff = 0;
  for (std::size_t i = 0; i < n; ++i) diff = diff | static_cast<std::uint8_t>(a[i] ^ b[i]);
  return (diff == 0) & (a.size() == b.size());
}

bool digest_equal(std::string_view a, std::string_view b) {
  return digest_equal(as_bytes(a), as_bytes(b));
}

}  // namespace sgp::core
