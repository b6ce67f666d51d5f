// Liveness over the program's steps, in-place decisions, and the arena layout of every buffer.
#pragma once

#include "backends/cpu/program.h"

namespace es::cpu {

struct ProgramMemory {
  std::vector<size_t> buffer_offsets;  // by BufferId (buffers merged in place share an offset)
  size_t arena_bytes = 0;              // after reuse
  size_t unshared_bytes = 0;           // what one buffer per value would need (for the log)
};

// Graph inputs live from the first step to the end (execute may run again on the same inputs), graph
// outputs until the end (copy_outputs reads them). A step's in-place candidate is taken (and
// Step::inplace_taken set) when its read is not a graph input and is read there for the last time.
ProgramMemory plan_program_memory(Program& program);

}  // namespace es::cpu
