// The compiled form of a graph for the CPU: slots (runtime values in a layout), the buffers they live
// in, and the steps (oneDNN primitives, reorders, reference kernels) in execution order.
#pragma once

#include "backends/cpu/layout.h"
#include "backends/tensor_view.h"
#include "base/status.h"
#include "ir/graph.h"

#include <dnnl.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace es::cpu {

using SlotId = int32_t;
using BufferId = int32_t;
inline constexpr SlotId kNoSlot = -1;

// One runtime value held in one layout. A value has a primary slot (where its producer writes it) and
// possibly converted copies for consumers that need another layout. Views (Reshape, Flatten, ...)
// are slots of their own value on the buffer of their input.
struct Slot {
  ValueId value = kNoValue;
  Layout layout;
  BufferId buffer = -1;  // a planned arena buffer; -1 for constants
  const void* constant = nullptr;           // constants: initializer bytes or weights reordered at compile time
  std::shared_ptr<const void> keep_alive;   // owner of `constant`
};

class Storage;

// A step may overwrite one of its inputs in place when that input is read for the last time here
// (oneDNN eltwise in place, or the residual input of a convolution with a sum post-op).
struct InPlace {
  SlotId read = kNoSlot;
  SlotId write = kNoSlot;
};

// One kernel of the compiled program.
class Step {
 public:
  virtual ~Step() = default;
  // Called once after the memory plan: resolves slots to memory.
  virtual void bind(const Storage& storage) = 0;
  // Throws dnnl::error on oneDNN failures; the executable turns them into a Status.
  virtual Status run(dnnl::stream& stream) = 0;

  std::string name;  // layer name for profiles: the node's origins joined with '+'
  std::string op;    // "FusedConv", "Reorder", ...
  std::string implementation;  // oneDNN's implementation name, "edgescope:avx512" or "reference" (profiles)
  std::vector<const Node*> nodes;  // the graph nodes it computes: one, several for a fused block, none for a Reorder
  std::vector<SlotId> reads;
  std::vector<SlotId> writes;
  size_t constant_bytes = 0;  // compile-time constants it reads besides its slots (weights reordered for it)
  std::optional<InPlace> inplace;
  bool inplace_taken = false;  // set by the memory plan when `write` got the buffer of `read`
};

struct Program {
  std::shared_ptr<const Graph> graph;  // a private copy: steps keep pointers to its nodes and shapes
  std::vector<Slot> slots;
  std::vector<size_t> buffer_bytes;    // by BufferId
  std::vector<std::unique_ptr<Step>> steps;
  std::vector<SlotId> input_slots;     // graph input order
  std::vector<SlotId> output_slots;    // graph output order
  size_t scratchpad_bytes = 0;         // the largest oneDNN scratchpad of any primitive (steps share one)

  const Value& value_of(SlotId slot) const { return graph->value(slots[static_cast<size_t>(slot)].value); }
};

// Where slots live once the arena is allocated: pointers and oneDNN memory objects for every slot.
class Storage {
 public:
  Storage(const Program& program, const dnnl::engine& engine, std::byte* arena,
          const std::vector<size_t>& buffer_offsets, const dnnl::memory& scratchpad);

  void* data(SlotId slot) const { return pointers_[static_cast<size_t>(slot)]; }
  // Only for slots whose dtype oneDNN knows.
  const dnnl::memory& memory(SlotId slot) const;
  // A new memory object on a plain slot's bytes, described by `desc` (same bytes, other dims/strides).
  dnnl::memory memory_as(SlotId slot, const dnnl::memory::desc& desc) const;
  TensorView view(SlotId slot) const;
  const dnnl::memory& scratchpad() const { return scratchpad_; }

 private:
  const Program& program_;
  dnnl::engine engine_;
  std::vector<void*> pointers_;
  std::vector<dnnl::memory> memories_;
  dnnl::memory scratchpad_;
};

}  // namespace es::cpu
