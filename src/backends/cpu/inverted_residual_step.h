// A fused inverted residual block as one step: expand 1x1 -> depthwise 3x3 -> project 1x1 [+ residual],
// channels-last in and out. Each thread takes a contiguous range of output rows and carries them through
// the three layers with the kernels of inverted_residual_kernels.h, keeping the three expanded input rows
// the depthwise layer needs in a small ring, so the expanded tensor never leaves the thread's cache.
#pragma once

#include "backends/cpu/inverted_residual_kernels.h"
#include "backends/cpu/program.h"


namespace es::cpu {

struct InvertedResidualGeometry {
  int64_t batch = 0;
  int64_t in_channels = 0, expanded_channels = 0, out_channels = 0;
  int64_t in_height = 0, in_width = 0, out_height = 0, out_width = 0;
  int64_t stride = 1;
};

struct InvertedResidualLayers {
  irb::PackedPointwise expand;
  irb::Clamp expand_clamp;
  irb::PackedDepthwise depthwise;
  irb::Clamp depthwise_clamp;
  irb::PackedPointwise project;
  irb::Clamp project_clamp;  // applied after the residual is added, as FusedConv's activation is
};

class InvertedResidualStep final : public Step {
 public:
  // `input`, `residual` (kNoSlot: none) and `output` are NHWC slots.
  InvertedResidualStep(InvertedResidualGeometry geometry, InvertedResidualLayers layers, SlotId input,
                       SlotId residual, SlotId output, int threads);

  void bind(const Storage& storage) override;
  Status run(dnnl::stream& stream) override;

 private:
  // Output rows [begin, end) of the flattened (image, row) range, with this thread's scratch.
  void run_rows(int64_t begin, int64_t end, AlignedFloats& scratch) const;

  InvertedResidualGeometry geo_;
  InvertedResidualLayers layers_;
  SlotId input_, residual_, output_;
  int threads_;
  const float* x_ = nullptr;
  const float* residual_data_ = nullptr;
  float* y_ = nullptr;
  std::vector<AlignedFloats> scratch_;  // per thread: three expanded rows, then one depthwise row
};

}  // namespace es::cpu
