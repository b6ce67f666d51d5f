// The activation memory planner: buffers alive at the same time never overlap, dead buffers are reused,
// and the best-fitting gap is chosen.
#include "backends/cpu/memory_plan.h"

#include <gtest/gtest.h>

namespace es::cpu {
namespace {

bool ranges_overlap(size_t a_begin, size_t a_size, size_t b_begin, size_t b_size) {
  return a_begin < b_begin + b_size && b_begin < a_begin + a_size;
}

void expect_no_live_overlap(const std::vector<BufferUse>& uses, const MemoryPlan& plan) {
  for (size_t i = 0; i < uses.size(); ++i)
    for (size_t j = i + 1; j < uses.size(); ++j) {
      const bool live_together = uses[i].first_step <= uses[j].last_step && uses[j].first_step <= uses[i].last_step;
      if (live_together) {
        EXPECT_FALSE(ranges_overlap(plan.offsets[i], uses[i].bytes, plan.offsets[j], uses[j].bytes))
            << "buffers " << i << " and " << j;
      }
    }
}

TEST(CpuMemoryPlan, ChainReusesTwoBuffers) {
  // A chain: buffer i is written at step i and read at step i + 1.
  std::vector<BufferUse> uses;
  for (int i = 0; i < 8; ++i) uses.push_back({1024, i, i + 1});
  MemoryPlan plan = plan_memory(uses);
  expect_no_live_overlap(uses, plan);
  EXPECT_EQ(plan.total_bytes, 2048u);
}

TEST(CpuMemoryPlan, OffsetsAreAligned) {
  std::vector<BufferUse> uses = {{10, 0, 2}, {30, 0, 2}, {70, 1, 2}};
  MemoryPlan plan = plan_memory(uses, 64);
  expect_no_live_overlap(uses, plan);
  for (size_t offset : plan.offsets) EXPECT_EQ(offset % 64, 0u);
  EXPECT_EQ(plan.total_bytes, 64u + 64u + 128u);
}

TEST(CpuMemoryPlan, PicksTheSmallestGapThatFits) {
  // Larger buffers are placed first: 0 at [0, 4096), 1 at [4096, 6144), 2 at [6144, 7680), 3 above.
  // Buffers 0 and 2 die at step 1; at step 2 the gaps among live buffers are 4096 and 1536 bytes, and
  // the 1000-byte buffer born there takes the smaller one.
  std::vector<BufferUse> uses = {
      {4096, 0, 1},  // dies
      {2048, 0, 3},  // lives on
      {1536, 0, 1},  // dies
      {1200, 0, 3},  // lives on
      {1000, 2, 3},  // new
  };
  MemoryPlan plan = plan_memory(uses);
  expect_no_live_overlap(uses, plan);
  EXPECT_EQ(plan.offsets[2], 6144u);
  EXPECT_EQ(plan.offsets[4], plan.offsets[2]);
  EXPECT_EQ(plan.total_bytes, 7680u + 1216u);
}

TEST(CpuMemoryPlan, EmptyPlan) {
  MemoryPlan plan = plan_memory({});
  EXPECT_EQ(plan.total_bytes, 0u);
}

}  // namespace
}  // namespace es::cpu
