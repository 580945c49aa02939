// CRC32C: hardware path (SSE4.2, chosen at run time) and a table fallback.
#include "net/wire/crc32c.hpp"

#include <array>
#include <cstring>
#include <utility>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace sgp::net::wire {
namespace {

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}

constexpr auto table = make_table();

#if defined(__x86_64__)
// Three interleaved crc32 streams (the instruction has a latency of three
// cycles and a throughput of one), joined by "shift the CRC over n zero
// bytes" operators: Mark Adler's crc32c.c (zlib licence) method.
constexpr std::size_t long_block = 8192;
constexpr std::size_t short_block = 256;

using shift_table = std::array<std::array<std::uint32_t, 256>, 4>;

std::uint32_t gf2_times(const std::array<std::uint32_t, 32>& mat, std::uint32_t vec) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; vec != 0; ++i, vec >>= 1)
    if ((vec & 1u) != 0) sum ^= mat[i];
  return sum;
}

void gf2_square(std::array<std::uint32_t, 32>& square, const std::array<std::uint32_t, 32>& mat) {
  for (std::size_t n = 0; n < 32; ++n) square[n] = gf2_times(mat, mat[n]);
}

/// The operator that appends `len` zero bytes to a CRC (len a power of two).
std::array<std::uint32_t, 32> zeros_op(std::size_t len) {
  std::array<std::uint32_t, 32> odd{};
  std::array<std::uint32_t, 32> even{};
  odd[0] = 0x82F63B78u;  // one zero bit
  std::uint32_t row = 1;
  for (std::size_t n = 1; n < 32; ++n, row <<= 1) odd[n] = row;
  gf2_square(even, odd);  // two zero bits
  gf2_square(odd, even);  // four zero bits
  // Each square doubles the count: the first gives one zero byte.
  while (true) {
    gf2_square(even, odd);
    len >>= 1;
    if (len == 0) return even;
    gf2_square(odd, even);
    len >>= 1;
    if (len == 0) return odd;
  }
}

shift_table make_shift(std::size_t len) {
  const auto op = zeros_op(len);
  shift_table t{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    t[0][n] = gf2_times(op, n);
    t[1][n] = gf2_times(op, n << 8);
    t[2][n] = gf2_times(op, n << 16);
    t[3][n] = gf2_times(op, n << 24);
  }
  return t;
}

std::uint32_t shift(const shift_table& t, std::uint32_t crc) {
  return t[0][crc & 0xffu] ^ t[1][(crc >> 8) & 0xffu] ^ t[2][(crc >> 16) & 0xffu] ^ t[3][crc >> 24];
}

std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  std::memcpy(&v, p, 8);  // unaligned-safe load
  return v;
}

__attribute__((target("sse4.2"))) std::uint64_t run3(std::uint64_t c0, const std::uint8_t* p,
                                                     std::size_t block, std::uint64_t& c1,
                                                     std::uint64_t& c2) {
  for (std::size_t i = 0; i < block; i += 8) {
    c0 = _mm_crc32_u64(c0, load64(p + i));
    c1 = _mm_crc32_u64(c1, load64(p + block + i));
    c2 = _mm_crc32_u64(c2, load64(p + 2 * block + i));
  }
  return c0;
}

__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::span<const std::uint8_t> bytes,
                                                             std::uint32_t crc) {
  static const shift_table long_shift = make_shift(long_block);
  static const shift_table short_shift = make_shift(short_block);
  std::uint64_t c = ~crc;
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  for (const auto& [block, table] :
       {std::pair{long_block, &long_shift}, std::pair{short_block, &short_shift}}) {
    while (n >= 3 * block) {
      std::uint64_t c1 = 0;
      std::uint64_t c2 = 0;
      c = run3(c, p, block, c1, c2);
      c = shift(*table, static_cast<std::uint32_t>(c)) ^ static_cast<std::uint32_t>(c1);
      c = shift(*table, static_cast<std::uint32_t>(c)) ^ static_cast<std::uint32_t>(c2);
      p += 3 * block;
      n -= 3 * block;
    }
  }
  while (n >= 8) {
    c = _mm_crc32_u64(c, load64(p));
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<std::uint32_t>(c);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

bool have_sse42() {
  static const bool yes = __builtin_cpu_supports("sse4.2");
  return yes;
}
#endif

}  // namespace

std::uint32_t crc32c_portable(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  std::uint32_t c = ~crc;
  for (const std::uint8_t b : bytes) c = table[(c ^ b) & 0xffu] ^ (c >> 8);
  return ~c;
}

std::uint32_t crc32c(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
#if defined(__x86_64__)
  if (have_sse42()) return crc32c_sse42(bytes, crc);
#endif
  return crc32c_portable(bytes, crc);
}

bool crc32c_hardware() {
#if defined(__x86_64__)
  return have_sse42();
#else
  return false;
#endif
}

}  // namespace sgp::net::wire
