// ResNet-50 (He et al. 2016, the Caffe model NVIDIA's spreadsheet lists: stride in the first 1x1 convolution
// of a stage) as NVDLA hardware layers: conv1 with its 3x3/2 max pooling fused, bottleneck convolutions with
// the residual add fused into the last 1x1, the 7x7 average pooling fused into res5c_branch2c, and the
// 2048 -> 1000 classifier as a 1x1 convolution at `fc_batch`.
#pragma once

#include "sim/dla_cost.h"

#include <string>
#include <vector>

namespace es::sim::testing {

struct NamedDlaLayer {
  std::string name;
  DlaConv conv;
};

inline std::vector<NamedDlaLayer> resnet50_dla_layers(int64_t fc_batch) {
  std::vector<NamedDlaLayer> layers;
  auto conv = [&](std::string name, int64_t c, int64_t hw, int64_t k, int64_t rs, int64_t stride) {
    DlaConv l;
    l.c = c, l.h = hw, l.w = hw, l.k = k, l.r = rs, l.s = rs, l.stride_h = stride, l.stride_w = stride;
    l.out_h = l.out_w = (hw + stride - 1) / stride;  // "same" padding
    layers.push_back({std::move(name), l});
    return &layers.back().conv;
  };
  DlaConv* conv1 = conv("conv1", 3, 224, 64, 7, 2);
  conv1->pooled_h = conv1->pooled_w = 56;
  struct Stage { int64_t blocks, mid, out, stride; };
  const Stage stages[] = {{3, 64, 256, 1}, {4, 128, 512, 2}, {6, 256, 1024, 2}, {3, 512, 2048, 2}};
  int64_t channels = 64, hw = 56;
  for (int s = 0; s < 4; ++s) {
    const Stage& st = stages[s];
    for (int64_t b = 0; b < st.blocks; ++b) {
      std::string block = "res" + std::to_string(s + 2) + static_cast<char>('a' + b);
      int64_t stride = b == 0 ? st.stride : 1;
      if (b == 0) conv(block + "_branch1", channels, hw, st.out, 1, stride);
      conv(block + "_branch2a", channels, hw, st.mid, 1, stride);
      int64_t out_hw = (hw + stride - 1) / stride;
      conv(block + "_branch2b", st.mid, out_hw, st.mid, 3, 1);
      DlaConv* last = conv(block + "_branch2c", st.mid, out_hw, st.out, 1, 1);
      last->eltwise = true;
      channels = st.out;
      hw = out_hw;
    }
  }
  DlaConv* last = &layers.back().conv;
  last->pooled_h = last->pooled_w = 1;
  DlaConv* fc = conv("fc1000", 2048, 1, 1000, 1, 1);
  fc->batch = fc_batch;
  return layers;
}

}  // namespace es::sim::testing
