// The logging facade: level filtering, the context on the line, and lines
// from several threads reaching the sink whole.
#include <catch2/catch.hpp>

#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/log.hpp"

using namespace sgp::core;

namespace {

/// Captures every line for the duration of a test; restores threshold,
/// sink and process name after.
struct capture {
  std::mutex mutex;
  std::vector<std::string> lines;
  log_level saved = log_threshold();

  capture() {
    set_log_sink([this](std::string_view line) {
      const std::lock_guard lock(mutex);
      lines.emplace_back(line);
    });
  }
  ~capture() {
    set_log_sink({});
    set_log_threshold(saved);
    set_log_process({});
  }
};

}  // namespace

TEST_CASE("log levels are named and parsed both ways", "[core]") {
  for (const auto level : {log_level::debug, log_level::info, log_level::warn, log_level::error}) {
    CHECK(parse_log_level(log_level_name(level)) == level);
  }
  CHECK_FALSE(parse_log_level("verbose").has_value());
  CHECK_FALSE(parse_log_level("INFO").has_value());
}

TEST_CASE("log drops the lines below the threshold", "[core]") {
  capture c;
  set_log_threshold(log_level::warn);
  log(log_level::debug, "t", "d");
  log(log_level::info, "t", "i");
  log(log_level::warn, "t", "w");
  log(log_level::error, "t", "e");
  CHECK(c.lines == std::vector<std::string>{"warn: t: w", "error: t: e"});
  CHECK_FALSE(log_enabled(log_level::info));
  CHECK(log_enabled(log_level::error));

  set_log_threshold(log_level::debug);
  log(log_level::debug, "t", "d");
  CHECK(c.lines.back() == "debug: t: d");
}

TEST_CASE("log renders the context it is given, and nothing it is not", "[core]") {
  capture c;
  set_log_threshold(log_level::info);
  log(log_level::info, "worker", "step", {.node = 3, .iteration = 120});
  log(log_level::warn, "supervisor", "silent", {.node = 0});
  log(log_level::info, "", "bare");
  logf(log_level::error, "compute", {.iteration = 7}, "%d of %s", 2, "three");
  log(log_level::info, "host", "joined", {.process = "p1"});
  REQUIRE(c.lines.size() == 5);
  CHECK(c.lines[0] == "[node 3 it 120] worker: step");
  CHECK(c.lines[1] == "[node 0] warn: supervisor: silent");
  CHECK(c.lines[2] == "bare");
  CHECK(c.lines[3] == "[it 7] error: compute: 2 of three");
  CHECK(c.lines[4] == "[process p1] host: joined");
}

TEST_CASE("log puts the process-wide name on lines whose context has none", "[core]") {
  capture c;
  set_log_threshold(log_level::info);
  set_log_process("p2");
  log(log_level::info, "worker", "step", {.node = 1, .iteration = 5});
  log(log_level::info, "host", "x", {.process = "p9"});
  CHECK(c.lines[0] == "[process p2 node 1 it 5] worker: step");
  CHECK(c.lines[1] == "[process p9] host: x");
  CHECK(format_log_line(log_level::warn, "s", "m", {}, "p3") == "[process p3] warn: s: m");
}

TEST_CASE("log lines from 8 threads never interleave", "[core]") {
  // The sink appends the line one character at a time: were two calls ever
  // inside it at once, a captured line would mix two writers' characters.
  std::mutex mutex;
  std::string stream;
  const auto saved = log_threshold();
  set_log_threshold(log_level::info);
  set_log_sink([&](std::string_view line) {
    for (const char ch : line) {
      const std::lock_guard lock(mutex);
      stream += ch;
      if (ch == '9') std::this_thread::yield();
    }
    const std::lock_guard lock(mutex);
    stream += '\n';
  });
  constexpr int threads = 8;
  constexpr int lines_each = 400;
  const std::string body(60, 'x');
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < lines_each; ++i) {
        log(log_level::info, "w", body + "9" + body, {.node = t, .iteration = i});
      }
    });
  }
  for (auto& th : pool) th.join();
  set_log_sink({});
  set_log_threshold(saved);

  std::vector<int> seen(threads, 0);
  std::size_t start = 0;
  int total = 0;
  while (start < stream.size()) {
    const auto end = stream.find('\n', start);
    REQUIRE(end != std::string::npos);
    const std::string line = stream.substr(start, end - start);
    start = end + 1;
    ++total;
    int node = -1;
    int it = -1;
    REQUIRE(std::sscanf(line.c_str(), "[node %d it %d]", &node, &it) == 2);
    REQUIRE(node >= 0);
    REQUIRE(node < threads);
    const std::string expected =
        format_log_line(log_level::info, "w", body + "9" + body, {.node = node, .iteration = it});
    REQUIRE(line == expected);
    CHECK(it == seen[node]);  // each thread's lines arrive in its order
    seen[node] = it + 1;
  }
  CHECK(total == threads * lines_each);
}
