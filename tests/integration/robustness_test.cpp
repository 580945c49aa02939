// `sgp train` never loses a run: a full disk is an error, signals stop a
// multi-node run cleanly, a paused process carries on, a run directory
// holds one run at a time, and a closed stdout does not kill the run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "tests/integration/sgp_process.hpp"

namespace {

using sgp::test::json_number_field;
using sgp::test::read_text;
using sgp::test::run_shell;
using sgp::test::sgp_binary;

/// Four nodes on small synthetic images, `epochs` epochs (100000: only a
/// signal or `stop` ends it).
std::string group_config(const std::string& run_dir, int epochs) {
  return "[run]\ndir = \"" + run_dir +
         "\"\n[cluster]\nnodes = 4\n[model]\nname = \"mlp\"\n"
         "[data]\nname = \"synthetic\"\nbatch_size = 8\nheight = 8\nwidth = 8\nclasses = 4\n"
         "synthetic_train_samples = 512\nsynthetic_test_samples = 64\n"
         "[schedule]\nepochs = " +
         std::to_string(epochs) + "\n[algorithm]\nname = \"sgp\"\n[output]\nprogress = false\n";
}

std::string one_node_config(const std::string& run_dir, int epochs) {
  return "[run]\ndir = \"" + run_dir +
         "\"\n[model]\nname = \"mlp\"\n[data]\nname = \"synthetic\"\nbatch_size = 32\n"
         "synthetic_train_samples = 256\nsynthetic_test_samples = 64\n[schedule]\nepochs = " +
         std::to_string(epochs) + "\n[output]\nprogress = false\n";
}

/// Shell lines: start `sgp ARGS` in the background (output in LOG), wait
/// until its metrics.jsonl in RUN has lines, then run `then`; the exit code
/// of sgp is printed as "rc=N". The background process never outlives it.
std::string background_run(const std::string& args, const std::string& log, const std::string& run,
                           const std::string& then) {
  return "trap 'kill -KILL $pid 2>/dev/null' EXIT; " + sgp_binary() + " " + args + " >" + log +
         " 2>&1 & pid=$!; for i in $(seq 600); do [ -s " + run +
         "/metrics.jsonl ] && break; sleep 0.05; done; " + then + "; wait $pid; echo rc=$?";
}

int rc_of(const std::string& output) {
  const auto at = output.rfind("rc=");
  return at == std::string::npos ? -1 : std::stoi(output.substr(at + 3));
}

/// Every line of a metrics file is one JSON object.
void check_json_lines(const std::string& path) {
  const auto text = read_text(path);
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const auto line = text.substr(start, end - start);
    INFO(path << ": " << line);
    CHECK(line.size() >= 2);
    CHECK(line.front() == '{');
    CHECK(line.back() == '}');
    CHECK(line.find('{', 1) == std::string::npos);  // no two lines run together
    start = end + 1;
  }
}

}  // namespace

TEST_CASE("a full disk fails a multi-node run and names the file", "[integration]") {
  const auto dir = sgp::test::fresh_dir("full_disk");
  sgp::test::write_text(dir + "/c.toml", group_config(dir + "/run", 2));
  std::filesystem::create_directories(dir + "/run");
  std::filesystem::create_symlink("/dev/full", dir + "/run/metrics.jsonl");
  const auto r = sgp::test::run_sgp("train " + dir + "/c.toml --overwrite");
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.output, Catch::Contains("sgp: error: " + dir + "/run/metrics.jsonl: write failed"));
  CHECK_THAT(r.output, Catch::Contains("No space left on device"));
  CHECK(!std::filesystem::exists(dir + "/run/summary.json"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("SIGTERM stops a multi-node run with a summary and exit code 143", "[integration]") {
  const auto dir = sgp::test::fresh_dir("sigterm");
  sgp::test::write_text(dir + "/c.toml", group_config(dir + "/run", 100000));
  const auto r = run_shell(
      background_run("train " + dir + "/c.toml", dir + "/log", dir + "/run", "kill -TERM $pid"));
  const auto log = read_text(dir + "/log");
  INFO(r.output << log);
  CHECK(rc_of(r.output) == 143);
  CHECK_THAT(log, Catch::Contains("stopping"));
  CHECK_THAT(log, Catch::Contains("averaged"));
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 4);
  check_json_lines(dir + "/run/metrics.jsonl");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a second signal exits at once", "[integration]") {
  const auto dir = sgp::test::fresh_dir("two_signals");
  sgp::test::write_text(dir + "/c.toml", group_config(dir + "/run", 100000));
  // Both pending while it is stopped, delivered together when it continues
  // (in either order, to any of its threads). One alone stops cleanly with
  // a summary (the test above); the second exits at once with its code.
  const auto r = run_shell(
      background_run("train " + dir + "/c.toml", dir + "/log", dir + "/run",
                     "kill -STOP $pid; kill -TERM $pid; kill -HUP $pid; kill -CONT $pid"));
  INFO(r.output << read_text(dir + "/log"));
  const int rc = rc_of(r.output);
  CHECK((rc == 129 || rc == 143));
  CHECK(!std::filesystem::exists(dir + "/run/summary.json"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a paused process carries on with every node when it continues", "[integration]") {
  const auto dir = sgp::test::fresh_dir("sigstop");
  sgp::test::write_text(dir + "/c.toml", group_config(dir + "/run", 100000));
  // Stopped three times as long as the heartbeat timeout.
  const auto r = run_shell(background_run(
      "train " + dir + "/c.toml --set cluster.heartbeat_timeout=1s", dir + "/log", dir + "/run",
      "kill -STOP $pid; sleep 3; kill -CONT $pid; sleep 1.5; kill -TERM $pid"));
  const auto log = read_text(dir + "/log");
  INFO(r.output << log);
  CHECK(rc_of(r.output) == 143);
  CHECK_THAT(log, Catch::Contains("paused"));
  CHECK_THAT(log, !Catch::Contains("declared failed"));
  CHECK(json_number_field(read_text(dir + "/run/summary.json"), "live_nodes") == 4);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a second run into a run directory in use is refused", "[integration]") {
  const auto dir = sgp::test::fresh_dir("locked");
  sgp::test::write_text(dir + "/c.toml", group_config(dir + "/run", 100000));
  // Short: where nothing refused it, it would end by itself.
  const auto second = "train " + dir + "/c.toml --overwrite --set schedule.epochs=1 >" + dir +
                      "/second.log 2>&1; echo second=$?";
  const auto r = run_shell(background_run("train " + dir + "/c.toml", dir + "/log", dir + "/run",
                                          sgp_binary() + " " + second + "; kill -TERM $pid"));
  const auto second_log = read_text(dir + "/second.log");
  INFO(r.output << read_text(dir + "/log") << second_log);
  CHECK_THAT(r.output, Catch::Contains("second=1"));
  CHECK_THAT(second_log, Catch::Contains("sgp: error: " + dir +
                                         "/run: another run is using this run directory"));
  CHECK(rc_of(r.output) == 143);  // the first run is untouched
  check_json_lines(dir + "/run/metrics.jsonl");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a run directory that holds a run is refused unless --overwrite", "[integration]") {
  const auto dir = sgp::test::fresh_dir("reuse");
  sgp::test::write_text(dir + "/c.toml", one_node_config(dir + "/run", 1));
  REQUIRE(sgp::test::run_sgp("train " + dir + "/c.toml").exit_code == 0);
  const auto lines = read_text(dir + "/run/metrics.jsonl");
  const auto again = sgp::test::run_sgp("train " + dir + "/c.toml");
  INFO(again.output);
  CHECK(again.exit_code != 0);
  CHECK_THAT(again.output, Catch::Contains("sgp: error: " + dir + "/run: already holds a run"));
  CHECK_THAT(again.output, Catch::Contains("--overwrite"));
  CHECK(read_text(dir + "/run/metrics.jsonl") == lines);  // untouched
  const auto replaced = sgp::test::run_sgp("train " + dir + "/c.toml --overwrite");
  INFO(replaced.output);
  CHECK(replaced.exit_code == 0);
  const auto after = read_text(dir + "/run/metrics.jsonl");
  // The same run again: as many lines, not twice as many.
  CHECK(std::count(after.begin(), after.end(), '\n') ==
        std::count(lines.begin(), lines.end(), '\n'));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a resume appends on a line of its own after a resume marker", "[integration]") {
  const auto dir = sgp::test::fresh_dir("resume_marker");
  sgp::test::write_text(dir + "/c.toml", one_node_config(dir + "/run", 2));
  REQUIRE(sgp::test::run_sgp("train " + dir + "/c.toml --set schedule.epochs=1").exit_code == 0);
  // A run cut short in the middle of a line.
  run_shell("printf '{\"event\":\"train\",\"iter' >> " + dir + "/run/metrics.jsonl");
  const auto r = sgp::test::run_sgp("train " + dir + "/c.toml --resume " + dir + "/run");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto text = read_text(dir + "/run/metrics.jsonl");
  CHECK_THAT(text, Catch::Contains("\"iter\n{\"event\":\"resume\",\"iteration\":8,"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a console whose stdout reader has gone still finishes the run", "[integration]") {
  const auto dir = sgp::test::fresh_dir("epipe");
  sgp::test::write_text(dir + "/c.toml", group_config(dir + "/run", 2));
  // `true` exits at once: every write to stdout fails with EPIPE.
  const auto r = run_shell("bash -c '(echo status; sleep 4) | " + sgp_binary() + " train " + dir +
                           "/c.toml --console 2>" + dir + "/err | true; echo rc=${PIPESTATUS[1]}'");
  const auto err = read_text(dir + "/err");
  INFO(r.output << err);
  CHECK(rc_of(r.output) == 0);
  CHECK(json_number_field(read_text(dir + "/run/summary.json"), "live_nodes") == 4);
  CHECK_THAT(err, Catch::Contains("stdout"));
  std::filesystem::remove_all(dir);
}
