// split_max_pool: a stride-1 "same" MaxPool whose window exceeds the DLA's 8 (dla-rules.md §1.3: window
// [1, 8]; YOLOX's SPP block uses 5, 9 and 13) becomes a cascade of stride-1 MaxPools with odd windows of at
// most 7 whose reaches add up: max over a k-window = max over a k1-window of max over k2-windows when
// k1 + k2 - 1 = k, and each pool's padding (ignored by max) clips at the borders exactly as the large window
// does. The identity behind YOLOv5's SPPF block; here 9 = 7 then 3 and 13 = 7 then 7. Max involves no arithmetic: exact.
#include "passes/dla/dla_passes.h"
#include "passes/dla/graph_editor.h"

#include <algorithm>

namespace es::passes::dla {
namespace {

constexpr int64_t kMaxOddWindow = 7;

// Odd windows <= 7 whose (window - 1) sum to k - 1.
std::vector<int64_t> cascade(int64_t k) {
  std::vector<int64_t> windows;
  int64_t reach = k - 1;
  while (reach > 0) {
    int64_t step = std::min<int64_t>(reach, kMaxOddWindow - 1);
    windows.push_back(step + 1);
    reach -= step;
  }
  return windows;
}

bool rewrite(GraphEditor& e, NodeId id) {
  Graph& g = e.graph();
  const Node n = g.node(id);
  if (n.op != OpKind::MaxPool || (n.outputs.size() > 1 && n.outputs[1] != kNoValue)) return false;
  if (static_shape(g, n.inputs.at(0)) == nullptr) return false;
  const Shape in = g.value(n.inputs[0]).shape;  // a copy: adding values below moves them
  if (in.size() != 4 || n.attrs.get_string("auto_pad", "NOTSET") != "NOTSET") return false;
  const std::vector<int64_t> k = n.attrs.get_ints("kernel_shape");
  const std::vector<int64_t> strides = n.attrs.get_ints("strides", {1, 1});
  const std::vector<int64_t> dilations = n.attrs.get_ints("dilations", {1, 1});
  const std::vector<int64_t> pads = n.attrs.get_ints("pads", {0, 0, 0, 0});
  if (k.size() != 2 || k[0] != k[1] || k[0] <= 8 || k[0] % 2 == 0) return false;
  const int64_t half = (k[0] - 1) / 2;
  if (strides != std::vector<int64_t>{1, 1} || dilations != std::vector<int64_t>{1, 1} ||
      pads != std::vector<int64_t>{half, half, half, half})
    return false;
  const std::vector<int64_t> windows = cascade(k[0]);
  e.remove(id);
  ValueId x = n.inputs[0];
  for (size_t s = 0; s < windows.size(); ++s) {
    const int64_t w = windows[s], p = (w - 1) / 2;
    ValueId y = s + 1 == windows.size() ? n.outputs[0] : e.value(n.name + "_part", g.value(x).dtype, in);
    e.add(OpKind::MaxPool, s == 0 ? n.name : n.name + "_part" + std::to_string(s), {x}, {y},
          attrs_of({{"kernel_shape", std::vector<int64_t>{w, w}}, {"pads", std::vector<int64_t>{p, p, p, p}}}), n);
    x = y;
  }
  return true;
}

}  // namespace

Result<bool> split_max_pool(Graph& graph) {
  GraphEditor editor(graph);
  const size_t count = graph.nodes.size();
  for (size_t i = 0; i < count; ++i) rewrite(editor, static_cast<NodeId>(i));
  return editor.finish();
}

}  // namespace es::passes::dla
