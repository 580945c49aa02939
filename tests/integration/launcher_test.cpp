// `sgp launch`'s process starter (apps/launcher.hpp) on /bin/sh children:
// exit codes, the first failure, prefixed whole lines, exec failures, signal
// forwarding, and no child or descriptor left behind. run_children runs in a
// forked copy of this test with stdout and stderr into files.
#include "apps/launcher.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/sgp_process.hpp"

namespace {

using namespace std::chrono_literals;
using sgp::apps::child_spec;

struct launched {
  int exit_code = -1;  ///< the launcher process's
  std::string first_failure;
  std::string out;  ///< its stdout
  std::string err;  ///< its stderr
  int fds_before = -1;
  int fds_after = -1;
  bool children_left = true;  ///< an unreaped child remained after the call
  std::chrono::duration<double> seconds{};
};

int open_fds() {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

std::string test_dir(const std::string& name) {
  return sgp::test::fresh_dir("launch_" + name + "_" + std::to_string(::getpid()));
}

child_spec sh(const std::string& name, const std::string& script) {
  return {name, {"/bin/sh", "-c", script}};
}

/// Runs run_children in a forked process; `while_running(pid)` runs meanwhile.
launched launch(const std::string& dir, const std::vector<child_spec>& children,
                bool stop_on_failure = false,
                const std::function<void(pid_t)>& while_running = {}) {
  const std::string out_path = dir + "/out.txt";
  const std::string err_path = dir + "/err.txt";
  const std::string result_path = dir + "/result.txt";
  std::fflush(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (std::freopen(out_path.c_str(), "w", stdout) == nullptr ||
        std::freopen(err_path.c_str(), "w", stderr) == nullptr) {
      std::_Exit(120);
    }
    const int before = open_fds();
    const auto r = sgp::apps::run_children(children, stop_on_failure);
    const int after = open_fds();
    const bool left = ::waitpid(-1, nullptr, WNOHANG) != -1 || errno != ECHILD;
    if (std::FILE* f = std::fopen(result_path.c_str(), "w")) {
      std::fprintf(f, "%s\n%d %d %d\n", r.first_failure.c_str(), before, after, left ? 1 : 0);
      std::fclose(f);
    }
    std::_Exit(r.exit_code);
  }
  if (while_running) while_running(pid);
  int status = 0;
  const auto end = std::chrono::steady_clock::now() + 60s;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > end) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL("the launcher did not finish in 60 s");
    }
    std::this_thread::sleep_for(10ms);
  }
  launched l;
  l.seconds = std::chrono::steady_clock::now() - start;
  l.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  l.out = sgp::test::read_text(out_path);
  l.err = sgp::test::read_text(err_path);
  std::istringstream result(sgp::test::read_text(result_path));
  std::getline(result, l.first_failure);
  int left = 1;
  result >> l.fds_before >> l.fds_after >> left;
  l.children_left = left != 0;
  INFO("stdout:\n" << l.out << "stderr:\n" << l.err);
  CHECK(l.fds_before == l.fds_after);
  CHECK_FALSE(l.children_left);
  return l;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("Launch: children that all succeed give exit code 0", "[launch]") {
  const auto dir = test_dir("ok");
  const auto r = launch(dir, {sh("a", "echo hello"), sh("b", "echo world >&2")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.first_failure.empty());
  CHECK(r.out == "[a] hello\n");  // b's line went to stderr, not here
  CHECK(contains(r.err, "[b] world\n"));
  CHECK(contains(r.err, "launch: [a] exited with code 0\n"));
  CHECK(contains(r.err, "launch: [b] exited with code 0\n"));
}

TEST_CASE("Launch: the first failure gives the exit code and the others finish", "[launch]") {
  const auto dir = test_dir("fail");
  const auto r = launch(
      dir, {sh("slow", "sleep 0.5; echo slow done; exit 4"),
            sh("fail", "echo before; echo last words >&2; exit 3"), sh("fine", "echo fine")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);  // slow's 4 came later
  CHECK(r.first_failure == "fail");
  CHECK(contains(r.out, "[fail] before\n"));
  CHECK(contains(r.out, "[slow] slow done\n"));
  CHECK(contains(r.err, "launch: [fail] exited with code 3\n"));
  CHECK(contains(r.err, "launch: [slow] exited with code 4\n"));
  // A child's output comes before the line that reports its exit.
  CHECK(r.err.find("[fail] last words\n") < r.err.find("launch: [fail] exited"));
}

TEST_CASE("Launch: a child killed by a signal gives 128 plus the signal", "[launch]") {
  const auto dir = test_dir("killed");
  const auto r = launch(dir, {sh("victim", "echo going; kill -9 $$"), sh("other", "true")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 137);
  CHECK(r.first_failure == "victim");
  CHECK(contains(r.err, "launch: [victim] killed by SIGKILL\n"));
  CHECK(contains(r.out, "[victim] going\n"));
}

TEST_CASE("Launch: long lines of several children stay whole and prefixed", "[launch]") {
  const auto dir = test_dir("lines");
  // 300 lines of 5000 characters each: longer than a pipe's atomic write.
  const std::string script =
      "s=$(printf '%05000d' 0); i=0; while [ $i -lt 300 ]; do echo \"$s-$i\"; i=$((i+1)); done; "
      "echo oops >&2; printf 'no newline'";
  const auto r = launch(dir, {sh("a", script), sh("b", script), sh("c", script)});
  CHECK(r.exit_code == 0);
  const std::regex line_re("\\[([abc])\\] (0{5000}-([0-9]+)|no newline)");
  std::map<std::string, int> next;  // per child: the number its next line must carry
  std::map<std::string, bool> tail;
  std::istringstream in(r.out);
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    std::smatch m;
    REQUIRE(std::regex_match(line, m, line_re));
    if (m[2] == "no newline") {
      tail[m[1]] = true;
      continue;
    }
    CHECK_FALSE(tail[m[1]]);  // the partial line comes last
    CHECK(std::stoi(m[3]) == next[m[1]]++);
  }
  CHECK(lines == 3 * 301);
  for (const char* name : {"a", "b", "c"}) {
    CHECK(next[name] == 300);
    CHECK(tail[name]);
    CHECK(contains(r.err, std::string("[") + name + "] oops\n"));
  }
  CHECK_FALSE(contains(r.out, "oops"));
}

TEST_CASE("Launch: a program that does not exist is a clear error", "[launch]") {
  const auto dir = test_dir("missing");
  const auto r = launch(dir, {child_spec{"ghost", {"/nonexistent/sgp-nothing", "--x"}},
                              sh("real", "echo still ran")});
  INFO(r.err);
  CHECK(r.exit_code == 127);
  CHECK(r.first_failure == "ghost");
  CHECK(contains(r.err, "launch: [ghost] cannot start /nonexistent/sgp-nothing: No such file"));
  CHECK(contains(r.out, "[real] still ran\n"));
}

TEST_CASE("Launch: SIGTERM to the launcher reaches every child", "[launch]") {
  const auto dir = test_dir("term");
  auto trapping = [&](const std::string& name) {
    return sh(name, "trap 'echo term > " + dir + "/" + name + ".term; exit 0' TERM; touch " + dir +
                        "/" + name +
                        ".ready; i=0; while [ $i -lt 200 ]; do sleep 0.1; "
                        "i=$((i+1)); done; exit 5");
  };
  const auto r = launch(dir, {trapping("x"), trapping("y")}, false, [&](pid_t launcher) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (
        !(std::filesystem::exists(dir + "/x.ready") && std::filesystem::exists(dir + "/y.ready")) &&
        std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(20ms);
    }
    ::kill(launcher, SIGTERM);
  });
  INFO(r.err);
  CHECK(r.exit_code == 0);  // both trapped TERM and exited 0
  CHECK(r.seconds < 10s);   // not the 20 s the loops would take
  CHECK(sgp::test::read_text(dir + "/x.term") == "term\n");
  CHECK(sgp::test::read_text(dir + "/y.term") == "term\n");
}

TEST_CASE("Launch: stop_on_failure ends the others", "[launch]") {
  const auto dir = test_dir("stop");
  const auto r = launch(dir, {sh("long", "sleep 20"), sh("bad", "sleep 0.2; exit 2")}, true);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.first_failure == "bad");
  CHECK(r.seconds < 10s);
  CHECK(contains(r.err, "launch: [long] killed by SIGTERM\n"));
}

TEST_CASE("Launch: a launcher killed with SIGKILL takes its children with it", "[launch]") {
  const auto dir = test_dir("killed");
  // Each child writes its pid, then would sleep for 30 s.
  auto sleeper = [&](const std::string& name) {
    return sh(name, "echo $$ > " + dir + "/" + name + ".pid; exec sleep 30");
  };
  std::fflush(nullptr);
  const pid_t launcher = ::fork();
  REQUIRE(launcher >= 0);
  if (launcher == 0) {
    if (std::freopen((dir + "/out.txt").c_str(), "w", stdout) == nullptr ||
        std::freopen((dir + "/err.txt").c_str(), "w", stderr) == nullptr) {
      std::_Exit(120);
    }
    std::_Exit(sgp::apps::run_children({sleeper("x"), sleeper("y")}).exit_code);
  }
  const auto end = std::chrono::steady_clock::now() + 10s;
  while (!(std::filesystem::exists(dir + "/x.pid") && std::filesystem::exists(dir + "/y.pid")) &&
         std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(std::filesystem::exists(dir + "/x.pid"));
  REQUIRE(std::filesystem::exists(dir + "/y.pid"));
  std::this_thread::sleep_for(100ms);  // the pid is written before the exec
  ::kill(launcher, SIGKILL);
  REQUIRE(::waitpid(launcher, nullptr, 0) == launcher);
  // A process is gone once /proc has no running entry for it (a zombie
  // waits for whoever inherited it to reap it).
  auto alive = [](const std::string& pid_file) {
    const auto pid = sgp::test::read_text(pid_file);
    REQUIRE(pid.size() > 1);  // a number and its newline
    const auto stat = sgp::test::read_text("/proc/" + pid.substr(0, pid.find('\n')) + "/stat");
    const auto state = stat.find(") ");
    return state != std::string::npos && stat[state + 2] != 'Z';
  };
  const auto gone_by = std::chrono::steady_clock::now() + 5s;
  while ((alive(dir + "/x.pid") || alive(dir + "/y.pid")) &&
         std::chrono::steady_clock::now() < gone_by) {
    std::this_thread::sleep_for(20ms);
  }
  CHECK_FALSE(alive(dir + "/x.pid"));
  CHECK_FALSE(alive(dir + "/y.pid"));
}
