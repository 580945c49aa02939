// Tests for the Fashion-MNIST loader (data/fashion_mnist.hpp): the real
// dataset when installed, and corrupt fixtures written to a temp directory.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <unistd.h>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/fashion_mnist.hpp"
#include "tests/skip.hpp"

using sgp::data::load_fashion_mnist;
using sgp::data::split;

namespace {

const std::string installed_dir = "/usr/share/datasets/fashion-mnist";

using bytes = std::vector<std::uint8_t>;

void put_u32(bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

bytes images_file(std::uint32_t magic, std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                  std::size_t pixel_bytes) {
  bytes out;
  put_u32(out, magic);
  put_u32(out, count);
  put_u32(out, rows);
  put_u32(out, cols);
  for (std::size_t i = 0; i < pixel_bytes; ++i) out.push_back(static_cast<std::uint8_t>(i * 7));
  return out;
}

bytes labels_file(std::uint32_t count, std::uint8_t max_label = 9) {
  bytes out;
  put_u32(out, 0x00000801);
  put_u32(out, count);
  for (std::uint32_t i = 0; i < count; ++i) out.push_back(static_cast<std::uint8_t>(i % 10));
  if (count > 0) out.back() = max_label;
  return out;
}

bytes gzip(const bytes& raw) {
  uLongf size = compressBound(raw.size()) + 64;
  bytes out(size);
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = const_cast<Bytef*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

/// A directory with a small valid test split (5 images) unless changed.
struct fixture_dir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("sgp_data_test_" + std::to_string(::getpid()));
  std::string images = (path / "t10k-images-idx3-ubyte.gz").string();
  std::string labels = (path / "t10k-labels-idx1-ubyte.gz").string();

  fixture_dir() {
    std::filesystem::create_directories(path);
    write(images, gzip(images_file(0x803, 5, 28, 28, 5 * 784)));
    write(labels, gzip(labels_file(5)));
  }
  ~fixture_dir() { std::filesystem::remove_all(path); }
  static void write(const std::string& file, const bytes& content) {
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(content.data()),
               static_cast<std::streamsize>(content.size()));
  }
  std::string error() const {
    auto set = load_fashion_mnist(path.string(), split::test);
    REQUIRE_FALSE(set.ok());
    CHECK(set.err().message.find('\n') == std::string::npos);
    return set.err().message;
  }
};

}  // namespace

TEST_CASE("the installed Fashion-MNIST loads and is normalised", "[data]") {
  if (!std::filesystem::exists(installed_dir + "/train-images-idx3-ubyte.gz")) {
    SGP_SKIP(installed_dir << " not found (apt install dataset-fashion-mnist)");
  }
  auto train = load_fashion_mnist(installed_dir, split::train);
  INFO((train.ok() ? "" : train.err().message));
  REQUIRE(train.ok());
  CHECK(train->size() == 60000);
  CHECK(train->channels == 1);
  CHECK(train->height == 28);
  CHECK(train->width == 28);
  CHECK(train->classes == 10);
  REQUIRE(train->images.size() == 60000u * 784u);
  std::vector<int> per_class(10, 0);
  int out_of_range = 0;
  for (auto label : train->labels) {
    if (label < 0 || label >= 10) {
      ++out_of_range;
    } else {
      ++per_class[label];
    }
  }
  CHECK(out_of_range == 0);
  for (int count : per_class) CHECK(count == 6000);
  double sum = 0.0;
  double sum_sq = 0.0;
  for (float v : train->images) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  const double mean = sum / static_cast<double>(train->images.size());
  const double var = sum_sq / static_cast<double>(train->images.size()) - mean * mean;
  CHECK(std::abs(mean) < 0.01);
  CHECK(std::sqrt(var) == Approx(1.0).epsilon(0.02));

  auto test = load_fashion_mnist(installed_dir, split::test);
  REQUIRE(test.ok());
  CHECK(test->size() == 10000);

  auto prefix = load_fashion_mnist(installed_dir, split::train, 100);
  REQUIRE(prefix.ok());
  REQUIRE(prefix->size() == 100);
  CHECK(std::equal(prefix->images.begin(), prefix->images.end(), train->images.begin()));
  CHECK(std::equal(prefix->labels.begin(), prefix->labels.end(), train->labels.begin()));
}

TEST_CASE("a valid fixture loads with pixels normalised", "[data]") {
  fixture_dir dir;
  auto set = load_fashion_mnist(dir.path.string(), split::test);
  INFO((set.ok() ? "" : set.err().message));
  REQUIRE(set.ok());
  CHECK(set->size() == 5);
  CHECK(set->labels[4] == 9);
  CHECK(set->images[0] == Approx((0.0f - 0.2860f) / 0.3530f));
  CHECK(set->images[1] == Approx((7.0f / 255.0f - 0.2860f) / 0.3530f));
  auto three = load_fashion_mnist(dir.path.string(), split::test, 3);
  REQUIRE(three.ok());
  CHECK(three->size() == 3);
  CHECK(three->images.size() == 3u * 784u);
}

TEST_CASE("corrupt Fashion-MNIST files are named with what is wrong", "[data]") {
  fixture_dir dir;
  SECTION("missing file") {
    std::filesystem::remove(dir.images);
    CHECK(dir.error() == dir.images + ": cannot open (No such file or directory)");
  }
  SECTION("missing directory") {
    auto set = load_fashion_mnist("/nonexistent/sgp", split::train);
    REQUIRE_FALSE(set.ok());
    CHECK(set.err().message ==
          "/nonexistent/sgp/train-images-idx3-ubyte.gz: cannot open (No such file or directory)");
  }
  SECTION("bad magic") {
    dir.write(dir.images, gzip(images_file(0x801, 5, 28, 28, 5 * 784)));
    CHECK(dir.error() ==
          dir.images + ": bad magic 0x00000801 (expected 0x00000803 for IDX3 images)");
  }
  SECTION("truncated pixels") {
    dir.write(dir.images, gzip(images_file(0x803, 5, 28, 28, 1000)));
    CHECK(dir.error() == dir.images + ": truncated: expected 3920 bytes of pixels, got 1000");
  }
  SECTION("trailing data") {
    dir.write(dir.images, gzip(images_file(0x803, 5, 28, 28, 6 * 784)));
    CHECK_THAT(dir.error(), Catch::StartsWith(dir.images + ": unexpected data after"));
  }
  SECTION("wrong image size") {
    dir.write(dir.images, gzip(images_file(0x803, 5, 32, 32, 5 * 1024)));
    CHECK(dir.error() == dir.images + ": images are 32x32 (expected 28x28)");
  }
  SECTION("not gzip") {
    dir.write(dir.images, images_file(0x803, 5, 28, 28, 5 * 784));
    CHECK_THAT(dir.error(), Catch::StartsWith(dir.images + ": not a gzip file"));
  }
  SECTION("truncated gzip stream") {
    bytes gz = gzip(images_file(0x803, 5, 28, 28, 5 * 784));
    gz.resize(gz.size() / 2);
    dir.write(dir.images, gz);
    CHECK_THAT(dir.error(), Catch::StartsWith(dir.images + ": corrupt or truncated gzip stream"));
  }
  SECTION("corrupt gzip data") {
    bytes gz = gzip(images_file(0x803, 5, 28, 28, 5 * 784));
    for (std::size_t i = 20; i < gz.size() - 10; i += 3) gz[i] ^= 0x5a;
    dir.write(dir.images, gz);
    CHECK_THAT(dir.error(), Catch::StartsWith(dir.images + ": "));
  }
  SECTION("empty file") {
    dir.write(dir.labels, {});
    CHECK_THAT(dir.error(), Catch::StartsWith(dir.labels + ": "));
  }
  SECTION("label count differs from image count") {
    dir.write(dir.labels, gzip(labels_file(4)));
    CHECK(dir.error() == dir.labels + ": 4 labels, but " + dir.images + " has 5 images");
  }
  SECTION("a header that claims far more than the file holds") {
    // 65535 images of 65535x65535: read as far as the data goes, never
    // allocated as claimed.
    dir.write(dir.images, gzip(images_file(0x803, 65535, 65535, 65535, 5 * 784)));
    CHECK_THAT(dir.error(),
               Catch::StartsWith(dir.images + ": truncated: expected 281462092005375 bytes of "
                                              "pixels, got 3920"));
  }
  SECTION("no images") {
    dir.write(dir.images, gzip(images_file(0x803, 0, 28, 28, 0)));
    dir.write(dir.labels, gzip(labels_file(0)));
    CHECK(dir.error() == dir.images + ": holds no images");
  }
  SECTION("label out of range") {
    dir.write(dir.labels, gzip(labels_file(5, 12)));
    CHECK(dir.error() == dir.labels + ": label 12 at index 4 is out of range 0..9");
  }
}
