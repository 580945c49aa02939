// `sgp train --console` on a real terminal: tmux runs it in a detached
// pane, keys are typed while training runs, and the captured screen is
// checked: the prompt and the text typed stay whole under the progress
// line, each command's output appears once, Up recalls history, Ctrl-D
// closes the console while the run goes on.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <functional>
#include <regex>
#include <string>
#include <thread>

#include "tests/integration/sgp_process.hpp"
#include "tests/skip.hpp"

namespace {

/// One tmux server of its own (its own socket), gone with this object.
class tmux_pane {
 public:
  explicit tmux_pane(std::string socket) : socket_(std::move(socket)) { kill(); }
  ~tmux_pane() { kill(); }
  tmux_pane(const tmux_pane&) = delete;
  tmux_pane& operator=(const tmux_pane&) = delete;

  [[nodiscard]] bool start(const std::string& command) const {
    return tmux("new-session -d -s sgp -x 100 -y 50 " + quoted(command)).exit_code == 0;
  }
  /// Keys as tmux names them (Enter, Up, C-d) or literal text with `literal`.
  void keys(const std::string& keys, bool literal = false) const {
    (void)tmux(std::string("send-keys -t sgp ") + (literal ? "-l " : "") + keys);
  }
  /// The pane's text with its scrollback, wrapped lines joined.
  [[nodiscard]] std::string screen() const {
    return tmux("capture-pane -p -J -S -500 -t sgp").output;
  }
  /// Waits up to `seconds` for `done(screen)`; the last screen.
  std::string wait_for(const std::function<bool(const std::string&)>& done, double seconds) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    std::string s = screen();
    while (!done(s) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      s = screen();
    }
    return s;
  }

 private:
  static std::string quoted(const std::string& s) {
    std::string out = "'";
    for (const char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return out + "'";
  }
  [[nodiscard]] sgp::test::process_result tmux(const std::string& args) const {
    return sgp::test::run_shell("tmux -L " + socket_ + " " + args + " 2>&1");
  }
  void kill() const { (void)tmux("kill-server"); }
  std::string socket_;
};

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// The screen's lines without the blank ones at the bottom.
std::vector<std::string> lines_of(const std::string& screen) {
  sgp::test::process_result r;
  r.output = screen;
  auto lines = r.lines();
  while (!lines.empty() && lines.back().find_first_not_of(' ') == std::string::npos) {
    lines.pop_back();
  }
  return lines;
}

/// The iteration of the last progress line on the screen (-1 if none).
long last_iteration(const std::string& screen) {
  long it = -1;
  const std::regex re("(^|\n)it ([0-9]+)/");
  for (auto m = std::sregex_iterator(screen.begin(), screen.end(), re); m != std::sregex_iterator();
       ++m) {
    it = std::stol((*m)[2].str());
  }
  return it;
}

}  // namespace

TEST_CASE("the console keeps the terminal whole while training runs", "[integration]") {
  if (sgp::test::run_shell("command -v tmux >/dev/null 2>&1").exit_code != 0) {
    SGP_SKIP("tmux is not installed (scripts/setup.sh installs it)");
  }
  const auto dir = sgp::test::fresh_dir("console_tty");
  sgp::test::write_text(
      dir + "/c.toml",
      "[run]\ndir = \"" + dir +
          "/run\"\n[cluster]\nnodes = 4\n[model]\nname = \"mlp\"\n"
          "[data]\nname = \"synthetic\"\nbatch_size = 16\nheight = 8\nwidth = 8\nclasses = 4\n"
          "synthetic_train_samples = 4096\nsynthetic_test_samples = 256\n"
          "[schedule]\nepochs = 100000\n[algorithm]\nname = \"sgp\"\n[output]\nprogress = "
          "true\n"
          // A message printed while the prompt is up (whenever it fires).
          "[[faults]]\nat_iteration = 150\naction = \"link_set\"\nfrom = 0\nto = 1\n"
          "latency = \"1ms\"\n");
  tmux_pane pane("sgp_it_console_tty_" + std::to_string(::getpid()));
  // The run would take hours: Ctrl-C (after the console closed) ends it.
  REQUIRE(pane.start(sgp::test::sgp_binary() + " train " + dir +
                     "/c.toml --console; echo \"EXITED $?\"; sleep 600"));

  // Training runs (a progress line) and the prompt shows.
  auto s = pane.wait_for(
      [](const std::string& t) {
        return t.find("sgp> ") != std::string::npos && last_iteration(t) > 0;
      },
      60);
  INFO(s);
  REQUIRE(last_iteration(s) > 0);

  pane.keys("status", true);
  pane.keys("Enter");
  s = pane.wait_for([](const std::string& t) { return count(t, "node state") >= 1; }, 20);
  // A partial command, then time for several progress redraws (0.5 s apart).
  pane.keys("topol", true);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  s = pane.wait_for(
      [](const std::string& t) { return t.find("fault at iteration") != std::string::npos; }, 30);
  INFO(s);
  auto lines = lines_of(s);
  REQUIRE(lines.size() >= 2);
  // The prompt with the typed text intact is the last line, the progress
  // line just above it.
  CHECK(lines.back() == "sgp> topol");
  CHECK(lines[lines.size() - 2].rfind("it ", 0) == 0);
  CHECK_THAT(lines[lines.size() - 2], Catch::Contains("eta"));
  // The command shows once, its output once, no raw escape codes.
  CHECK(count(s, "sgp> status") == 1);
  CHECK(count(s, "node state") == 1);
  CHECK(count(s, "^[") == 0);
  CHECK(count(s, "fault at iteration") == 1);

  // Up recalls `status`; Enter runs it again.
  pane.keys("C-u");
  pane.keys("Up");
  pane.keys("Enter");
  s = pane.wait_for([](const std::string& t) { return count(t, "node state") >= 2; }, 20);
  CHECK(count(s, "node state") == 2);
  CHECK(count(s, "sgp> status") == 2);
  CHECK(count(s, "^[[A") == 0);

  // Ctrl-D closes the console; training goes on.
  pane.keys("C-d");
  s = pane.wait_for(
      [](const std::string& t) { return t.find("console: closed") != std::string::npos; }, 20);
  CHECK_THAT(s, Catch::Contains("console: closed"));
  const long before = last_iteration(s);
  s = pane.wait_for([&](const std::string& t) { return last_iteration(t) > before; }, 20);
  CHECK(last_iteration(s) > before);

  // Ctrl-C stops the run with its evaluation and summary (exit 128 + SIGINT).
  pane.keys("C-c");
  s = pane.wait_for([](const std::string& t) { return t.find("EXITED") != std::string::npos; },
                    120);
  CHECK_THAT(s, Catch::Contains("EXITED 130"));
  CHECK_THAT(s, Catch::Contains("evaluating 5 of 5"));
  CHECK_THAT(s, Catch::Contains("averaged"));
}
