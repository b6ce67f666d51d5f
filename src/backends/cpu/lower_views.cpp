// Ops that only reinterpret dense data (Reshape, Flatten, Squeeze, Unsqueeze, Identity, inference
// Dropout) cost nothing: the output is a view on the input's plain buffer.
#include "backends/cpu/lowering.h"

namespace es::cpu {

namespace {

Result<bool> lower_view(ProgramBuilder& b, const Node& node) {
  if (node.outputs.size() != 1 || node.inputs.empty()) return false;  // Dropout with its mask output
  if (node.op == OpKind::Dropout && node.has_input(2)) return false;  // training_mode given
  const Value& in = b.value(node.inputs[0]);
  const Value& out = b.value(node.outputs[0]);
  if (in.dtype != out.dtype || shape_numel(in.shape) != shape_numel(out.shape)) return false;
  b.define_view(node.outputs[0], b.use_plain(node.inputs[0]));
  return true;
}

}  // namespace

void register_view_lowerings(LoweringTable& table) {
  for (OpKind op : {OpKind::Reshape, OpKind::Flatten, OpKind::Squeeze, OpKind::Unsqueeze, OpKind::Identity,
                    OpKind::Dropout})
    table[static_cast<size_t>(op)] = lower_view;
}

}  // namespace es::cpu
