// The notice codec: every topic round-trips (the console's command notice
// included), and a body with an unknown topic, a non-finite value or sizes
// that do not add up is refused and counted.
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <vector>

#include "net/wire/frame.hpp"
#include "net/wire/notice_codec.hpp"

namespace sgp::net::wire {
namespace {

wire_result<notice> decode(frame_decoder& d, const std::vector<std::uint8_t>& bytes) {
  auto frame = d.decode(bytes);
  REQUIRE(frame.ok());
  return decode_notice(d, frame.value());
}

/// A notice frame whose body is `body` (valid framing, any content).
std::vector<std::uint8_t> frame_of(const std::vector<std::uint8_t>& body) {
  return encode_frame(frame_kind::notice, body);
}

TEST_CASE("every notice topic round-trips, the console's command and the store too", "[net]") {
  for (auto topic = static_cast<std::uint32_t>(notice_topic::done);
       topic <= static_cast<std::uint32_t>(notice_topic::release); ++topic) {
    const notice n{3, static_cast<notice_topic>(topic), "link down 0 1", {1.5, -2.0}};
    frame_decoder d;
    const auto back = decode(d, encode_notice(n));
    REQUIRE(back.ok());
    CHECK(back.value() == n);
  }
}

TEST_CASE("a notice with an unknown topic, a non-finite value or wrong sizes is refused", "[net]") {
  const auto body_of = [](const notice& n) {
    const auto whole = encode_notice(n);
    frame_decoder d;
    const auto f = d.decode(whole);
    REQUIRE(f.ok());
    return std::vector<std::uint8_t>(f->body.begin(), f->body.end());
  };
  auto body = body_of({0, notice_topic::command, "heal", {}});
  frame_decoder d;

  auto unknown = body;
  const std::uint32_t past_last = static_cast<std::uint32_t>(notice_topic::release) + 1;
  std::memcpy(unknown.data() + 4, &past_last, 4);
  const auto r1 = decode(d, frame_of(unknown));
  REQUIRE_FALSE(r1.ok());
  CHECK(r1.error() == wire_error::bad_value);

  auto nan_body =
      body_of({0, notice_topic::weights, "", {std::numeric_limits<double>::quiet_NaN()}});
  const auto r2 = decode(d, frame_of(nan_body));
  REQUIRE_FALSE(r2.ok());
  CHECK(r2.error() == wire_error::bad_value);

  auto longer = body;
  const std::uint32_t too_long = 1000;
  std::memcpy(longer.data() + 8, &too_long, 4);
  const auto r3 = decode(d, frame_of(longer));
  REQUIRE_FALSE(r3.ok());
  CHECK(r3.error() == wire_error::body_size);

  CHECK(d.rejected()[wire_error::bad_value] == 2);
  CHECK(d.rejected()[wire_error::body_size] == 1);
}

}  // namespace
}  // namespace sgp::net::wire
