// The activation memory plan: buffers whose lifetimes do not overlap share bytes of one arena.
// Greedy by size with best fit (as TFLite's arena planner): the largest buffers are placed first, each
// into the smallest gap between the buffers already placed that live at the same time.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace es::cpu {

// One buffer to place: its size and the inclusive range of steps that write or read it.
struct BufferUse {
  size_t bytes = 0;
  int first_step = 0;
  int last_step = 0;
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per buffer, in the arena; multiples of the alignment
  size_t total_bytes = 0;       // arena size
};

MemoryPlan plan_memory(std::span<const BufferUse> buffers, size_t alignment = 64);

}  // namespace es::cpu
