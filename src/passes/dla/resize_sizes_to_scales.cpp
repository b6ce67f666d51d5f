// resize_sizes_to_scales: a Resize given by constant `sizes` gets the equivalent constant `scales` instead,
// the form the DLA's resize layer takes (dla-rules.md §1.3: "exactly 4 scales"; NVIDIA's DLA recipes do the
// same, to_resize_with_scales, §4.1). ONNX derives the scale from sizes as output / input, so when each
// float(output / input) reproduces the output size (floor(input * scale) == output) the two nodes compute
// identical coordinates: exact. Whether the DLA then accepts the scales (integers in [1, 32] nearest,
// [1, 4] linear) is the placement's verdict, not this pass's.
#include "passes/dla/dla_passes.h"
#include "passes/dla/graph_editor.h"
#include "passes/rewrite.h"

#include <cmath>

namespace es::passes::dla {

Result<bool> resize_sizes_to_scales(Graph& graph) {
  bool changed = false;
  for (Node& n : graph.nodes) {
    if (n.op != OpKind::Resize || !n.has_input(3) || n.has_input(2)) continue;
    if (n.attrs.get_string("coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize") continue;
    const Tensor* sizes = constant_data(graph, n.inputs[3]);
    const Shape* in = static_shape(graph, n.inputs[0]);
    if (sizes == nullptr || in == nullptr || sizes->numel() != static_cast<int64_t>(in->size())) continue;
    std::vector<int64_t> out = sizes->to_int64_vector();
    std::vector<float> scales;
    for (size_t d = 0; d < out.size(); ++d) {
      float s = static_cast<float>(out[d]) / static_cast<float>((*in)[d]);
      if (static_cast<int64_t>(std::floor(static_cast<float>((*in)[d]) * s)) != out[d]) break;
      scales.push_back(s);
    }
    if (scales.size() != out.size()) continue;
    ValueId scale_id = graph.add_initializer(graph.unique_value_name(n.name + "_scales"),
                                             Tensor::from_vector<float>({static_cast<int64_t>(scales.size())}, scales));
    n.inputs[2] = scale_id;
    n.inputs.resize(3);
    changed = true;
  }
  if (changed) graph.remove_unused_values();
  return changed;
}

}  // namespace es::passes::dla
