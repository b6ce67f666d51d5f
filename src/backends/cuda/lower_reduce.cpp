// Ops that combine many inputs into one output: pools, reductions over a contiguous range of axes,
// softmax along one axis, and resize of the two spatial dimensions.
#include "backends/cpu/window.h"
#include "backends/cuda/lowering.h"

#include <algorithm>

namespace es::cuda {

namespace {

class PoolStep final : public Step {
 public:
  Pool2d p;
  LayoutRule layout_rule() const override { return LayoutRule::follow_first; }
  void configure(const Graph&, const std::vector<Storage>& storage) override {
    p.half = storage[static_cast<size_t>(writes[0])].half;
    p.nhwc = storage[static_cast<size_t>(reads[0])].nhwc;
  }
  Status run(const Context& ctx) override {
    launch_pool2d(ctx.stream, p, ctx.memory->data(reads[0]), ctx.memory->data(writes[0]));
    return check(cudaGetLastError(), name.c_str());
  }
};

// [outer, r, inner] views of the input, reduced (or normalised) over the middle. A global pool of an NHWC
// input is [N, H*W, C] reduced over the middle; its [N, C, 1, 1] output lies the same in either layout.
class ReduceStep final : public Step {
 public:
  Reduce fn = Reduce::sum;
  bool softmax = false, log = false, global_pool = false, half = false;
  int64_t outer = 1, r = 1, inner = 1;
  LayoutRule layout_rule() const override { return global_pool ? LayoutRule::dense_output : LayoutRule::dense; }
  void configure(const Graph& graph, const std::vector<Storage>& storage) override {
    half = storage[static_cast<size_t>(writes[0])].half;
    const Shape& xs = graph.value(reads[0]).shape;
    if (global_pool && storage[static_cast<size_t>(reads[0])].nhwc && xs.size() == 4) {
      outer = xs[0];
      r = xs[2] * xs[3];
      inner = xs[1];
    }
  }
  Status run(const Context& ctx) override {
    const void* x = ctx.memory->data(reads[0]);
    void* y = ctx.memory->data(writes[0]);
    if (softmax)
      launch_softmax(ctx.stream, half, x, y, outer, r, inner, log);
    else
      launch_reduce(ctx.stream, half, fn, x, y, outer, r, inner);
    return check(cudaGetLastError(), name.c_str());
  }
};

class ResizeStep final : public Step {
 public:
  Resize2d r;
  LayoutRule layout_rule() const override { return LayoutRule::follow_first; }
  void configure(const Graph&, const std::vector<Storage>& storage) override {
    r.half = storage[static_cast<size_t>(writes[0])].half;
    r.nhwc = storage[static_cast<size_t>(reads[0])].nhwc;
  }
  Status run(const Context& ctx) override {
    launch_resize2d(ctx.stream, r, ctx.memory->data(reads[0]), ctx.memory->data(writes[0]));
    return check(cudaGetLastError(), name.c_str());
  }
};

bool f32_node(const Graph& graph, const Node& node) {
  return all_f32(graph, {node.inputs.data(), 1}) && all_f32(graph, node.outputs);
}

std::optional<Lowered> lower_pool(const Graph& graph, const Node& node) {
  if (!f32_node(graph, node) || (node.outputs.size() > 1 && node.outputs[1] != kNoValue)) return std::nullopt;
  const Shape& xs = graph.value(node.inputs[0]).shape;
  const Shape& ys = graph.value(node.outputs[0]).shape;
  if (xs.size() != 4) return std::nullopt;
  const std::vector<int64_t> kernel = node.attrs.get_ints("kernel_shape");
  if (kernel.size() != 2) return std::nullopt;
  std::optional<cpu::Window> win = cpu::forward_window(node, kernel, std::span(xs).subspan(2), std::span(ys).subspan(2));
  if (!win) return std::nullopt;
  const std::vector<int64_t> pads = node.attrs.get_ints("pads", {0, 0, 0, 0});
  auto step = make_step<PoolStep>(node);
  Pool2d& p = step->p;
  p.max = node.op == OpKind::MaxPool;
  p.count_include_pad = node.attrs.get_int("count_include_pad", 0) != 0;
  p.n = xs[0], p.c = xs[1], p.h = xs[2], p.w = xs[3], p.oh = ys[2], p.ow = ys[3];
  p.kh = kernel[0], p.kw = kernel[1], p.sh = win->strides[0], p.sw = win->strides[1];
  p.ph = win->padding_l[0], p.pw = win->padding_l[1];
  p.dh = win->dilations[0] + 1, p.dw = win->dilations[1] + 1;
  p.ph_end = win->padded_beyond_declared ? pads[2] : win->padding_r[0];
  p.pw_end = win->padded_beyond_declared ? pads[3] : win->padding_r[1];
  return Lowered{std::move(step)};
}

// [outer, r, inner] around the axis range [first, last] of `shape`.
void split_around(ReduceStep& step, const Shape& shape, int64_t first, int64_t last) {
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
    (d < first ? step.outer : d > last ? step.inner : step.r) *= shape[static_cast<size_t>(d)];
}

std::optional<Lowered> lower_global_pool(const Graph& graph, const Node& node) {
  if (!f32_node(graph, node)) return std::nullopt;
  const Shape& xs = graph.value(node.inputs[0]).shape;
  auto step = make_step<ReduceStep>(node);
  step->fn = node.op == OpKind::GlobalMaxPool ? Reduce::max : Reduce::mean;
  step->global_pool = xs.size() == 4;
  split_around(*step, xs, 2, static_cast<int64_t>(xs.size()) - 1);
  return Lowered{std::move(step)};
}

std::optional<Reduce> reduce_op(OpKind op) {
  switch (op) {
    case OpKind::ReduceSum: return Reduce::sum;
    case OpKind::ReduceMean: return Reduce::mean;
    case OpKind::ReduceMax: return Reduce::max;
    case OpKind::ReduceMin: return Reduce::min;
    default: return std::nullopt;
  }
}

std::optional<Lowered> lower_reduce(const Graph& graph, const Node& node) {
  std::optional<Reduce> op = reduce_op(node.op);
  if (!op || !f32_node(graph, node)) return std::nullopt;
  const Shape& xs = graph.value(node.inputs[0]).shape;
  const int64_t rank = static_cast<int64_t>(xs.size());
  std::vector<int64_t> axes = node.attrs.get_ints("axes");
  if (node.has_input(1)) {
    std::optional<std::vector<int64_t>> a = constant_ints(graph, node, 1);
    if (!a) return std::nullopt;
    axes = *a;
  }
  if (axes.empty()) {
    if (node.attrs.get_int("noop_with_empty_axes", 0) != 0) return std::nullopt;
    for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
  }
  for (int64_t& a : axes) a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  if (axes.back() - axes.front() + 1 != static_cast<int64_t>(axes.size())) return std::nullopt;  // not contiguous
  auto step = make_step<ReduceStep>(node);
  step->fn = *op;
  step->reads.resize(1);
  split_around(*step, xs, axes.front(), axes.back());
  return Lowered{std::move(step)};
}

std::optional<Lowered> lower_softmax(const Graph& graph, const Node& node) {
  if (!f32_node(graph, node)) return std::nullopt;
  const Shape& xs = graph.value(node.inputs[0]).shape;
  int64_t axis = node.attrs.get_int("axis", -1);
  if (axis < 0) axis += static_cast<int64_t>(xs.size());
  auto step = make_step<ReduceStep>(node);
  step->softmax = true;
  step->log = node.op == OpKind::LogSoftmax;
  split_around(*step, xs, axis, axis);
  return Lowered{std::move(step)};
}

template <typename T>
std::optional<int> index_in(std::initializer_list<T> names, const T& name) {
  int i = 0;
  for (const T& n : names) {
    if (n == name) return i;
    ++i;
  }
  return std::nullopt;
}

std::optional<Lowered> lower_resize(const Graph& graph, const Node& node) {
  if (!f32_node(graph, node)) return std::nullopt;
  const Shape& xs = graph.value(node.inputs[0]).shape;
  const Shape& ys = graph.value(node.outputs[0]).shape;
  if (xs.size() != 4 || xs[0] != ys[0] || xs[1] != ys[1] || node.attrs.get_int("antialias", 0) != 0) return std::nullopt;
  const std::string mode = node.attrs.get_string("mode", "nearest");
  std::optional<int> coord = index_in<std::string>({"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"},
                                                   node.attrs.get_string("coordinate_transformation_mode", "half_pixel"));
  std::optional<int> nearest = index_in<std::string>({"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
                                                     node.attrs.get_string("nearest_mode", "round_prefer_floor"));
  if ((mode != "nearest" && mode != "linear") || !coord || !nearest) return std::nullopt;
  auto step = make_step<ResizeStep>(node);
  Resize2d& r = step->r;
  r.linear = mode == "linear";
  r.coord = *coord;
  r.nearest = *nearest;
  r.n = xs[0], r.c = xs[1], r.h = xs[2], r.w = xs[3], r.oh = ys[2], r.ow = ys[3];
  r.scale_h = static_cast<float>(ys[2]) / static_cast<float>(xs[2]);
  r.scale_w = static_cast<float>(ys[3]) / static_cast<float>(xs[3]);
  // Given scales define the coordinate mapping (they may differ from the rounded size ratio).
  if (node.has_input(2) && graph.value(node.inputs[2]).data != nullptr) {
    const std::vector<float> scales = graph.value(node.inputs[2]).data->to_float_vector();
    if (scales.size() == 4) r.scale_h = scales[2], r.scale_w = scales[3];
  }
  step->reads.resize(1);
  return Lowered{std::move(step)};
}

}  // namespace

void register_reduce_lowerings(LoweringTable& table) {
  table[static_cast<size_t>(OpKind::MaxPool)] = lower_pool;
  table[static_cast<size_t>(OpKind::AveragePool)] = lower_pool;
  table[static_cast<size_t>(OpKind::GlobalAveragePool)] = lower_global_pool;
  table[static_cast<size_t>(OpKind::GlobalMaxPool)] = lower_global_pool;
  for (OpKind op : {OpKind::ReduceSum, OpKind::ReduceMean, OpKind::ReduceMax, OpKind::ReduceMin})
    table[static_cast<size_t>(op)] = lower_reduce;
  table[static_cast<size_t>(OpKind::Softmax)] = lower_softmax;
  table[static_cast<size_t>(OpKind::LogSoftmax)] = lower_softmax;
  table[static_cast<size_t>(OpKind::Resize)] = lower_resize;
}

}  // namespace es::cuda
