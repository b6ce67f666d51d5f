// global_pool_to_average_pool: GlobalAveragePool, and ReduceMean over H and/or W of a 4-D tensor, become
// AveragePool. TensorRT's ONNX parser imports both as an IReduceLayer (kAVG), which the DLA never runs
// (dla-rules.md §0, §2.1); a pooling layer runs there when its window is at most 8x8 (§1.3: window [1, 8],
// padding [0, 7], stride [1, 16]; a larger window makes TensorRT put the layer on the GPU).
//
// A reduced dimension of size n <= 8 is one window. A larger one is split into a cascade of non-overlapping
// pools whose windows multiply to n (each <= 8): the mean of equal-sized block means is the mean. When n has
// a prime factor above 8, the first pool pads the dimension up to the next multiple of 8 with zeros counted
// in the average (count_include_pad), and a final Mul by padded/n restores the mean. One window is exact
// (the same sum divided by n); a cascade is exact up to float rounding.
// keepdims=0 ends with a Reshape to the reduced shape.
#include "passes/dla/dla_passes.h"
#include "passes/dla/graph_editor.h"

#include <algorithm>
#include <optional>

namespace es::passes::dla {
namespace {

constexpr int64_t kMaxWindow = 8;

// Windows (each <= 8) whose product is n, largest first; empty when n has a prime factor above 8.
std::vector<int64_t> smooth_factors(int64_t n) {
  std::vector<int64_t> factors;
  while (n > 1) {
    int64_t f = kMaxWindow;
    while (f > 1 && n % f != 0) --f;
    if (f == 1) return {};
    factors.push_back(f);
    n /= f;
  }
  return factors;
}

// How one spatial dimension of size n is reduced: the windows of each stage, zero padding at the end of the
// first stage, and the size the padded cascade averages over.
struct DimPlan {
  std::vector<int64_t> windows;
  int64_t pad_end = 0;
  int64_t padded = 0;
};

std::optional<DimPlan> plan_dim(int64_t n, bool reduce) {
  DimPlan p;
  p.padded = n;
  if (!reduce || n == 1) return p;
  p.windows = smooth_factors(n);
  if (!p.windows.empty()) return p;
  p.padded = (n + kMaxWindow - 1) / kMaxWindow * kMaxWindow;
  p.pad_end = p.padded - n;
  std::vector<int64_t> rest = smooth_factors(p.padded / kMaxWindow);
  if (rest.empty() && p.padded != kMaxWindow) return std::nullopt;
  p.windows = {kMaxWindow};
  p.windows.insert(p.windows.end(), rest.begin(), rest.end());
  return p;
}

// Which of H (axis 2) and W (axis 3) the node averages over, and whether it keeps the reduced dimensions.
struct Reduction {
  bool h = false, w = false, keepdims = true;
};

std::optional<Reduction> reduction_of(const Node& node, const Shape& in) {
  if (node.op == OpKind::GlobalAveragePool) return Reduction{true, true, true};
  if (node.op != OpKind::ReduceMean || !node.attrs.has("axes")) return std::nullopt;
  Reduction r;
  r.keepdims = node.attrs.get_int("keepdims", 1) != 0;
  for (int64_t axis : node.attrs.get_ints("axes")) {
    if (axis < 0) axis += static_cast<int64_t>(in.size());
    if (axis == 2) r.h = true;
    else if (axis == 3) r.w = true;
    else return std::nullopt;
  }
  if (!r.h && !r.w) return std::nullopt;
  return r;
}

bool rewrite(GraphEditor& e, NodeId id) {
  Graph& g = e.graph();
  const Node node = g.node(id);
  if (node.op != OpKind::GlobalAveragePool && node.op != OpKind::ReduceMean) return false;
  if (static_shape(g, node.inputs.at(0)) == nullptr || g.value(node.inputs[0]).dtype != DType::f32) return false;
  const Shape in = g.value(node.inputs[0]).shape;  // a copy: adding values below moves them
  if (in.size() != 4) return false;
  std::optional<Reduction> r = reduction_of(node, in);
  if (!r) return false;
  std::optional<DimPlan> ph = plan_dim(in[2], r->h), pw = plan_dim(in[3], r->w);
  if (!ph || !pw) return false;
  const size_t stages = std::max<size_t>({ph->windows.size(), pw->windows.size(), 1});
  const bool needs_correction = ph->padded != in[2] || pw->padded != in[3];
  const bool needs_reshape = !r->keepdims;
  const ValueId result = node.outputs.at(0);
  const Shape result_shape = g.value(result).shape;

  e.remove(id);
  ValueId x = node.inputs[0];
  Shape shape = in;
  for (size_t s = 0; s < stages; ++s) {
    int64_t kh = s < ph->windows.size() ? ph->windows[s] : 1;
    int64_t kw = s < pw->windows.size() ? pw->windows[s] : 1;
    int64_t pad_h = s == 0 ? ph->pad_end : 0, pad_w = s == 0 ? pw->pad_end : 0;
    shape[2] = (shape[2] + pad_h) / kh;
    shape[3] = (shape[3] + pad_w) / kw;
    bool last = s + 1 == stages && !needs_correction && !needs_reshape;
    ValueId y = last ? result : e.value(node.name + "_pool", DType::f32, shape);
    Attributes a = attrs_of({{"kernel_shape", std::vector<int64_t>{kh, kw}}, {"strides", std::vector<int64_t>{kh, kw}}});
    if (pad_h != 0 || pad_w != 0) {
      a.set("pads", std::vector<int64_t>{0, 0, pad_h, pad_w});
      a.set("count_include_pad", int64_t{1});
    }
    e.add(OpKind::AveragePool, s == 0 ? node.name : node.name + "_stage" + std::to_string(s), {x}, {y}, std::move(a),
          node);
    x = y;
  }
  if (needs_correction) {
    float factor = static_cast<float>(static_cast<double>(ph->padded * pw->padded) / static_cast<double>(in[2] * in[3]));
    ValueId y = needs_reshape ? e.value(node.name + "_mean", DType::f32, shape) : result;
    e.add(OpKind::Mul, node.name + "_unpad", {x, e.filled(node.name + "_unpad_factor", {1, 1, 1, 1}, factor)}, {y}, {},
          node);
    x = y;
  }
  if (needs_reshape)
    e.add(OpKind::Reshape, node.name + "_squeeze", {x, e.ints(node.name + "_shape", result_shape)}, {result},
          {}, node);
  return true;
}

}  // namespace

Result<bool> global_pool_to_average_pool(Graph& graph) {
  GraphEditor editor(graph);
  const size_t count = graph.nodes.size();
  for (size_t i = 0; i < count; ++i) rewrite(editor, static_cast<NodeId>(i));
  return editor.finish();
}

}  // namespace es::passes::dla
