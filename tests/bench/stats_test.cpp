#include "bench/stats.h"

#include <gtest/gtest.h>

#include <vector>

namespace es::bench {

// Values worked by hand with trtexec's formulas (sampleReporting.cpp, release/8.5).
TEST(Stats, NearestRankPercentilesOfTen) {
  std::vector<double> v{10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  Summary s = summarize(v);
  EXPECT_EQ(s.count, 10);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_DOUBLE_EQ(s.median, 5.5);  // even n: mean of 5 and 6
  // p90: exclude = int((1 - 0.9f) * 10) = int(1.0000002) = 1 -> sorted[10 - 1 - 1] = 9
  EXPECT_DOUBLE_EQ(s.p90, 9);
  // p95: exclude = int(0.05 * 10) = 0 -> sorted[9] = 10
  EXPECT_DOUBLE_EQ(s.p95, 10);
  EXPECT_DOUBLE_EQ(s.p99, 10);
  // population variance of 1..10 = 8.25
  EXPECT_NEAR(s.stddev, 2.8722813232690143, 1e-12);
  EXPECT_NEAR(s.cv_percent, 2.8722813232690143 / 5.5 * 100, 1e-9);
}

TEST(Stats, PercentileOfHundredAndOddMedian) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  // In float, (1 - 0.99f) * 100 = 0.99999... -> exclude 0 -> sorted[99] = 100 (trtexec gives the same);
  // p90: (1 - 0.9f) * 100 = 10.0000002 -> exclude 10 -> sorted[89] = 90
  EXPECT_DOUBLE_EQ(percentile(v, 99), 100);
  EXPECT_DOUBLE_EQ(percentile(v, 90), 90);
  std::vector<double> thousand;
  for (int i = 1; i <= 1000; ++i) thousand.push_back(i);
  // p99 of the study's 1,000 runs: exclude int(9.99999) = 9 -> sorted[990] = 991
  EXPECT_DOUBLE_EQ(percentile(thousand, 99), 991);
  std::vector<double> odd{3, 1, 2};
  EXPECT_DOUBLE_EQ(summarize(odd).median, 2);
}

TEST(Stats, SingleSampleAndEmpty) {
  std::vector<double> one{4.0};
  Summary s = summarize(one);
  EXPECT_DOUBLE_EQ(s.p99, 4.0);
  EXPECT_DOUBLE_EQ(s.stddev, 0.0);
  EXPECT_EQ(summarize(std::vector<double>{}).count, 0);
}

}  // namespace es::bench
