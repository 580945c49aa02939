// The user's own data: IDX files (plain or gzipped) and .npy arrays from any
// path, and a clear error for each kind of bad file or shape.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <numeric>

#include "data/npy_file.hpp"
#include "data/user_data.hpp"
#include "tests/data/npy_writer.hpp"

namespace {

using sgp::data::labelled_files;

std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("sgp_user_data_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

/// The error of loading .npy `images` and `labels` (empty when it loads).
std::string npy_error(const labelled_files& f) {
  auto d = sgp::data::load_npy_split(f, 0);
  return d.ok() ? std::string() : d.err().message;
}

}  // namespace

TEST_CASE("IDX files load from any path gzipped or not", "[data]") {
  const auto dir = temp_dir("idx");
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;
  sgp::test::make_images(12, 3, 5, 4, pixels, labels);
  const bool gzip = GENERATE(false, true);
  const labelled_files f{dir + "/img", dir + "/lab"};
  sgp::test::write_idx(f.images, {12, 5, 4}, pixels, gzip);
  sgp::test::write_idx(f.labels, {12}, labels, gzip);
  auto train = sgp::data::load_idx_split(f, 0);
  REQUIRE(train.ok());
  CHECK(train->size() == 12);
  CHECK(train->height == 5);
  CHECK(train->width == 4);
  CHECK(train->channels == 1);
  CHECK(train->images[4] == Approx(pixels[4] / 255.0f));
  auto test = sgp::data::load_idx_split(f, 6);
  REQUIRE(test.ok());
  CHECK(test->size() == 6);
  REQUIRE(sgp::data::prepare_pair(*train, *test, f, f).ok());
  CHECK(train->classes == 3);
  const double mean =
      std::accumulate(train->images.begin(), train->images.end(), 0.0) / train->images.size();
  CHECK(std::abs(mean) < 1e-5);

  sgp::test::write_idx(f.labels, {11}, std::vector<std::uint8_t>(11, 0), gzip);
  auto bad = sgp::data::load_idx_split(f, 0);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message == f.labels + ": 11 labels, but " + f.images + " has 12 images");
}

TEST_CASE(".npy images of 3 or 4 dimensions with integer labels load", "[data]") {
  const auto dir = temp_dir("npy");
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> small;
  sgp::test::make_images(8, 4, 4, 3, pixels, small);
  const labelled_files u8{dir + "/u8.npy", dir + "/l8.npy"};
  sgp::test::write_npy(u8.images, "|u1", "(8, 4, 3)", pixels);
  const std::vector<std::int64_t> labels(small.begin(), small.end());
  sgp::test::write_npy(u8.labels, "<i8", "(8,)", labels);
  auto a = sgp::data::load_npy_split(u8, 0);
  REQUIRE(a.ok());
  CHECK(a->channels == 1);
  CHECK(a->height == 4);
  CHECK(a->width == 3);
  CHECK(a->labels[3] == 3);
  CHECK(a->images[5] == Approx(pixels[5] / 255.0f));

  const labelled_files f32{dir + "/f32.npy", dir + "/l32.npy"};
  std::vector<float> values(2 * 3 * 2 * 2);
  std::iota(values.begin(), values.end(), -3.0f);
  sgp::test::write_npy(f32.images, "<f4", "(2, 3, 2, 2)", values);
  sgp::test::write_npy(f32.labels, "<i4", "(2,)", std::vector<std::int32_t>{1, 0});
  auto b = sgp::data::load_npy_split(f32, 0);
  REQUIRE(b.ok());
  CHECK(b->channels == 3);
  CHECK(b->height == 2);
  CHECK(b->images[0] == -3.0f);  // floats are taken as they are
  CHECK(b->images[23] == 20.0f);

  // Train (1, 4, 3) against test (3, 2, 2): refused.
  auto st = sgp::data::prepare_pair(*a, *b, u8, f32);
  REQUIRE_FALSE(st.ok());
  CHECK(st.err().message == f32.images + ": test samples are (3, 2, 2) but " + u8.images +
                                " has (1, 4, 3) (channels, height, width)");
}

TEST_CASE("bad .npy files and shapes give one clear error naming the file", "[data]") {
  const auto dir = temp_dir("npy_bad");
  const std::vector<float> img(2 * 3 * 4, 0.5f);
  const std::string images = dir + "/i.npy";
  const std::string labels = dir + "/l.npy";
  sgp::test::write_npy(images, "<f4", "(2, 3, 4)", img);
  sgp::test::write_npy(labels, "<i8", "(2,)", std::vector<std::int64_t>{0, 1});
  REQUIRE(npy_error({images, labels}).empty());

  const std::string flat = dir + "/flat.npy";
  sgp::test::write_npy(flat, "<f4", "(2, 12)", img);
  CHECK(npy_error({flat, labels}) ==
        flat + ": images must have shape (N, H, W) or (N, C, H, W), got (2, 12)");

  const std::string two_d = dir + "/l2.npy";
  sgp::test::write_npy(two_d, "<i8", "(2, 1)", std::vector<std::int64_t>{0, 1});
  CHECK(npy_error({images, two_d}) == two_d + ": labels must have shape (N,), got (2, 1)");

  const std::string float_labels = dir + "/lf.npy";
  sgp::test::write_npy(float_labels, "<f4", "(2,)", std::vector<float>{0, 1});
  CHECK(npy_error({images, float_labels}) ==
        float_labels + ": labels must be integers, got dtype '<f4'");

  const std::string three = dir + "/l3.npy";
  sgp::test::write_npy(three, "<i8", "(3,)", std::vector<std::int64_t>{0, 1, 2});
  CHECK(npy_error({images, three}) == three + ": 3 labels, but " + images + " has 2 images");

  const std::string negative = dir + "/ln.npy";
  sgp::test::write_npy(negative, "<i2", "(2,)", std::vector<std::int16_t>{0, -1});
  CHECK_THAT(npy_error({images, negative}),
             Catch::StartsWith(negative + ": label -1.000000 at index 1 is not an integer"));

  const std::string truncated = dir + "/t.npy";
  sgp::test::write_npy(truncated, "<f4", "(2, 3, 4)", img.data(), 40);
  CHECK(npy_error({truncated, labels}) == truncated +
                                              ": truncated: shape (2, 3, 4) of <f4 needs 96 "
                                              "bytes of data, the file has 40");

  const std::string big = dir + "/b.npy";
  sgp::test::write_npy(big, ">f4", "(2, 3, 4)", img);
  CHECK_THAT(npy_error({big, labels}), Catch::StartsWith(big + ": dtype '>f4' is not supported"));

  const std::string fortran = dir + "/f.npy";
  sgp::test::write_npy(fortran, "<f4", "(2, 3, 4)", img.data(), 96, true);
  CHECK_THAT(npy_error({fortran, labels}),
             Catch::StartsWith(fortran + ": Fortran-ordered arrays are not supported"));

  const std::string text = dir + "/x.npy";
  std::ofstream(text) << "not numpy at all";
  CHECK(npy_error({text, labels}) == text + ": not a .npy file (no \\x93NUMPY magic)");
  CHECK_THAT(npy_error({dir + "/missing.npy", labels}),
             Catch::StartsWith(dir + "/missing.npy: cannot open (No such file"));
}
