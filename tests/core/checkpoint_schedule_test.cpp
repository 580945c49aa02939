#include "core/checkpoint_schedule.hpp"

#include <catch2/catch.hpp>

using namespace sgp::core;

TEST_CASE("next_checkpoint is the next multiple before the run's end", "[core]") {
  CHECK(next_checkpoint(0, 100, 0) == 0);    // no checkpoints
  CHECK(next_checkpoint(25, 100, 0) == 25);  // the first
  CHECK(next_checkpoint(25, 100, 24) == 25);
  CHECK(next_checkpoint(25, 100, 25) == 50);  // strictly after
  CHECK(next_checkpoint(25, 100, 74) == 75);
  CHECK(next_checkpoint(25, 100, 75) == 0);  // 100 is the end: no pause there
  CHECK(next_checkpoint(30, 100, 95) == 0);
  CHECK(next_checkpoint(7, 1000, 699) == 700);  // a resumed run's next one
}

TEST_CASE("all_held needs every live process at the one iteration", "[core]") {
  const std::vector<bool> live{true, true, false, true};
  CHECK(all_held(live, {50, 50, 0, 50}, 50));
  CHECK(all_held(live, {50, 50, 25, 50}, 50));       // the dead one does not count
  CHECK_FALSE(all_held(live, {50, 25, 0, 50}, 50));  // one still at an older pause
  CHECK_FALSE(all_held(live, {50, 50, 0}, 50));      // not heard from
  CHECK_FALSE(all_held(live, {0, 0, 0, 0}, 0));      // no pause
  CHECK_FALSE(all_held({false, false}, {50, 50}, 50));
  CHECK(not_held(live, {50, 25, 0}, 50) == std::vector<std::size_t>{1, 3});
  CHECK(not_held(live, {50, 50, 0, 50}, 50).empty());
}

TEST_CASE("choose_cut takes the latest file's cut, so an end's uneven iterations stay one cut",
          "[core]") {
  using sgp::core::choose_cut;
  using sgp::core::resumed_file;
  // A stopped run's end: the processes' nodes stood at 57 and 58.
  auto c = choose_cut({{57, "end-1.5", -1, ""}, {58, "end-1.5", -1, ""}});
  CHECK(c.iteration == 58);
  CHECK(c.cut == "end-1.5");
  // A process dead at the end kept the pause before: another cut.
  c = choose_cut(
      {{50, sgp::core::pause_cut_name(50), -1, ""}, {58, "end-2", -1, ""}, {57, "end-2", -1, ""}});
  CHECK(c.cut == "end-2");
  CHECK(c.iteration == 58);
  // A stale end of an earlier life, older than the resumed run's pause.
  c = choose_cut({{75, "pause-75", -1, ""}, {40, "end-3", -1, ""}});
  CHECK(c.cut == "pause-75");
  // Not heard yet (-1), and a file without a node's state (0).
  c = choose_cut({{-1, "", -1, ""}, {0, "pause-25", -1, ""}});
  CHECK(c.iteration == 0);
  CHECK(sgp::core::pause_cut_name(25) == "pause-25");
}

TEST_CASE("ar-sgd at a resume: a process without state at the cut stays out, on every process",
          "[core]") {
  using sgp::core::choose_cut;
  using sgp::core::out_at_resume;
  using sgp::core::resumed_file;
  // p2 was dead at the pause at 50: its file is of the pause at 25.
  std::vector<resumed_file> files{
      {50, "pause-50", 1, ""}, {50, "pause-50", 1, ""}, {25, "pause-25", 1, ""}};
  auto cut = choose_cut(files);
  CHECK(out_at_resume(files, cut) == std::vector<bool>{false, false, true});
  // Unless its next.ckpt is of that cut (it died before its rename): it takes that file.
  files[2].pending_cut = "pause-50";
  CHECK(out_at_resume(files, cut) == std::vector<bool>{false, false, false});
  // A next.ckpt of another cut does not help.
  files[2].pending_cut = "pause-40";
  CHECK(out_at_resume(files, cut) == std::vector<bool>{false, false, true});
  // A file of the cut without a node's state (its nodes were out then): out again.
  files = {{50, "pause-50", 1, ""}, {0, "pause-50", 0, ""}};
  cut = choose_cut(files);
  CHECK(out_at_resume(files, cut) == std::vector<bool>{false, true});
  // Everyone at the cut: nobody out.
  files = {{58, "end-2", 2, ""}, {57, "end-2", 2, ""}};
  CHECK(out_at_resume(files, choose_cut(files)) == std::vector<bool>{false, false});
}
