// fc_to_conv: a fully connected layer on a flattened feature map becomes a convolution on the map itself,
// NVIDIA's own DLA recipe (dla-rules.md §4.1: {Squeeze, MatMul, Add} -> one 1x1 Conv):
//   X [N,C,H,W] -> Flatten(axis 1) | Reshape to [N, C*H*W] | Squeeze(H = W = 1) -> A [N, K]
//   Gemm(A, B, Cbias) or MatMul(A, B) (+ Add(bias))                            -> Y [N, M]
// becomes Conv(X, W [M,C,H,W], bias [M]) -> [N,M,1,1] followed by a Reshape to [N, M], which keeps the
// output shape (the keep_4d_outputs pass removes it at a graph output). The flatten, the matrix multiply's
// IConstant/IShuffle helpers and the shape arithmetic disappear, and the whole head can stay on the DLA.
// Conditions: B (and the bias) constant f32, transA = 0, the bias one row broadcast over N. The weights are
// B's columns laid out in flatten order (c, h, w); alpha and beta are multiplied in (double, rounded once).
// Exact when alpha = beta = 1 up to the summation order (float rounding).
#include "passes/dla/dla_passes.h"
#include "passes/dla/graph_editor.h"
#include "passes/rewrite.h"

#include <optional>

namespace es::passes::dla {
namespace {

// The 4-D feature map A flattens, when A [N, K] is a row-major flatten of it.
std::optional<ValueId> flattened_map(const Graph& g, ValueId a) {
  const Shape* as = static_shape(g, a);
  NodeId p = g.value(a).producer;
  if (as == nullptr || as->size() != 2 || p == kNoNode) return std::nullopt;
  const Node& f = g.node(p);
  if (f.op != OpKind::Flatten && f.op != OpKind::Reshape && f.op != OpKind::Squeeze) return std::nullopt;
  const Shape* xs = static_shape(g, f.inputs.at(0));
  if (xs == nullptr || xs->size() != 4 || (*xs)[0] != (*as)[0] || (*xs)[1] * (*xs)[2] * (*xs)[3] != (*as)[1])
    return std::nullopt;
  if (f.op == OpKind::Flatten && f.attrs.get_int("axis", 1) != 1) return std::nullopt;
  if (f.op == OpKind::Squeeze && ((*xs)[2] != 1 || (*xs)[3] != 1)) return std::nullopt;
  return f.inputs[0];
}

// The bias as one row of M values (scaled by beta); nullopt when it is not constant or varies over rows.
std::optional<std::vector<double>> bias_row(const Graph& g, ValueId c, int64_t m, double beta) {
  std::vector<double> row(static_cast<size_t>(m), 0.0);
  if (c == kNoValue) return row;
  const Tensor* t = constant_float(g, c);
  if (t == nullptr || t->rank() > 2 || (t->rank() == 2 && t->dim(0) != 1)) return std::nullopt;
  int64_t n = t->numel();
  if (n != m && n != 1) return std::nullopt;
  const float* v = t->data<float>();
  for (int64_t j = 0; j < m; ++j) row[static_cast<size_t>(j)] = beta * v[n == 1 ? 0 : j];
  return row;
}

struct Match {
  ValueId map;            // X [N,C,H,W]
  const Tensor* weights;  // B
  bool trans_b = false;
  double alpha = 1.0;
  std::vector<double> bias;
  std::vector<NodeId> replaced;  // the Gemm/MatMul (+ Add) nodes
  ValueId result;                // the value the replacement writes
};

std::optional<Match> match(const Graph& g, NodeId id) {
  const Node& n = g.node(id);
  if (n.op != OpKind::Gemm && n.op != OpKind::MatMul) return std::nullopt;
  if (n.op == OpKind::Gemm && n.attrs.get_int("transA", 0) != 0) return std::nullopt;
  std::optional<ValueId> map = flattened_map(g, n.inputs.at(0));
  const Tensor* b = constant_float(g, n.inputs.at(1));
  if (!map || b == nullptr || b->rank() != 2) return std::nullopt;
  Match m{*map, b};
  m.trans_b = n.op == OpKind::Gemm && n.attrs.get_int("transB", 0) != 0;
  const int64_t k = g.value(n.inputs[0]).shape[1];
  const int64_t outputs = m.trans_b ? b->dim(0) : b->dim(1);
  if ((m.trans_b ? b->dim(1) : b->dim(0)) != k) return std::nullopt;
  m.replaced = {id};
  m.result = n.outputs.at(0);
  if (n.op == OpKind::Gemm) {
    m.alpha = n.attrs.get_float("alpha", 1.0f);
    auto bias = bias_row(g, n.has_input(2) ? n.inputs[2] : kNoValue, outputs, n.attrs.get_float("beta", 1.0f));
    if (!bias) return std::nullopt;
    m.bias = std::move(*bias);
    return m;
  }
  m.bias.assign(static_cast<size_t>(outputs), 0.0);
  // MatMul + Add(constant bias row): the Add is absorbed when it is the product's only reader.
  if (!has_single_use(g, m.result)) return m;
  NodeId reader = g.consumers(m.result).front();
  const Node& add = g.node(reader);
  if (add.op != OpKind::Add) return m;
  ValueId other = add.inputs[0] == m.result ? add.inputs[1] : add.inputs[0];
  auto bias = bias_row(g, other, outputs, 1.0);
  const Shape* add_shape = static_shape(g, add.outputs[0]);
  if (!bias || add_shape == nullptr || *add_shape != g.value(m.result).shape) return m;
  m.bias = std::move(*bias);
  m.replaced.push_back(reader);
  m.result = add.outputs[0];
  return m;
}

void rewrite(GraphEditor& e, const Match& m) {
  Graph& g = e.graph();
  const Node head = g.node(m.replaced.front());
  Node origin = head;
  for (size_t i = 1; i < m.replaced.size(); ++i)
    origin.origin.insert(origin.origin.end(), g.node(m.replaced[i]).origin.begin(), g.node(m.replaced[i]).origin.end());
  const Shape x = g.value(m.map).shape;
  const int64_t c = x[1], h = x[2], w = x[3], k = c * h * w;
  const int64_t outputs = static_cast<int64_t>(m.bias.size());
  Tensor weights(DType::f32, {outputs, c, h, w});
  Tensor bias(DType::f32, {outputs});
  const float* b = m.weights->data<float>();
  float* wt = weights.data<float>();
  for (int64_t o = 0; o < outputs; ++o) {
    // Flatten order is (c, h, w), which is also the row-major order of one output's [C,H,W] kernel.
    for (int64_t j = 0; j < k; ++j) {
      float v = m.trans_b ? b[o * k + j] : b[j * outputs + o];
      wt[o * k + j] = m.alpha == 1.0 ? v : static_cast<float>(m.alpha * v);
    }
    bias.data<float>()[o] = static_cast<float>(m.bias[static_cast<size_t>(o)]);
  }
  for (NodeId id : m.replaced) e.remove(id);
  ValueId wv = e.initializer(head.name + "_conv_weight", std::move(weights));
  ValueId bv = e.initializer(head.name + "_conv_bias", std::move(bias));
  ValueId y4 = e.value(head.name + "_conv", DType::f32, {x[0], outputs, 1, 1});
  e.add(OpKind::Conv, head.name, {m.map, wv, bv}, {y4}, attrs_of({{"kernel_shape", std::vector<int64_t>{h, w}}}), origin);
  e.add(OpKind::Reshape, head.name + "_reshape", {y4, e.ints(head.name + "_shape", {x[0], outputs})}, {m.result}, {},
        origin);
}

}  // namespace

Result<bool> fc_to_conv(Graph& graph) {
  GraphEditor editor(graph);
  const size_t count = graph.nodes.size();
  for (size_t i = 0; i < count; ++i) {
    // Nodes removed earlier in this sweep (an absorbed Add) have no outputs left.
    if (graph.node(static_cast<NodeId>(i)).outputs.empty()) continue;
    if (std::optional<Match> m = match(graph, static_cast<NodeId>(i))) rewrite(editor, *m);
  }
  return editor.finish();
}

}  // namespace es::passes::dla
