#include "ir/graph_stats.h"

namespace es {

int64_t node_macs(const Graph& g, const Node& n) {
  auto out_numel = [&](size_t i) { return shape_numel(g.value(n.outputs[i]).shape); };
  switch (n.op) {
    case OpKind::Conv:
    case OpKind::FusedConv: {
      // Every output element needs (C_in / group) * prod(kernel) MACs: W is [M, C/group, k...].
      const Shape& w = g.value(n.inputs[1]).shape;
      int64_t per_output = 1;
      for (size_t i = 1; i < w.size(); ++i) per_output *= w[i];
      return out_numel(0) * per_output;
    }
    case OpKind::ConvTranspose: {
      // Each input element scatters into (C_out / group) * prod(kernel) outputs: W is [C, M/group, k...].
      const Shape& w = g.value(n.inputs[1]).shape;
      int64_t per_input = 1;
      for (size_t i = 1; i < w.size(); ++i) per_input *= w[i];
      return shape_numel(g.value(n.inputs[0]).shape) * per_input;
    }
    case OpKind::Gemm: {
      const Shape& a = g.value(n.inputs[0]).shape;
      int64_t k = n.attrs.get_int("transA", 0) ? a[0] : a[1];
      return out_numel(0) * k;
    }
    case OpKind::MatMul: {
      const Shape& a = g.value(n.inputs[0]).shape;
      return a.empty() ? 0 : out_numel(0) * a.back();
    }
    default: return 0;
  }
}

GraphStats compute_stats(const Graph& g) {
  GraphStats s;
  s.nodes = static_cast<int64_t>(g.nodes.size());
  for (const Value& v : g.values)
    if (v.is_initializer()) {
      s.parameters += v.data->numel();
      s.parameter_bytes += static_cast<int64_t>(v.data->nbytes());
    }
  for (const Node& n : g.nodes) {
    ++s.op_histogram[std::string(op_name(n.op))];
    int64_t macs = node_macs(g, n);
    s.macs += macs;
    int64_t out_elements = 0;
    for (ValueId o : n.outputs) {
      if (o == kNoValue || !g.value(o).shape_known) continue;
      int64_t numel = shape_numel(g.value(o).shape);
      out_elements += numel;
      s.activation_bytes += numel * static_cast<int64_t>(dtype_size(g.value(o).dtype));
    }
    s.flops += macs ? 2 * macs : out_elements;
  }
  return s;
}

}  // namespace es
