#include "backends/cpu/program.h"

namespace es::cpu {

Storage::Storage(const Program& program, const dnnl::engine& engine, std::byte* arena,
                 const std::vector<size_t>& buffer_offsets, const dnnl::memory& scratchpad)
    : program_(program), engine_(engine), scratchpad_(scratchpad) {
  pointers_.resize(program.slots.size());
  memories_.resize(program.slots.size());
  for (size_t i = 0; i < program.slots.size(); ++i) {
    const Slot& slot = program.slots[i];
    pointers_[i] = slot.buffer >= 0 ? arena + buffer_offsets[static_cast<size_t>(slot.buffer)]
                                    : const_cast<void*>(slot.constant);
    const Value& value = program.graph->value(slot.value);
    if (onednn_type(value.dtype))
      memories_[i] = dnnl::memory(slot.layout.desc(value.dtype, value.shape), engine, pointers_[i]);
  }
}

const dnnl::memory& Storage::memory(SlotId slot) const {
  const dnnl::memory& memory = memories_[static_cast<size_t>(slot)];
  ES_ASSERT_MSG(memory, "slot has no oneDNN memory (its dtype is not a oneDNN type)");
  return memory;
}

dnnl::memory Storage::memory_as(SlotId slot, const dnnl::memory::desc& desc) const {
  ES_ASSERT(program_.slots[static_cast<size_t>(slot)].layout.is_plain());
  return dnnl::memory(desc, engine_, pointers_[static_cast<size_t>(slot)]);
}

TensorView Storage::view(SlotId slot) const {
  ES_ASSERT(program_.slots[static_cast<size_t>(slot)].layout.is_plain());
  const Value& value = program_.value_of(slot);
  return {value.dtype, value.shape, pointers_[static_cast<size_t>(slot)]};
}

}  // namespace es::cpu
