#include "backends/cpu/steps.h"

#include "backends/ref/ref_kernels.h"

namespace es::cpu {

PrimitiveStep::PrimitiveStep(dnnl::primitive primitive, std::vector<SlotArg> slot_args,
                             std::vector<FixedArg> fixed_args, bool uses_scratchpad)
    : primitive_(std::move(primitive)),
      slot_args_(std::move(slot_args)),
      fixed_args_(std::move(fixed_args)),
      uses_scratchpad_(uses_scratchpad) {
  for (const SlotArg& a : slot_args_) (a.arg == DNNL_ARG_DST ? writes : reads).push_back(a.slot);
  for (const FixedArg& a : fixed_args_) constant_bytes += a.memory.get_desc().get_size();
}

void PrimitiveStep::bind(const Storage& storage) {
  args_.clear();
  for (const SlotArg& a : slot_args_)
    args_.emplace(a.arg, a.viewed_as ? storage.memory_as(a.slot, *a.viewed_as) : storage.memory(a.slot));
  for (const FixedArg& a : fixed_args_) args_.emplace(a.arg, a.memory);
  if (uses_scratchpad_) args_.emplace(DNNL_ARG_SCRATCHPAD, storage.scratchpad());
  if (prefill_) {
    ES_ASSERT(inplace.has_value());
    prefill_args_ = {{DNNL_ARG_SRC, storage.memory(inplace->read)}, {DNNL_ARG_DST, storage.memory(inplace->write)}};
  }
}

Status PrimitiveStep::run(dnnl::stream& stream) {
  if (prefill_ && !inplace_taken) prefill_->execute(stream, prefill_args_);
  primitive_.execute(stream, args_);
  return Status::ok_status();
}

RefStep::RefStep(const Node& node, std::vector<SlotId> inputs, std::vector<SlotId> outputs)
    : node_(node), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {
  for (SlotId s : inputs_)
    if (s != kNoSlot) reads.push_back(s);
  for (SlotId s : outputs_)
    if (s != kNoSlot) writes.push_back(s);
}

void RefStep::bind(const Storage& storage) {
  input_views_.clear();
  output_views_.clear();
  for (SlotId s : inputs_) input_views_.push_back(s == kNoSlot ? TensorView{} : storage.view(s));
  for (SlotId s : outputs_) output_views_.push_back(s == kNoSlot ? TensorView{} : storage.view(s));
}

Status RefStep::run(dnnl::stream& stream) {
  return ref::run_node(node_, input_views_, output_views_);
}

}  // namespace es::cpu
