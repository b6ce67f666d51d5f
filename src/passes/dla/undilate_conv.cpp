// undilate_conv: a dilated Conv whose padding is not smaller than its kernel, which the DLA refuses
// (dla-rules.md §1.3: "each padding dimension must be less than the corresponding kernel dimension"; UltraFace's
// RFB blocks use 3x3 kernels with dilation 3 or 5 and "same" padding 3 or 5), becomes the same Conv with the
// dilation written out: a (k-1)*d+1 kernel holding the original taps d apart and zeros between them, dilation 1.
// Padding is then smaller than the kernel, and the kernel stays within the DLA's [1, 32]. The added taps multiply
// by exact zeros, so for finite inputs the result is exact; the price is more multiply-adds on the DLA
// (49 instead of 9 taps for 3x3 dilation 3). Only applied where the DLA would refuse the original.
#include "passes/dla/dla_passes.h"
#include "passes/dla/graph_editor.h"

namespace es::passes::dla {
namespace {

constexpr int64_t kMaxKernel = 32;

bool rewrite(GraphEditor& e, NodeId id) {
  Graph& g = e.graph();
  const Node& n = g.node(id);
  if (n.op != OpKind::Conv || n.attrs.get_string("auto_pad", "NOTSET") != "NOTSET") return false;
  const Tensor* w = constant_float(g, n.inputs.at(1));
  if (w == nullptr || w->rank() != 4) return false;
  const std::vector<int64_t> dil = n.attrs.get_ints("dilations", {1, 1});
  const std::vector<int64_t> pads = n.attrs.get_ints("pads", {0, 0, 0, 0});
  const int64_t kh = w->dim(2), kw = w->dim(3);
  if (dil.size() != 2 || pads.size() != 4 || (dil[0] == 1 && dil[1] == 1)) return false;
  const bool refused = pads[0] >= kh || pads[2] >= kh || pads[1] >= kw || pads[3] >= kw;
  const int64_t eh = (kh - 1) * dil[0] + 1, ew = (kw - 1) * dil[1] + 1;
  if (!refused || eh > kMaxKernel || ew > kMaxKernel) return false;
  Tensor expanded(DType::f32, {w->dim(0), w->dim(1), eh, ew});  // zero-initialised
  const float* src = w->data<float>();
  float* dst = expanded.data<float>();
  for (int64_t oc = 0; oc < w->dim(0) * w->dim(1); ++oc)
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x) dst[(oc * eh + y * dil[0]) * ew + x * dil[1]] = src[(oc * kh + y) * kw + x];
  const std::string base = n.name + "_undilated";
  ValueId wv = e.initializer(base, std::move(expanded));
  Node& conv = g.node(id);
  conv.inputs[1] = wv;
  conv.attrs.set("dilations", std::vector<int64_t>{1, 1});
  conv.attrs.set("kernel_shape", std::vector<int64_t>{eh, ew});
  return true;
}

}  // namespace

Result<bool> undilate_conv(Graph& graph) {
  GraphEditor editor(graph);
  bool changed = false;
  for (size_t i = 0; i < graph.nodes.size(); ++i) changed = rewrite(editor, static_cast<NodeId>(i)) || changed;
  if (changed) graph.remove_unused_values();
  return changed;
}

}  // namespace es::passes::dla
