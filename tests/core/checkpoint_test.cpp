// Checkpoint files: round trip, atomic write, damaged files are errors.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/checkpoint.hpp"

namespace {

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "sgp_checkpoint_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

sgp::core::checkpoint sample() {
  sgp::core::checkpoint c;
  c.put_floats("x", std::vector<float>{1.5f, -2.25f, 3.0f});
  c.put_doubles("w", std::vector<double>{0.125});
  c.put_ints("iteration", std::vector<std::int64_t>{42});
  c.put_string("model", "cnn");
  return c;
}

}  // namespace

TEST_CASE("checkpoint round-trips every entry bit for bit", "[core]") {
  const auto path = temp_path("roundtrip.ckpt");
  REQUIRE(sample().save(path).ok());
  REQUIRE_FALSE(std::filesystem::exists(path + ".tmp"));
  auto loaded = sgp::core::checkpoint::load(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->floats("x", 3).value() == std::vector<float>{1.5f, -2.25f, 3.0f});
  CHECK(loaded->doubles("w").value() == std::vector<double>{0.125});
  CHECK(loaded->ints("iteration").value() == std::vector<std::int64_t>{42});
  CHECK(loaded->string("model").value() == "cnn");
}

TEST_CASE("checkpoint getters name missing, mistyped and missized entries", "[core]") {
  const auto c = sample();
  auto missing = c.floats("momentum");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.err().message, Catch::Contains("momentum"));
  CHECK_FALSE(c.doubles("x").ok());
  auto sized = c.floats("x", 4);
  REQUIRE_FALSE(sized.ok());
  CHECK_THAT(sized.err().message, Catch::Contains("expected 4"));
}

TEST_CASE("damaged checkpoint files are errors that name the path", "[core]") {
  const auto path = temp_path("damaged.ckpt");
  REQUIRE(sample().save(path).ok());
  std::vector<char> bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  SECTION("flipped byte") {
    bytes[bytes.size() / 2] ^= 0x5a;
  }
  SECTION("truncated") {
    bytes.resize(bytes.size() - 5);
  }
  SECTION("not a checkpoint") {
    bytes.assign(100, 'z');
  }
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  auto loaded = sgp::core::checkpoint::load(path);
  REQUIRE_FALSE(loaded.ok());
  CHECK_THAT(loaded.err().message, Catch::StartsWith(path));
}

TEST_CASE("a missing checkpoint file is an error naming it", "[core]") {
  auto loaded = sgp::core::checkpoint::load("/nonexistent/sgp.ckpt");
  REQUIRE_FALSE(loaded.ok());
  CHECK_THAT(loaded.err().message, Catch::Contains("/nonexistent/sgp.ckpt"));
}
