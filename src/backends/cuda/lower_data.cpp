// Data movement: shape-only ops become views (no kernel: the output shares the input's bytes);
// Transpose, Slice, Concat and Expand are strided copies. These take any element type.
#include "backends/cuda/lowering.h"

#include <algorithm>
#include <array>

namespace es::cuda {

namespace {

// One strided copy (Concat has one per input), described over the logical dims so that configure() can
// place it on the stored layouts: iteration dim d walks source dim src_dim[d] (-1: broadcast) in steps of
// src_step[d] from src_start, and destination dim d from dst_start along dst_axis.
struct Copy {
  ValueId src = kNoValue;
  Dims shape;
  std::array<int, kMaxRank> src_dim{};
  std::array<int64_t, kMaxRank> src_step{};
  std::vector<int64_t> src_start;  // per source dim
  int dst_axis = 0;
  int64_t dst_start = 0;
  // Filled by configure():
  int64_t src_offset = 0, dst_offset = 0;
  Strides src_strides, dst_strides;
  Dims dims;
};

Copy identity_copy(ValueId src, const Shape& shape) {
  Copy c;
  c.src = src;
  c.shape = *dims_of(shape);
  for (int d = 0; d < c.shape.rank; ++d) {
    c.src_dim[d] = d;
    c.src_step[d] = 1;
  }
  c.src_start.assign(shape.size(), 0);
  return c;
}

class CopyStep final : public Step {
 public:
  LayoutRule rule = LayoutRule::dense_output;
  int elem_bytes = 4;
  std::vector<Copy> copies;

  LayoutRule layout_rule() const override { return rule; }
  void configure(const Graph& graph, const std::vector<Storage>& storage) override {
    const Value& out = graph.value(writes[0]);
    const Storage& out_storage = storage[static_cast<size_t>(writes[0])];
    elem_bytes = out_storage.half ? 2 : static_cast<int>(dtype_size(out.dtype));
    const Strides dst = stored_strides(out.shape, out_storage);
    for (Copy& c : copies) {
      const Strides src = stored_strides(graph.value(c.src).shape, storage[static_cast<size_t>(c.src)]);
      c.src_offset = 0;
      for (size_t k = 0; k < c.src_start.size(); ++k) c.src_offset += c.src_start[k] * src.step[k];
      c.dst_offset = c.dst_start * dst.step[c.dst_axis];
      c.dims = c.shape;
      for (int d = 0; d < c.shape.rank; ++d) {
        c.src_strides.step[d] = c.src_dim[d] < 0 ? 0 : src.step[c.src_dim[d]] * c.src_step[d];
        c.dst_strides.step[d] = dst.step[d];
      }
      order_by_destination(c.dims, c.dst_strides, {&c.src_strides});
    }
  }
  Status run(const Context& ctx) override {
    void* dst = ctx.memory->data(writes[0]);
    for (const Copy& c : copies)
      launch_strided_copy(ctx.stream, elem_bytes, ctx.memory->data(c.src), c.src_offset, c.src_strides, dst,
                          c.dst_offset, c.dst_strides, c.dims);
    return check(cudaGetLastError(), name.c_str());
  }

 protected:
  void rebind_fields(ValueId from, ValueId to) override {
    for (Copy& c : copies)
      if (c.src == from) c.src = to;
  }
};

std::optional<Lowered> lower_view(const Graph& graph, const Node& node) {
  for (size_t i = 1; i < node.outputs.size(); ++i)
    if (node.outputs[i] != kNoValue) return std::nullopt;  // Dropout's mask
  // Dropout is the identity only in inference mode: a training_mode input must be a constant false.
  if (node.op == OpKind::Dropout && node.has_input(2)) {
    const Value& mode = graph.value(node.inputs[2]);
    if (mode.data == nullptr || mode.data->to_float_vector() != std::vector<float>{0.f}) return std::nullopt;
  }
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
  Copy c = identity_copy(node.inputs[0], out);
  for (size_t d = 0; d < perm.size(); ++d) c.src_dim[d] = static_cast<int>(perm[d]);
  c.src_start.assign(in.size(), 0);
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
  Copy c = identity_copy(node.inputs[0], out);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    const int64_t dim = in[static_cast<size_t>(axis)];
    int64_t start = (*starts)[i] < 0 ? (*starts)[i] + dim : (*starts)[i];
    start = std::clamp<int64_t>(start, 0, steps[i] > 0 ? dim : dim - 1);
    c.src_start[static_cast<size_t>(axis)] = start;
    c.src_step[static_cast<size_t>(axis)] = steps[i];
  }
  step->copies.push_back(c);
  step->rule = LayoutRule::follow_first;
  step->reads.resize(1);  // starts, ends, axes and steps are known at compile time
  return Lowered{std::move(step)};
}

std::optional<Lowered> lower_concat(const Graph& graph, const Node& node) {
  const Shape& out = graph.value(node.outputs[0]).shape;
  auto step = copy_step(graph, node);
  if (!dims_of(out) || !step) return std::nullopt;
  int64_t axis = node.attrs.get_int("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(out.size());
  int64_t offset = 0;
  for (ValueId in : node.inputs) {
    const Shape& s = graph.value(in).shape;
    Copy c = identity_copy(in, s);
    c.dst_axis = static_cast<int>(axis);
    c.dst_start = offset;
    step->copies.push_back(c);
    offset += s[static_cast<size_t>(axis)];
  }
  step->rule = LayoutRule::follow_any;
  return Lowered{std::move(step)};
}

std::optional<Lowered> lower_expand(const Graph& graph, const Node& node) {
  const Shape& out = graph.value(node.outputs[0]).shape;
  std::optional<Dims> dims = dims_of(out);
  auto step = copy_step(graph, node);
  if (!dims || !step) return std::nullopt;
  const Shape& in = graph.value(node.inputs[0]).shape;
  Copy c = identity_copy(node.inputs[0], out);
  const int lead = static_cast<int>(out.size() - in.size());
  for (int d = 0; d < c.shape.rank; ++d)
    c.src_dim[d] = d < lead || in[static_cast<size_t>(d - lead)] == 1 ? -1 : d - lead;
  c.src_start.assign(in.size(), 0);
  step->copies.push_back(c);
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
