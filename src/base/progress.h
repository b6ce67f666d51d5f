// A one-line progress indicator on stderr for long runs. On a terminal it redraws a bar in place at most
// every 100 ms and only once the run has taken a second; elsewhere (CI logs, pipes) it prints a plain line
// every few seconds so logs stay readable.
#pragma once

#include <chrono>
#include <string>

namespace es {

class ProgressLine {
 public:
  explicit ProgressLine(std::string label);
  ~ProgressLine();
  // `total` < 0 when the run is bounded by time rather than count.
  void update(int64_t done, int64_t total, double elapsed_s);
  void finish();

 private:
  std::string label_;
  bool terminal_;
  bool drawn_ = false;
  double last_plain_s_ = 0;
};

}  // namespace es
