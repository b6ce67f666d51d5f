#include "backends/cpu/lowering.h"

namespace es::cpu {

const LoweringTable& lowerings() {
  static const LoweringTable table = [] {
    LoweringTable t{};
    register_conv_lowerings(t);
    register_pool_lowerings(t);
    register_matmul_lowerings(t);
    register_eltwise_lowerings(t);
    register_view_lowerings(t);
    return t;
  }();
  return table;
}

bool all_f32(const ProgramBuilder& builder, std::span<const ValueId> values) {
  for (ValueId id : values)
    if (id != kNoValue && builder.value(id).dtype != DType::f32) return false;
  return true;
}

}  // namespace es::cpu
