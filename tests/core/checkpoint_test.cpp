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

namespace {

/// A one-entry checkpoint file with a valid checksum, whatever the entry says.
void write_one_entry(const std::string& path, std::uint8_t type, std::size_t size) {
  std::vector<std::uint8_t> out = {'S', 'G', 'P', 'C', 'K', 'P', 'T', '1'};
  auto put = [&](auto v) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof v);
  };
  put(std::uint32_t{1});  // format version
  put(std::uint32_t{1});  // entries
  put(std::uint32_t{1});  // name size
  out.push_back('x');
  out.push_back(type);
  put(static_cast<std::uint64_t>(size));
  out.insert(out.end(), size, std::uint8_t{0});
  std::uint64_t h = 1469598103934665603ULL;
  for (const std::uint8_t b : out) {
    h ^= b;
    h *= 1099511628211ULL;
  }
  put(h);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
}

}  // namespace

TEST_CASE("entries of an unknown type or a ragged size are errors despite the checksum", "[core]") {
  const auto path = temp_path("entries.ckpt");
  write_one_entry(path, 3, 16);  // two int64: fine
  CHECK(sgp::core::checkpoint::load(path).ok());
  write_one_entry(path, 9, 16);
  auto unknown = sgp::core::checkpoint::load(path);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.err().message == path + ": entry 'x' has unknown type 9");
  write_one_entry(path, 2, 12);
  auto ragged = sgp::core::checkpoint::load(path);
  REQUIRE_FALSE(ragged.ok());
  CHECK(ragged.err().message == path + ": entry 'x' has 12 bytes, not a whole number of values");
}

TEST_CASE("a missing checkpoint file is an error naming it", "[core]") {
  auto loaded = sgp::core::checkpoint::load("/nonexistent/sgp.ckpt");
  REQUIRE_FALSE(loaded.ok());
  CHECK_THAT(loaded.err().message, Catch::Contains("/nonexistent/sgp.ckpt"));
}
