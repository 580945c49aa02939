// A process's incarnation: the clock, or past the previous life's.
#include "core/incarnation.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

using sgp::core::next_incarnation;
using sgp::core::read_incarnation;
using sgp::core::write_incarnation;

TEST_CASE("an incarnation is the clock, or one past the previous life's when the clock is behind",
          "[core]") {
  CHECK(next_incarnation(1000, std::nullopt) == 1000);
  CHECK(next_incarnation(1000, 999) == 1000);
  // The clock stepped back (or another host's is behind): still a later life.
  CHECK(next_incarnation(1000, 5000) == 5001);
  CHECK(next_incarnation(1000, 1000) == 1001);
}

TEST_CASE("an incarnation file round-trips, and a missing or damaged one reads as none", "[core]") {
  const auto dir = std::filesystem::temp_directory_path() / "sgp_incarnation_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = (dir / "incarnation").string();
  CHECK_FALSE(read_incarnation(path).has_value());
  REQUIRE(write_incarnation(path, 1764750000123456ULL).ok());
  CHECK(read_incarnation(path) == 1764750000123456ULL);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  REQUIRE(write_incarnation(path, 7).ok());  // replaced
  CHECK(read_incarnation(path) == 7u);
  std::ofstream(path) << "12ab\n";
  CHECK_FALSE(read_incarnation(path).has_value());
  std::ofstream(path) << "";
  CHECK_FALSE(read_incarnation(path).has_value());
  // A directory that does not exist: the error names the file.
  const auto bad = write_incarnation((dir / "missing" / "incarnation").string(), 1);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message.find("missing/incarnation.tmp: cannot be written") != std::string::npos);
  std::filesystem::remove_all(dir);
}
