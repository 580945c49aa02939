// The safetensors writer: a small reader of our own parses what it wrote
// (header length, JSON header, data offsets) and compares every byte.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/safetensors.hpp"

namespace {

using sgp::core::named_tensor;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint64_t le64(const std::string& s) {
  std::uint64_t v = 0;
  for (int b = 7; b >= 0; --b)
    v = (v << 8) | static_cast<unsigned char>(s[static_cast<std::size_t>(b)]);
  return v;
}

/// The text of `key`'s object in the header (from the key to its closing brace).
std::string entry(const std::string& header, const std::string& key) {
  const auto at = header.find("\"" + key + "\":{");
  if (at == std::string::npos) return {};
  return header.substr(at, header.find('}', at) - at + 1);
}

/// [begin, end) of `key`'s data_offsets.
std::pair<std::uint64_t, std::uint64_t> offsets(const std::string& e) {
  const auto at = e.find("\"data_offsets\":[") + 16;
  const auto comma = e.find(',', at);
  return {std::stoull(e.substr(at, comma - at)), std::stoull(e.substr(comma + 1))};
}

}  // namespace

TEST_CASE("safetensors: read back, every byte", "[core]") {
  const std::string dir = std::filesystem::temp_directory_path() / "sgp_safetensors_test";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/model.safetensors";
  std::vector<named_tensor> tensors{
      {"1.weight", {2, 3}, {1.0f, -2.5f, 3.25f, 0.0f, 1e-8f, -7.0f}, {}, false},
      {"1.bias", {2}, {0.5f, -0.5f}, {}, false},
      {"1.num_batches_tracked", {}, {}, {123456789012LL}, true}};
  REQUIRE(sgp::core::write_safetensors(path, tensors, {{"format", "pt"}}).ok());
  REQUIRE_FALSE(std::filesystem::exists(path + ".tmp"));

  const std::string file = read_all(path);
  REQUIRE(file.size() > 8);
  const std::uint64_t n = le64(file);
  REQUIRE(n % 8 == 0);
  REQUIRE(8 + n <= file.size());
  const std::string header = file.substr(8, n);
  const std::string data = file.substr(8 + n);
  CHECK(header.find("\"__metadata__\":{\"format\":\"pt\"}") != std::string::npos);

  const auto w = entry(header, "1.weight");
  CHECK(w.find("\"dtype\":\"F32\"") != std::string::npos);
  CHECK(w.find("\"shape\":[2,3]") != std::string::npos);
  const auto b = entry(header, "1.bias");
  CHECK(b.find("\"shape\":[2]") != std::string::npos);
  const auto t = entry(header, "1.num_batches_tracked");
  CHECK(t.find("\"dtype\":\"I64\"") != std::string::npos);
  CHECK(t.find("\"shape\":[]") != std::string::npos);

  // Every tensor's bytes where its offsets say, and nothing after the last.
  std::uint64_t end = 0;
  for (const auto& tensor : tensors) {
    const auto [from, to] = offsets(entry(header, tensor.name));
    const std::size_t bytes = tensor.is_i64 ? tensor.i64.size() * 8 : tensor.f32.size() * 4;
    REQUIRE(to - from == bytes);
    const void* expected = tensor.is_i64 ? static_cast<const void*>(tensor.i64.data())
                                         : static_cast<const void*>(tensor.f32.data());
    CHECK(std::memcmp(data.data() + from, expected, bytes) == 0);
    end = std::max(end, to);
  }
  CHECK(end == data.size());
  std::filesystem::remove_all(dir);
}

TEST_CASE("safetensors: a shape that does not match the data is an error", "[core]") {
  auto bad = sgp::core::encode_safetensors({{"x", {2, 2}, {1.0f, 2.0f, 3.0f}, {}, false}}, {});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message.find("'x'") != std::string::npos);
  auto twice = sgp::core::encode_safetensors(
      {{"x", {1}, {1.0f}, {}, false}, {"x", {1}, {2.0f}, {}, false}}, {});
  CHECK_FALSE(twice.ok());
}

TEST_CASE("safetensors: an unwritable path is an error that names it", "[core]") {
  auto st = sgp::core::write_safetensors("/nonexistent-sgp-dir/model.safetensors",
                                         {{"x", {1}, {1.0f}, {}, false}}, {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.err().message.find("/nonexistent-sgp-dir/model.safetensors") != std::string::npos);
}
