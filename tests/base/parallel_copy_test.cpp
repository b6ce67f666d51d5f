#include "base/parallel_copy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

namespace es {
namespace {

TEST(ParallelCopy, SplitsOnlyLargeCopies) {
  EXPECT_EQ(copy_pieces(0, 8), 1u);
  EXPECT_EQ(copy_pieces(size_t{3} << 20, 8), 1u);       // a batch-1 image: one thread
  EXPECT_EQ(copy_pieces(size_t{19} << 20, 8), 4u);      // a batch of 32: one piece per 4 MiB
  EXPECT_EQ(copy_pieces(size_t{1} << 30, 8), 8u);       // never more than asked
  EXPECT_GE(copy_pieces(size_t{1} << 30), 1u);
  EXPECT_LE(copy_pieces(size_t{1} << 30), 8u);
}

// Every byte lands where memcpy would put it, the last piece shorter than the others, and nothing beyond.
TEST(ParallelCopy, CopiesEveryByteOfAnOddSizedRange) {
  const size_t bytes = (size_t{19} << 20) + 12345;
  std::vector<uint8_t> src(bytes), dst(bytes + 64, 0xAB);
  std::iota(src.begin(), src.end(), uint8_t{7});
  parallel_copy(dst.data(), src.data(), bytes, 5);
  EXPECT_TRUE(std::equal(src.begin(), src.end(), dst.begin()));
  for (size_t i = bytes; i < dst.size(); ++i) ASSERT_EQ(dst[i], 0xAB) << i;
}

TEST(ParallelCopy, SmallAndEmptyCopies) {
  std::vector<uint8_t> src{1, 2, 3}, dst(3, 0);
  parallel_copy(dst.data(), src.data(), 3);
  EXPECT_EQ(dst, src);
  parallel_copy(nullptr, nullptr, 0);
}

}  // namespace
}  // namespace es
