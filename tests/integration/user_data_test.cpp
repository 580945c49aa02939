// `sgp train` on data of the user's own: .npy and IDX files written here,
// trained by one node and by a group, and the one-line errors for a missing
// key and a bad shape.
#include <catch2/catch.hpp>

#include "tests/data/npy_writer.hpp"
#include "tests/integration/sgp_process.hpp"

namespace {

using sgp::test::run_sgp;

/// Writes train (600) and test (120) sets of 8x6 images, 4 classes, in
/// `format` ("npy" or "idx"); returns the [data] table naming them.
std::string write_sets(const std::string& dir, const std::string& format) {
  std::string table = "[data]\nname = \"" + format + "\"\nbatch_size = 20\n";
  for (const auto& [split, n] : {std::pair{"train", 600}, std::pair{"test", 120}}) {
    std::vector<std::uint8_t> pixels;
    std::vector<std::uint8_t> labels;
    sgp::test::make_images(n, 4, 8, 6, pixels, labels);
    const std::string images = dir + "/" + split + "_images." + format;
    const std::string labels_path = dir + "/" + split + "_labels." + format;
    if (format == "npy") {
      sgp::test::write_npy(images, "|u1", "(" + std::to_string(n) + ", 8, 6)", pixels);
      const std::vector<std::int64_t> wide(labels.begin(), labels.end());
      sgp::test::write_npy(labels_path, "<i8", "(" + std::to_string(n) + ",)", wide);
    } else {
      sgp::test::write_idx(images, {static_cast<std::uint32_t>(n), 8, 6}, pixels, false);
      sgp::test::write_idx(labels_path, {static_cast<std::uint32_t>(n)}, labels, true);
    }
    table += std::string(split) + "_images = \"" + images + "\"\n" + split + "_labels = \"" +
             labels_path + "\"\n";
  }
  return table;
}

}  // namespace

TEST_CASE("sgp train learns from .npy and IDX files", "[integration]") {
  const std::string format = GENERATE("npy", "idx");
  const int nodes = GENERATE(1, 3);
  const auto dir = sgp::test::fresh_dir("user_data_" + format + std::to_string(nodes));
  sgp::test::write_text(dir + "/c.toml", "[run]\ndir = \"" + dir + "/run\"\n[cluster]\nnodes = " +
                                             std::to_string(nodes) + "\n[model]\nname = \"mlp\"\n" +
                                             write_sets(dir, format) +
                                             "[optimizer]\nlr = 0.05\n[schedule]\nepochs = 2\n"
                                             "[output]\nprogress = false\n");
  const auto r = run_sgp("train " + dir + "/c.toml");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto summary = sgp::test::read_text(dir + "/run/summary.json");
  // Four classes: chance is 0.25; the lit row gives the class away.
  CHECK(sgp::test::json_number_field(summary, "test_accuracy_mean_model") > 0.9);
}

TEST_CASE("data of the user's own: a missing file key or a bad shape is one error line",
          "[integration]") {
  const auto dir = sgp::test::fresh_dir("user_data_errors");
  sgp::test::write_text(dir + "/missing.toml",
                        "[data]\nname = \"npy\"\ntrain_images = \"a.npy\"\n");
  const auto missing = run_sgp("train " + dir + "/missing.toml");
  CHECK(missing.exit_code != 0);
  CHECK(missing.output == "sgp: error: " + dir +
                              "/missing.toml: data.train_labels: required when data.name = "
                              "\"npy\" (the .npy file's path)\n");

  const auto sets = write_sets(dir, "npy");
  const std::vector<float> flat(600 * 48, 0.5f);
  sgp::test::write_npy(dir + "/train_images.npy", "<f4", "(600, 48)", flat);
  sgp::test::write_text(dir + "/shape.toml", "[run]\ndir = \"" + dir + "/run\"\n" + sets);
  const auto shape = run_sgp("train " + dir + "/shape.toml");
  INFO(shape.output);
  CHECK(shape.exit_code != 0);
  CHECK_THAT(shape.output, Catch::EndsWith("sgp: error: data (train split): " + dir +
                                           "/train_images.npy: images must have shape (N, H, W) "
                                           "or (N, C, H, W), got (600, 48)\n"));
}
