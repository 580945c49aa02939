// The logging facade routed through the terminal: a line reaches whoever
// draws the progress line (the console) as a message, whole, with its
// context, and a filtered line does not.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/terminal.hpp"
#include "core/log.hpp"

using namespace sgp;

TEST_CASE("log lines reach the console's sink as messages above the progress line", "[actors]") {
  std::vector<actors::terminal_line> drawn;
  actors::set_progress_sink([&](const actors::terminal_line& line) { drawn.push_back(line); });
  const auto saved_sink = core::set_log_sink({});
  const auto saved_level = core::log_threshold();
  actors::route_log_through_terminal();
  core::set_log_threshold(core::log_level::warn);

  actors::show_progress("it 5/10");
  core::log(core::log_level::warn, "supervisor", "node 2 died (killed)",
            {.node = 2, .iteration = 5});
  core::log(core::log_level::info, "cluster", "filtered out");

  core::set_log_sink(saved_sink);
  core::set_log_threshold(saved_level);
  actors::set_progress_sink({});
  REQUIRE(drawn.size() == 2);
  CHECK(drawn[0].what == actors::terminal_line::kind::progress);
  CHECK(drawn[1].what == actors::terminal_line::kind::message);
  CHECK(drawn[1].text == "[node 2 it 5] warn: supervisor: node 2 died (killed)");
}
