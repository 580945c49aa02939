// Tests for the bandwidth and duration parsers (config/units.hpp).
#include <catch2/catch.hpp>

#include "config/units.hpp"

using sgp::config::parse_bandwidth_bits_per_second;
using sgp::config::parse_duration_seconds;

TEST_CASE("bandwidths parse into bits per second", "[config]") {
  CHECK(*parse_bandwidth_bits_per_second("10Gbit") == Approx(1e10));
  CHECK(*parse_bandwidth_bits_per_second("1Gbit") == Approx(1e9));
  CHECK(*parse_bandwidth_bits_per_second("100Mbit") == Approx(1e8));
  CHECK(*parse_bandwidth_bits_per_second("1.5Gbit") == Approx(1.5e9));
  CHECK(*parse_bandwidth_bits_per_second("25Gbps") == Approx(2.5e10));
  CHECK(*parse_bandwidth_bits_per_second("64kbit") == Approx(6.4e4));
  CHECK(*parse_bandwidth_bits_per_second("800bit") == Approx(800));
}

TEST_CASE("bad bandwidths are rejected with the reason", "[config]") {
  auto unit = parse_bandwidth_bits_per_second("10Gb");
  REQUIRE_FALSE(unit.ok());
  CHECK_THAT(unit.err().message, Catch::Contains("unknown unit 'Gb'") && Catch::Contains("Gbit"));
  auto missing = parse_bandwidth_bits_per_second("10");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.err().message, Catch::Contains("missing unit"));
  CHECK_FALSE(parse_bandwidth_bits_per_second("0Gbit").ok());
  CHECK_FALSE(parse_bandwidth_bits_per_second("-1Gbit").ok());
  CHECK_FALSE(parse_bandwidth_bits_per_second("Gbit").ok());
  CHECK_FALSE(parse_bandwidth_bits_per_second("1.2.3Gbit").ok());
  CHECK_FALSE(parse_bandwidth_bits_per_second("").ok());
  CHECK_FALSE(parse_bandwidth_bits_per_second("10 Gbit").ok());
}

TEST_CASE("durations parse into seconds", "[config]") {
  CHECK(*parse_duration_seconds("5ms") == Approx(0.005));
  CHECK(*parse_duration_seconds("0ms") == 0.0);
  CHECK(*parse_duration_seconds("1s") == Approx(1.0));
  CHECK(*parse_duration_seconds("200us") == Approx(2e-4));
  CHECK(*parse_duration_seconds("1.5s") == Approx(1.5));
  CHECK(*parse_duration_seconds("250ns") == Approx(2.5e-7));
}

TEST_CASE("bad durations are rejected with the reason", "[config]") {
  auto bad = parse_duration_seconds("5 minutes");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.err().message, Catch::Contains("\"5 minutes\""));
  CHECK_FALSE(parse_duration_seconds("0").ok());
  CHECK_FALSE(parse_duration_seconds("-5ms").ok());
  CHECK_FALSE(parse_duration_seconds("ms").ok());
  CHECK_FALSE(parse_duration_seconds("5h").ok());
}

TEST_CASE("durations beyond a day are rejected, a day is not", "[config]") {
  CHECK(*parse_duration_seconds("86400s") == Approx(86400.0));
  auto huge = parse_duration_seconds("1000000000000s");
  REQUIRE_FALSE(huge.ok());
  CHECK_THAT(huge.err().message, Catch::Contains("at most 1 day"));
  CHECK_FALSE(parse_duration_seconds("86401s").ok());
  CHECK_FALSE(parse_duration_seconds("100000000000000000ms").ok());
}
