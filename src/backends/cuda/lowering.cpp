#include "backends/cuda/lowering.h"

#include "backends/cpu/program_builder.h"

namespace es::cuda {

const LoweringTable& lowerings() {
  static const LoweringTable table = [] {
    LoweringTable t{};
    register_conv_lowerings(t);
    register_matmul_lowerings(t);
    register_eltwise_lowerings(t);
    register_data_lowerings(t);
    register_reduce_lowerings(t);
    return t;
  }();
  return table;
}

std::string layer_name(const Node& node) { return cpu::layer_name(node); }

bool all_f32(const Graph& graph, std::span<const ValueId> values) {
  for (ValueId v : values)
    if (v != kNoValue && graph.value(v).dtype != DType::f32) return false;
  return true;
}

std::optional<Dims> dims_of(std::span<const int64_t> shape) {
  if (shape.size() > static_cast<size_t>(kMaxRank)) return std::nullopt;
  Dims d;
  d.rank = static_cast<int>(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) d.size[i] = shape[i];
  return d;
}

Strides broadcast_strides(std::span<const int64_t> shape, std::span<const int64_t> out) {
  Strides s;
  const size_t lead = out.size() - shape.size();
  int64_t step = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    s.step[lead + i] = shape[i] == 1 ? 0 : step;
    step *= shape[i];
  }
  return s;
}

std::optional<std::vector<int64_t>> constant_ints(const Graph& graph, const Node& node, size_t input) {
  if (!node.has_input(input)) return std::nullopt;
  const Value& v = graph.value(node.inputs[input]);
  if (v.data == nullptr || !dtype_is_integer(v.dtype)) return std::nullopt;
  return v.data->to_int64_vector();
}

}  // namespace es::cuda
