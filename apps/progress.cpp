// Implementation of the progress line (see progress.hpp).
#include "apps/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "core/clock_text.hpp"

namespace sgp::apps {

progress_line::progress_line(bool enabled, int every)
    : enabled_(enabled), tty_(::isatty(STDERR_FILENO) != 0), every_(every < 1 ? 1 : every) {}

void progress_line::update(const progress_state& s) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool last = s.iteration == s.iterations_per_epoch;
  if (tty_) {
    // Redraw at most 10 times a second: printing is not free.
    if (!last && now - last_draw_ < std::chrono::milliseconds(100)) return;
  } else if (s.iteration % every_ != 0 && !last) {
    return;
  }
  last_draw_ = now;
  // ETA from the pace since the first update (this process's share of a resumed run).
  const std::int64_t done = (s.epoch - 1) * s.iterations_per_epoch + s.iteration;
  const std::int64_t total = static_cast<std::int64_t>(s.epochs) * s.iterations_per_epoch;
  if (first_done_ < 0) first_done_ = done - 1;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string eta = "--";
  if (done > first_done_ && total >= done) {
    eta = core::clock_text(elapsed / static_cast<double>(done - first_done_) *
                           static_cast<double>(total - done));
  }
  std::fprintf(stderr,
               "%sepoch %d/%d  it %lld/%lld  elapsed %s  eta %s  loss %.4f  lr %.4g  %.0f "
               "samples/s%s",
               tty_ ? "\r\033[K" : "", s.epoch, s.epochs, static_cast<long long>(s.iteration),
               static_cast<long long>(s.iterations_per_epoch), core::clock_text(elapsed).c_str(),
               eta.c_str(), s.loss, s.lr, s.samples_per_second, tty_ ? "" : "\n");
  std::fflush(stderr);
  dirty_ = tty_;
}

void progress_line::finish_line(const std::string& message) {
  if (dirty_) std::fputs("\n", stderr);
  dirty_ = false;
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
}

}  // namespace sgp::apps
