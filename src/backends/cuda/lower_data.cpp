// Data movement: shape-only ops become views (no kernel: the output shares the input's bytes);
// Transpose, Slice, Concat and Expand are strided copies. These take any element type.
#include "backends/cuda/lowering.h"

#include <algorithm>

namespace es::cuda {

namespace {

// One strided copy; Concat has one per input.
struct Copy {
  ValueId src = kNoValue;
  int64_t src_offset = 0, dst_offset = 0;
  Strides src_strides, dst_strides;
  Dims shape;
};

class CopyStep final : public Step {
 public:
  int elem_bytes = 4;
  std::vector<Copy> copies;
  Status run(const Context& ctx) override {
    void* dst = ctx.memory->data(writes[0]);
    for (const Copy& c : copies)
      launch_strided_copy(ctx.stream, elem_bytes, ctx.memory->data(c.src), c.src_offset, c.src_strides, dst,
                          c.dst_offset, c.dst_strides, c.shape);
    return check(cudaGetLastError(), name.c_str());
  }
};

Strides dense_strides(std::span<const int64_t> shape) {
  Strides s;
  const std::vector<int64_t> st = shape_strides(shape);
  for (size_t i = 0; i < st.size(); ++i) s.step[i] = st[i];
  return s;
}

std::optional<Lowered> lower_view(const Graph& graph, const Node& node) {
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (node.outputs[i] != kNoValue) return std::nullopt;  // Dropout's mask
  return Lowered{nullptr, node.inputs[0]};
}

std::unique_ptr<CopyStep> copy_step(const Graph& graph, const Node& node) {
  const size_t bytes = dtype_size(graph.value(node.outputs[0]).dtype);
  if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) return nullptr;
  auto step = make_step<CopyStep>(node);
  step->elem_bytes = static_cast<int>(bytes);
  return step;
}

std::optional<Lowered> lower_transpose(const Graph& graph, const Node& node) {
  const Shape& in = graph.value(node.inputs[0]).shape;
  const Shape& out = graph.value(node.outputs[0]).shape;
  std::optional<Dims> dims = dims_of(out);
  auto step = copy_step(graph, node);
  if (!dims || !step) return std::nullopt;
  std::vector<int64_t> perm = node.attrs.get_ints("perm");
  if (perm.empty())
    for (size_t i = in.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  const Strides in_strides = dense_strides(in);
  Copy c{node.inputs[0], 0, 0, {}, dense_strides(out), *dims};
  for (size_t d = 0; d < perm.size(); ++d) c.src_strides.step[d] = in_strides.step[perm[d]];
  step->copies.push_back(c);
  return Lowered{std::move(step)};
}

std::optional<Lowered> lower_slice(const Graph& graph, const Node& node) {
  const Shape& in = graph.value(node.inputs[0]).shape;
  const Shape& out = graph.value(node.outputs[0]).shape;
  std::optional<Dims> dims = dims_of(out);
  std::optional<std::vector<int64_t>> starts = constant_ints(graph, node, 1);
  auto step = copy_step(graph, node);
  if (!dims || !starts || !step) return std::nullopt;
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<int64_t> axes(starts->size()), steps(starts->size(), 1);
  for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int64_t>(i);
  if (node.has_input(3)) {
    std::optional<std::vector<int64_t>> a = constant_ints(graph, node, 3);
    if (!a) return std::nullopt;
    axes = *a;
  }
  if (node.has_input(4)) {
    std::optional<std::vector<int64_t>> s = constant_ints(graph, node, 4);
    if (!s) return std::nullopt;
    steps = *s;
  }
  const Strides in_strides = dense_strides(in);
  Copy c{node.inputs[0], 0, 0, in_strides, dense_strides(out), *dims};
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    const int64_t dim = in[static_cast<size_t>(axis)];
    int64_t start = (*starts)[i] < 0 ? (*starts)[i] + dim : (*starts)[i];
    start = std::clamp<int64_t>(start, 0, steps[i] > 0 ? dim : dim - 1);
    c.src_offset += start * in_strides.step[axis];
    c.src_strides.step[axis] = in_strides.step[axis] * steps[i];
  }
  step->copies.push_back(c);
  step->reads.resize(1);  // starts, ends, axes and steps are known at compile time
  return Lowered{std::move(step)};
}

std::optional<Lowered> lower_concat(const Graph& graph, const Node& node) {
  const Shape& out = graph.value(node.outputs[0]).shape;
  auto step = copy_step(graph, node);
  if (!dims_of(out) || !step) return std::nullopt;
  int64_t axis = node.attrs.get_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(out.size());
  const Strides out_strides = dense_strides(out);
  int64_t offset = 0;
  for (ValueId in : node.inputs) {
    const Shape& s = graph.value(in).shape;
    step->copies.push_back({in, 0, offset * out_strides.step[axis], dense_strides(s), out_strides, *dims_of(s)});
    offset += s[static_cast<size_t>(axis)];
  }
  return Lowered{std::move(step)};
}

std::optional<Lowered> lower_expand(const Graph& graph, const Node& node) {
  const Shape& out = graph.value(node.outputs[0]).shape;
  std::optional<Dims> dims = dims_of(out);
  auto step = copy_step(graph, node);
  if (!dims || !step) return std::nullopt;
  step->copies.push_back(
      {node.inputs[0], 0, 0, broadcast_strides(graph.value(node.inputs[0]).shape, out), dense_strides(out), *dims});
  step->reads.resize(1);  // the target shape is known at compile time
  return Lowered{std::move(step)};
}

}  // namespace

void register_data_lowerings(LoweringTable& table) {
  for (OpKind op : {OpKind::Reshape, OpKind::Flatten, OpKind::Squeeze, OpKind::Unsqueeze, OpKind::Identity,
                    OpKind::Dropout})
    table[static_cast<size_t>(op)] = lower_view;
  table[static_cast<size_t>(OpKind::Transpose)] = lower_transpose;
  table[static_cast<size_t>(OpKind::Slice)] = lower_slice;
  table[static_cast<size_t>(OpKind::Concat)] = lower_concat;
  table[static_cast<size_t>(OpKind::Expand)] = lower_expand;
}

}  // namespace es::cuda
