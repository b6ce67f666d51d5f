// The two kinds of steps: a oneDNN primitive (convolutions, pools, reorders, ...) and a reference
// kernel on plain buffers (every op oneDNN does not cover).
#pragma once

#include "backends/cpu/program.h"

#include <unordered_map>

namespace es::cpu {

struct SlotArg {
  int arg;  // DNNL_ARG_SRC, DNNL_ARG_DST, ...; DNNL_ARG_DST marks the slot the step writes
  SlotId slot;
  // The plain bytes of the slot seen with other dims or strides (Gemm's transposed A, batch folded into rows).
  std::optional<memory::desc> viewed_as = std::nullopt;
};
struct FixedArg {
  int arg;
  dnnl::memory memory;  // weights and biases reordered at compile time
};

class PrimitiveStep final : public Step {
 public:
  PrimitiveStep(dnnl::primitive primitive, std::vector<SlotArg> slot_args, std::vector<FixedArg> fixed_args,
                bool uses_scratchpad);
  // The primitive accumulates into its destination (sum post-op): `copy` fills the destination from
  // the in-place read first, unless the memory plan let the destination take that read's buffer.
  void prefill_destination(dnnl::reorder copy) { prefill_ = std::move(copy); }

  void bind(const Storage& storage) override;
  Status run(dnnl::stream& stream) override;

 private:
  dnnl::primitive primitive_;
  std::vector<SlotArg> slot_args_;
  std::vector<FixedArg> fixed_args_;
  bool uses_scratchpad_;
  std::optional<dnnl::reorder> prefill_;
  std::unordered_map<int, dnnl::memory> args_;
  std::unordered_map<int, dnnl::memory> prefill_args_;
};

class RefStep final : public Step {
 public:
  // kNoSlot stands for an omitted optional input or output.
  RefStep(const Node& node, std::vector<SlotId> inputs, std::vector<SlotId> outputs);

  void bind(const Storage& storage) override;
  Status run(dnnl::stream& stream) override;

 private:
  const Node& node_;
  std::vector<SlotId> inputs_;
  std::vector<SlotId> outputs_;
  std::vector<TensorView> input_views_;
  std::vector<TensorView> output_views_;
};

}  // namespace es::cpu
