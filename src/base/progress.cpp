#include "base/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace es {

ProgressLine::ProgressLine(std::string label) : label_(std::move(label)), terminal_(isatty(fileno(stderr)) != 0) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::update(int64_t done, int64_t total, double elapsed_s) {
  constexpr double show_after_s = 1.0;       // short runs stay silent
  constexpr double plain_interval_s = 5.0;   // one log line per 5 s without a terminal
  if (elapsed_s < show_after_s) return;
  if (terminal_) {
    constexpr int width = 30;
    std::string bar;
    if (total > 0) {
      int filled = static_cast<int>(width * static_cast<double>(done) / static_cast<double>(total));
      bar = fmt::format("[{}{}] {}/{}", std::string(filled, '#'), std::string(width - filled, '.'), done, total);
    } else {
      bar = fmt::format("{} done", done);
    }
    fmt::print(stderr, "\r{} {} {:.1f}s ", label_, bar, elapsed_s);
    std::fflush(stderr);
    drawn_ = true;
  } else if (elapsed_s - last_plain_s_ >= plain_interval_s) {
    last_plain_s_ = elapsed_s;
    if (total > 0)
      fmt::print(stderr, "{}: {} of {} after {:.0f} s\n", label_, done, total, elapsed_s);
    else
      fmt::print(stderr, "{}: {} done after {:.0f} s\n", label_, done, elapsed_s);
  }
}

void ProgressLine::finish() {
  if (drawn_) fmt::print(stderr, "\r\033[K");
  drawn_ = false;
}

}  // namespace es
