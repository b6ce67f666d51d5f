#include "backends/cpu/program_memory.h"

#include "backends/cpu/memory_plan.h"

#include <algorithm>
#include <climits>

namespace es::cpu {

namespace {

struct Liveness {
  std::vector<BufferId> parent;  // union-find: buffers merged by in-place steps
  std::vector<BufferUse> uses;
  std::vector<bool> is_input;

  BufferId root(BufferId b) {
    while (parent[static_cast<size_t>(b)] != b) b = parent[static_cast<size_t>(b)];
    return b;
  }
  void touch(BufferId b, int step) {
    BufferUse& u = uses[static_cast<size_t>(b)];
    u.first_step = std::min(u.first_step, step);
    u.last_step = std::max(u.last_step, step);
  }
};

Liveness compute_liveness(const Program& program) {
  const size_t count = program.buffer_bytes.size();
  Liveness live;
  live.parent.resize(count);
  for (size_t b = 0; b < count; ++b) live.parent[b] = static_cast<BufferId>(b);
  live.uses.resize(count);
  for (size_t b = 0; b < count; ++b) live.uses[b] = {program.buffer_bytes[b], INT_MAX, -1};
  live.is_input.assign(count, false);

  auto buffer_of = [&](SlotId s) { return program.slots[static_cast<size_t>(s)].buffer; };
  const int end = static_cast<int>(program.steps.size());  // copy_outputs, after the last step
  for (int i = 0; i < end; ++i) {
    const Step& step = *program.steps[static_cast<size_t>(i)];
    for (const auto* slots : {&step.reads, &step.writes})
      for (SlotId s : *slots)
        if (buffer_of(s) >= 0) live.touch(buffer_of(s), i);
  }
  for (SlotId s : program.input_slots) {
    if (buffer_of(s) < 0) continue;
    live.touch(buffer_of(s), 0);
    live.touch(buffer_of(s), end);
    live.is_input[static_cast<size_t>(buffer_of(s))] = true;
  }
  for (SlotId s : program.output_slots)
    if (buffer_of(s) >= 0) live.touch(buffer_of(s), end);
  for (BufferUse& u : live.uses)
    if (u.first_step > u.last_step) u.first_step = u.last_step = 0;  // a buffer nothing touches
  return live;
}

void take_inplace(Program& program, Liveness& live) {
  for (size_t i = 0; i < program.steps.size(); ++i) {
    Step& step = *program.steps[i];
    if (!step.inplace) continue;
    const Slot& read = program.slots[static_cast<size_t>(step.inplace->read)];
    const Slot& write = program.slots[static_cast<size_t>(step.inplace->write)];
    if (read.buffer < 0 || write.buffer < 0 || !(read.layout == write.layout)) continue;
    const BufferId from = live.root(read.buffer);
    const BufferId to = live.root(write.buffer);
    BufferUse& from_use = live.uses[static_cast<size_t>(from)];
    BufferUse& to_use = live.uses[static_cast<size_t>(to)];
    if (from == to || live.is_input[static_cast<size_t>(from)] || from_use.last_step != static_cast<int>(i) ||
        from_use.bytes != to_use.bytes)
      continue;
    // The step's other inputs must not live in that buffer, or the step would overwrite what it reads.
    const bool shared_with_other_read = std::any_of(step.reads.begin(), step.reads.end(), [&](SlotId s) {
      const BufferId b = program.slots[static_cast<size_t>(s)].buffer;
      return s != step.inplace->read && b >= 0 && live.root(b) == from;
    });
    if (shared_with_other_read) continue;
    live.parent[static_cast<size_t>(to)] = from;
    from_use.first_step = std::min(from_use.first_step, to_use.first_step);
    from_use.last_step = std::max(from_use.last_step, to_use.last_step);
    step.inplace_taken = true;
  }
}

}  // namespace

ProgramMemory plan_program_memory(Program& program) {
  Liveness live = compute_liveness(program);
  take_inplace(program, live);

  std::vector<BufferId> roots;
  std::vector<BufferUse> root_uses;
  for (size_t b = 0; b < live.parent.size(); ++b)
    if (live.root(static_cast<BufferId>(b)) == static_cast<BufferId>(b)) {
      roots.push_back(static_cast<BufferId>(b));
      root_uses.push_back(live.uses[b]);
    }
  MemoryPlan plan = plan_memory(root_uses);

  ProgramMemory memory;
  memory.arena_bytes = plan.total_bytes;
  std::vector<size_t> root_offset(live.parent.size(), 0);
  for (size_t r = 0; r < roots.size(); ++r) {
    root_offset[static_cast<size_t>(roots[r])] = plan.offsets[r];
    memory.unshared_bytes += root_uses[r].bytes;
  }
  memory.buffer_offsets.resize(live.parent.size());
  for (size_t b = 0; b < live.parent.size(); ++b)
    memory.buffer_offsets[b] = root_offset[static_cast<size_t>(live.root(static_cast<BufferId>(b)))];
  return memory;
}

}  // namespace es::cpu
