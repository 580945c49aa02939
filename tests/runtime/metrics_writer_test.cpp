// metrics.jsonl through runtime::metrics_writer: one line per event in the
// order written, and a reopened file continues instead of starting over.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/json_read.hpp"
#include "runtime/metrics_writer.hpp"

namespace {

std::vector<sgp::core::json_value> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<sgp::core::json_value> out;
  for (std::string line; std::getline(in, line);) {
    auto v = sgp::core::parse_json(line);
    REQUIRE(v.has_value());
    out.push_back(*v);
  }
  return out;
}

}  // namespace

TEST_CASE("the metrics writer appends one line per event to RUN_DIR/metrics.jsonl", "[runtime]") {
  const std::string dir = "/tmp/sgp_runtime_metrics_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + sgp::runtime::metrics_file_name;
  {
    sgp::runtime::metrics_writer m;
    REQUIRE(m.open_in(dir).ok());
    REQUIRE(m.is_open());
    sgp::core::metrics::train_record r;
    r.iteration = 3;
    r.loss = 0.5;
    REQUIRE(m.train(r).ok());
    REQUIRE(m.eval({-1, 3, 0.25, 1.0, 0.7, 0.8}).ok());
    REQUIRE(m.end_of_run({3, 1.5, 0.0, 1.0, 1.0}).ok());
    REQUIRE(m.close().ok());
    REQUIRE_FALSE(m.is_open());
  }
  {
    sgp::runtime::metrics_writer m;  // a resumed run continues the file
    REQUIRE(m.open_in(dir).ok());
    REQUIRE(m.resume(3, dir + "/checkpoints/latest.ckpt").ok());
    REQUIRE(m.line(sgp::core::metrics::consensus_line(4, 2.0, 0.125)).ok());
    REQUIRE(m.close().ok());
  }
  const auto lines = read_lines(path);
  REQUIRE(lines.size() == 5);
  const std::vector<std::string> events{"train", "eval", "final", "resume", "consensus"};
  for (std::size_t i = 0; i < events.size(); ++i) REQUIRE(lines[i]["event"].text == events[i]);
  REQUIRE(lines[0]["iteration"].number == 3);
  REQUIRE(lines[1]["node"].number == -1);
  REQUIRE(lines[1]["test_accuracy"].number == Approx(0.8));
  REQUIRE(lines[3]["iteration"].number == 3);
  REQUIRE(lines[3]["checkpoint"].text == dir + "/checkpoints/latest.ckpt");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a metrics file that cannot be opened is an error naming it", "[runtime]") {
  sgp::runtime::metrics_writer m;
  const auto st = m.open_in("/nonexistent/sgp/run");
  REQUIRE_FALSE(st.ok());
  REQUIRE(st.err().message.find("/nonexistent/sgp/run/metrics.jsonl") != std::string::npos);
  REQUIRE_FALSE(m.is_open());
}
