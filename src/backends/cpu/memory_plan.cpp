#include "backends/cpu/memory_plan.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace es::cpu {

namespace {

size_t align_up(size_t value, size_t alignment) { return (value + alignment - 1) / alignment * alignment; }

bool overlap(const BufferUse& a, const BufferUse& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

}  // namespace

MemoryPlan plan_memory(std::span<const BufferUse> buffers, size_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });

  std::vector<size_t> placed;
  for (size_t id : order) {
    const size_t size = align_up(buffers[id].bytes, alignment);
    // Byte ranges of the placed buffers that are alive at the same time, by offset.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t other : placed)
      if (overlap(buffers[id], buffers[other]))
        busy.emplace_back(plan.offsets[other], plan.offsets[other] + align_up(buffers[other].bytes, alignment));
    std::sort(busy.begin(), busy.end());

    size_t best_offset = 0;
    size_t best_gap = SIZE_MAX;
    size_t cursor = 0;  // end of the busy bytes seen so far
    for (const auto& [begin, end] : busy) {
      if (begin > cursor && begin - cursor >= size && begin - cursor < best_gap) {
        best_gap = begin - cursor;
        best_offset = cursor;
      }
      cursor = std::max(cursor, end);
    }
    if (best_gap == SIZE_MAX) best_offset = cursor;  // no gap fits: above everything alive
    plan.offsets[id] = best_offset;
    plan.total_bytes = std::max(plan.total_bytes, best_offset + size);
    placed.push_back(id);
  }
  return plan;
}

}  // namespace es::cpu
