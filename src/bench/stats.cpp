#include "bench/stats.h"

#include "base/assert.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace es::bench {

double percentile(std::span<const double> sorted, double p) {
  ES_ASSERT(!sorted.empty() && p >= 0 && p <= 100);
  const auto n = static_cast<int64_t>(sorted.size());
  // Single-precision arithmetic on purpose: trtexec computes it in float, and the rounding decides the rank
  // (in double, p90 of 10 samples would exclude 0 samples instead of trtexec's 1).
  const auto exclude = static_cast<int64_t>((1 - static_cast<float>(p) / 100) * static_cast<float>(n));
  return sorted[static_cast<size_t>(std::max<int64_t>(n - 1 - exclude, 0))];
}

Summary summarize(std::span<const double> samples) {
  Summary s;
  if (samples.empty()) return s;
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  s.count = static_cast<int64_t>(n);
  s.min = sorted.front();
  s.max = sorted.back();
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(n);
  s.median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  s.p90 = percentile(sorted, 90);
  s.p95 = percentile(sorted, 95);
  s.p99 = percentile(sorted, 99);
  double squares = 0;
  for (double x : sorted) squares += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(squares / static_cast<double>(n));
  s.cv_percent = s.mean > 0 ? s.stddev / s.mean * 100 : 0;
  return s;
}

}  // namespace es::bench
