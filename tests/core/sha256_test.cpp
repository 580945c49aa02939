// SHA-256 against the FIPS 180-2 examples, incremental updates at every
// split, HMAC-SHA256 against all seven RFC 4231 cases, and digest_equal.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/hmac.hpp"
#include "core/sha256.hpp"

using namespace sgp::core;

namespace {

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

std::vector<std::uint8_t> repeated(std::uint8_t value, std::size_t count) {
  return std::vector<std::uint8_t>(count, value);
}

std::vector<std::uint8_t> bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}

}  // namespace

TEST_CASE("sha256: FIPS 180-2 examples and the empty message", "[sha256]") {
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1000000, 'a');
  CHECK(to_hex(sha256(million)) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: span and string_view overloads agree", "[sha256]") {
  const auto bytes = bytes_of("abc");
  CHECK(sha256(std::span<const std::uint8_t>(bytes)) == sha256("abc"));
  CHECK(sha256(std::span<const std::uint8_t>{}) == sha256(""));
}

TEST_CASE("sha256: incremental updates split at every offset equal one shot", "[sha256]") {
  // 200 bytes span three blocks and end mid-block, so splits cross block
  // boundaries and the padding falls in a fresh block.
  std::vector<std::uint8_t> input(200);
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = static_cast<std::uint8_t>(i * 37 + 11);
  const sha256_digest expected = sha256(input);
  const std::span<const std::uint8_t> all(input);
  for (std::size_t split = 0; split <= input.size(); ++split) {
    sha256_state state;
    state.update(all.first(split));
    state.update(all.subspan(split));
    INFO("split at " << split);
    CHECK(state.finish() == expected);
  }
  // Byte by byte, and with empty updates in between.
  sha256_state state;
  for (const std::uint8_t b : input) {
    state.update(std::span<const std::uint8_t>(&b, 1));
    state.update(std::span<const std::uint8_t>{});
  }
  CHECK(state.finish() == expected);
}

TEST_CASE("sha256: padding edges at 55, 56, 63 and 64 bytes", "[sha256]") {
  // Lengths where the length field just fits, just misses, or the block is full.
  CHECK(to_hex(sha256(std::string(55, 'a'))) ==
        "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(to_hex(sha256(std::string(56, 'a'))) ==
        "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(to_hex(sha256(std::string(63, 'a'))) ==
        "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  CHECK(to_hex(sha256(std::string(64, 'a'))) ==
        "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST_CASE("hmac: RFC 4231 test cases 1 to 7", "[hmac]") {
  SECTION("case 1") {
    CHECK(to_hex(hmac_sha256(repeated(0x0b, 20), bytes_of("Hi There"))) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  }
  SECTION("case 2: key shorter than the output") {
    CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
  SECTION("case 3") {
    CHECK(to_hex(hmac_sha256(repeated(0xaa, 20), repeated(0xdd, 50))) ==
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  }
  SECTION("case 4") {
    std::vector<std::uint8_t> key(25);
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i + 1);
    CHECK(to_hex(hmac_sha256(key, repeated(0xcd, 50))) ==
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  }
  SECTION("case 5: output truncated to 128 bits") {
    const sha256_digest mac = hmac_sha256(repeated(0x0c, 20), bytes_of("Test With Truncation"));
    CHECK(to_hex(std::span<const std::uint8_t>(mac).first(16)) ==
          "a3b6167473100ee06e0c796c2955552b");
  }
  SECTION("case 6: key larger than the block, hashed first") {
    CHECK(to_hex(hmac_sha256(repeated(0xaa, 131),
                             bytes_of("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  }
  SECTION("case 7: key and data larger than the block") {
    const auto data = bytes_of(
        "This is a test using a larger than block-size key and a larger than block-size data. "
        "The key needs to be hashed before being used by the HMAC algorithm.");
    CHECK(to_hex(hmac_sha256(repeated(0xaa, 131), data)) ==
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  }
}

TEST_CASE("hmac: digest_equal", "[hmac]") {
  const sha256_digest a = hmac_sha256("key", "message");
  sha256_digest b = a;
  CHECK(digest_equal(a, b));
  CHECK(digest_equal(std::span<const std::uint8_t>{}, std::span<const std::uint8_t>{}));
  CHECK(digest_equal("same", "same"));

  SECTION("a difference in the first, a middle or the last byte") {
    for (const std::size_t at : {std::size_t{0}, std::size_t{15}, std::size_t{31}}) {
      b = a;
      b[at] ^= 0x01;
      INFO("flipped byte " << at);
      CHECK_FALSE(digest_equal(a, b));
    }
  }
  SECTION("different lengths are unequal even when one is a prefix") {
    const std::span<const std::uint8_t> full(a);
    CHECK_FALSE(digest_equal(full, full.first(16)));
    CHECK_FALSE(digest_equal(full.first(16), full));
    CHECK_FALSE(digest_equal(full, std::span<const std::uint8_t>{}));
    CHECK_FALSE(digest_equal("abc", "abcd"));
  }
  SECTION("a different key gives a different digest") {
    CHECK_FALSE(digest_equal(a, hmac_sha256("key2", "message")));
  }
}
