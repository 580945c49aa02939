// The wire format (net/wire): CRC32C, frames, push and control codecs, and
// hostile input — truncated, oversized, bit-flipped and random frames are
// each refused and counted by reason.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

#include "core/rng.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/crc32c.hpp"
#include "net/wire/frame.hpp"
#include "net/wire/push_codec.hpp"

namespace wire = sgp::net::wire;
using wire::wire_error;

namespace {

std::vector<std::uint8_t> random_bytes(sgp::core::rng& r, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(r.next());
  return v;
}

wire::push_fields sample_fields(std::uint32_t count) {
  wire::push_fields f;
  f.sender = 3;
  f.receiver = 7;
  f.sender_incarnation = 2;
  f.receiver_incarnation = 5;
  f.iteration = 123456789012ULL;
  f.seq = 42;
  f.base = 40;
  f.weight = 0.1875;
  f.type = wire::dtype::f32;
  f.count = count;
  return f;
}

/// A header with chosen fields and a correct header checksum (so the test
/// reaches the check behind it).
std::vector<std::uint8_t> forged_header(std::uint8_t version, std::uint8_t kind,
                                        std::uint16_t flags, std::uint32_t size) {
  std::vector<std::uint8_t> h(wire::frame_header_size, 0);
  std::memcpy(h.data(), wire::frame_magic.data(), 4);
  h[4] = version;
  h[5] = kind;
  std::memcpy(h.data() + 6, &flags, 2);
  std::memcpy(h.data() + 8, &size, 4);
  const auto crc = wire::crc32c(std::span<const std::uint8_t>(h.data(), 20));
  std::memcpy(h.data() + 20, &crc, 4);
  return h;
}

/// A frame whose body is `body` with correct checksums.
std::vector<std::uint8_t> reframed(wire::frame_kind kind, std::vector<std::uint8_t> body) {
  return wire::encode_frame(kind, body);
}

}  // namespace

TEST_CASE("crc32c matches the standard check value and its table twin", "[net]") {
  const std::string_view check = "123456789";
  const auto* p = reinterpret_cast<const std::uint8_t*>(check.data());
  CHECK(wire::crc32c({p, check.size()}) == 0xE3069283u);
  CHECK(wire::crc32c_portable({p, check.size()}) == 0xE3069283u);
  sgp::core::rng r(5);
  for (std::size_t n :
       {0, 1, 7, 8, 9, 63, 767, 768, 769, 1000, 4099, 24575, 24576, 24583, 100003}) {
    const auto v = random_bytes(r, n);
    CHECK(wire::crc32c(v) == wire::crc32c_portable(v));
    // Extending over a split gives the CRC of the whole (gather writes).
    const std::span<const std::uint8_t> s(v);
    const std::size_t cut = n / 3;
    CHECK(wire::crc32c(s.subspan(cut), wire::crc32c(s.first(cut))) == wire::crc32c(v));
  }
}

TEST_CASE("push frames round-trip every field and the payload", "[net]") {
  sgp::core::rng r(1);
  for (auto type : {wire::dtype::f32, wire::dtype::bf16, wire::dtype::f64}) {
    auto f = sample_fields(1000);
    f.type = type;
    const auto payload = random_bytes(r, 1000 * wire::dtype_size(type));
    const auto bytes = wire::encode_push(f, payload);
    CHECK(bytes.size() == wire::push_head_size + payload.size());
    // The gather head is the frame's first 88 bytes.
    const auto head = wire::encode_push_head(f, payload);
    CHECK(std::equal(head.begin(), head.end(), bytes.begin()));
    wire::frame_decoder d;
    auto frame = d.decode(bytes);
    REQUIRE(frame.ok());
    CHECK(frame->kind == wire::frame_kind::push);
    auto push = wire::decode_push(d, frame.value());
    REQUIRE(push.ok());
    CHECK(push->fields == f);
    CHECK(std::equal(push->payload.begin(), push->payload.end(), payload.begin(), payload.end()));
    CHECK(d.rejected().total() == 0);
  }
}

TEST_CASE("control frames round-trip", "[net]") {
  wire::hello h{4, 0x000100u, 0xdeadbeefcafef00dULL, 99, {}};
  for (std::size_t i = 0; i < h.proof.size(); ++i) h.proof[i] = static_cast<std::uint8_t>(i * 7);
  const wire::heartbeat hb{2, 77, 123456789};
  const wire::ack a{7, 3, 5, 2, 41, 1000};
  wire::frame_decoder d;
  for (const wire::control_message& m :
       {wire::control_message{h}, wire::control_message{hb}, wire::control_message{a}}) {
    const auto bytes = wire::encode_control(m);
    auto frame = d.decode(bytes);
    REQUIRE(frame.ok());
    auto back = wire::decode_control(d, frame.value());
    REQUIRE(back.ok());
    CHECK(back.value() == m);
  }
  CHECK(d.rejected().total() == 0);
}

TEST_CASE("every truncation of a frame is refused as truncated", "[net]") {
  sgp::core::rng r(2);
  const auto payload = random_bytes(r, 40);
  const auto bytes = wire::encode_push(sample_fields(10), payload);
  wire::frame_decoder d;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto frame = d.decode(std::span<const std::uint8_t>(bytes.data(), n));
    REQUIRE_FALSE(frame.ok());
    CHECK(frame.error() == wire_error::truncated);
  }
  CHECK(d.rejected()[wire_error::truncated] == bytes.size());
  CHECK(d.rejected().total() == bytes.size());
}

TEST_CASE("every single bit flip of a frame is refused and counted", "[net]") {
  sgp::core::rng r(3);
  const auto payload = random_bytes(r, 64);
  const auto good = wire::encode_push(sample_fields(16), payload);
  wire::frame_decoder d;
  std::size_t refused = 0;
  for (std::size_t bit = 0; bit < good.size() * 8; ++bit) {
    auto bytes = good;
    bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    auto frame = d.decode(bytes);
    REQUIRE_FALSE(frame.ok());
    ++refused;
    if (bit < 32) {
      CHECK(frame.error() == wire_error::bad_magic);
    } else if (bit < 8 * wire::frame_header_size) {
      CHECK(frame.error() == wire_error::header_checksum);
    } else {
      CHECK(frame.error() == wire_error::body_checksum);
    }
  }
  CHECK(d.rejected().total() == refused);
  CHECK(d.rejected()[wire_error::bad_magic] == 32);
  CHECK(d.rejected()[wire_error::header_checksum] == 8 * (wire::frame_header_size - 4));
  CHECK(d.rejected()[wire_error::body_checksum] == 8 * (good.size() - wire::frame_header_size));
}

TEST_CASE("oversized and malformed headers are refused before any body is read", "[net]") {
  wire::frame_decoder d(wire::frame_limits{1u << 20});
  // A checksummed header claiming 4 GiB: refused from the 24 header bytes alone.
  auto h = forged_header(1, 1, 0, 0xffffffffu);
  CHECK(d.decode_header(h).error() == wire_error::too_large);
  h = forged_header(1, 1, 0, (1u << 20) + 1);
  CHECK(d.decode_header(h).error() == wire_error::too_large);
  h = forged_header(1, 1, 0, 1u << 20);
  CHECK(d.decode_header(h).ok());
  // A control kind must have its exact size.
  h = forged_header(1, 3, 0, wire::heartbeat_body_size + 1);
  CHECK(d.decode_header(h).error() == wire_error::too_large);
  h = forged_header(1, 4, 0, wire::ack_body_size - 1);
  CHECK(d.decode_header(h).error() == wire_error::body_size);
  h = forged_header(1, 1, 0, wire::push_header_size - 1);
  CHECK(d.decode_header(h).error() == wire_error::body_size);
  CHECK(d.decode_header(forged_header(2, 1, 0, 64)).error() == wire_error::bad_version);
  CHECK(d.decode_header(forged_header(1, 0, 0, 64)).error() == wire_error::bad_kind);
  CHECK(d.decode_header(forged_header(1, 9, 0, 64)).error() == wire_error::bad_kind);
  CHECK(d.decode_header(forged_header(1, 1, 4, 64)).error() == wire_error::bad_flags);
  CHECK(d.rejected().total() == 9);
  CHECK(d.rejected()[wire_error::too_large] == 3);
}

TEST_CASE("a frame followed by more bytes is refused by decode and split by decode_prefix",
          "[net]") {
  const auto one = wire::encode_control(wire::heartbeat{1, 2, 3});
  auto two = one;
  two.insert(two.end(), one.begin(), one.end());
  wire::frame_decoder d;
  CHECK(d.decode(two).error() == wire_error::trailing_bytes);
  std::size_t used = 0;
  CHECK(d.decode_prefix(two, used).ok());
  CHECK(used == one.size());
  CHECK(d.rejected()[wire_error::trailing_bytes] == 1);
}

TEST_CASE("push bodies with inconsistent fields are refused by reason", "[net]") {
  wire::frame_decoder d;
  const std::vector<std::uint8_t> payload(40, 0);
  const auto good_body = [&] {
    auto bytes = wire::encode_push(sample_fields(10), payload);
    return std::vector<std::uint8_t>(bytes.begin() + wire::frame_header_size, bytes.end());
  };
  auto refuse = [&](std::vector<std::uint8_t> body) {
    const auto bytes = reframed(wire::frame_kind::push, std::move(body));
    auto frame = d.decode(bytes);
    REQUIRE(frame.ok());  // the frame is sound; the push inside is not
    auto push = wire::decode_push(d, frame.value());
    REQUIRE_FALSE(push.ok());
    return push.error();
  };
  auto body = good_body();
  body[60] = 11;  // count 11, payload holds 10
  CHECK(refuse(body) == wire_error::count_mismatch);
  body = good_body();
  body.pop_back();
  CHECK(refuse(body) == wire_error::count_mismatch);
  body = good_body();
  body[56] = 9;  // dtype
  CHECK(refuse(body) == wire_error::bad_dtype);
  body = good_body();
  body[57] = 1;  // reserved
  CHECK(refuse(body) == wire_error::bad_flags);
  auto with = [&](auto edit) {
    auto f = sample_fields(10);
    edit(f);
    auto bytes = wire::encode_push(f, payload);
    return std::vector<std::uint8_t>(bytes.begin() + wire::frame_header_size, bytes.end());
  };
  CHECK(refuse(with([](auto& f) { f.seq = 0; })) == wire_error::bad_value);
  CHECK(refuse(with([](auto& f) { f.base = f.seq; })) == wire_error::bad_value);
  CHECK(refuse(with([](auto& f) { f.receiver = f.sender; })) == wire_error::bad_value);
  CHECK(refuse(with([](auto& f) { f.weight = std::nan(""); })) == wire_error::bad_value);
  CHECK(refuse(with([](auto& f) { f.weight = std::numeric_limits<double>::infinity(); })) ==
        wire_error::bad_value);
  CHECK(d.rejected().total() == 9);
  CHECK(d.rejected()[wire_error::bad_value] == 5);
  // A push decoded as control, and control decoded as a push.
  auto push_frame = d.decode(wire::encode_push(sample_fields(10), payload));
  REQUIRE(push_frame.ok());
  CHECK(wire::decode_control(d, push_frame.value()).error() == wire_error::bad_kind);
  const auto ack_bytes = wire::encode_control(wire::ack{1, 2, 0, 0, 1, 1});
  auto ack_frame = d.decode(ack_bytes);
  REQUIRE(ack_frame.ok());
  CHECK(wire::decode_push(d, ack_frame.value()).error() == wire_error::bad_kind);
  const auto self_ack = wire::encode_control(wire::ack{2, 2, 0, 0, 1, 1});
  CHECK(wire::decode_control(d, d.decode(self_ack).value()).error() == wire_error::bad_value);
}

TEST_CASE("random frames are refused and every refusal is counted", "[net]") {
  sgp::core::rng r(4);
  wire::frame_decoder d;
  std::uint64_t refused = 0;
  for (int k = 0; k < 20000; ++k) {
    auto bytes = random_bytes(r, r.below(300));
    // Half of them start with the magic, to get past the first check.
    if (k % 2 == 0 && bytes.size() >= 4) std::memcpy(bytes.data(), wire::frame_magic.data(), 4);
    auto frame = d.decode(bytes);
    if (!frame.ok()) {
      ++refused;
      continue;
    }
    FAIL("a random frame passed both checksums");
  }
  CHECK(refused == 20000);
  CHECK(d.rejected().total() == refused);
  CHECK(d.rejected()[wire_error::bad_magic] > 0);
  CHECK(d.rejected()[wire_error::header_checksum] > 0);
  CHECK(d.rejected()[wire_error::truncated] > 0);
}
