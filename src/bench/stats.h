// Statistics over raw timing samples, with trtexec's definitions so numbers compare one to one:
//  - percentile p (nearest rank from the top): exclude = int((1 - p/100) * n) in float arithmetic;
//    value = sorted[max(n-1-exclude, 0)]
//  - median: mean of the two middle values for even n
//  - stddev: population standard deviation; cv = stddev / mean * 100 (percent)
#pragma once

#include <cstdint>
#include <span>

namespace es::bench {

struct Summary {
  int64_t count = 0;
  double min = 0, max = 0, mean = 0, median = 0;
  double p90 = 0, p95 = 0, p99 = 0;
  double stddev = 0;
  double cv_percent = 0;
};

double percentile(std::span<const double> sorted, double p);
Summary summarize(std::span<const double> samples);

}  // namespace es::bench
