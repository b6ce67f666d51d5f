#include "backends/cpu/inverted_residual_step.h"

#include <omp.h>

namespace es::cpu {

InvertedResidualStep::InvertedResidualStep(InvertedResidualGeometry geometry, InvertedResidualLayers layers,
                                           SlotId input, SlotId residual, SlotId output, int threads)
    : geo_(geometry), layers_(std::move(layers)), input_(input), residual_(residual), output_(output),
      threads_(threads) {
  reads.push_back(input);
  if (residual != kNoSlot) reads.push_back(residual);
  writes.push_back(output);
  auto packed_bytes = [](const AlignedFloats& a, const AlignedFloats& b) {
    return (a.size() + b.size()) * sizeof(float);
  };
  constant_bytes = packed_bytes(layers_.expand.panels, layers_.expand.bias) +
                   packed_bytes(layers_.depthwise.taps, layers_.depthwise.bias) +
                   packed_bytes(layers_.project.panels, layers_.project.bias);
  const int64_t row_floats = geo_.in_width * geo_.expanded_channels;
  scratch_.assign(static_cast<size_t>(threads_),
                  AlignedFloats(static_cast<size_t>(3 * row_floats + geo_.out_width * geo_.expanded_channels)));
}

void InvertedResidualStep::bind(const Storage& storage) {
  x_ = static_cast<const float*>(storage.data(input_));
  residual_data_ = residual_ == kNoSlot ? nullptr : static_cast<const float*>(storage.data(residual_));
  y_ = static_cast<float*>(storage.data(output_));
}

Status InvertedResidualStep::run(dnnl::stream&) {
  const int64_t rows = geo_.batch * geo_.out_height;
#pragma omp parallel num_threads(threads_)
  {
    const int64_t thread = omp_get_thread_num(), team = omp_get_num_threads();
    run_rows(rows * thread / team, rows * (thread + 1) / team, scratch_[static_cast<size_t>(thread)]);
  }
  return Status::ok_status();
}

void InvertedResidualStep::run_rows(int64_t begin, int64_t end, AlignedFloats& scratch) const {
  const int64_t width = geo_.in_width, channels = geo_.expanded_channels;
  const int64_t row_floats = width * channels;
  float* ring = scratch.data();
  float* depthwise_out = ring + 3 * row_floats;
  // Which input row (image * in_height + y) each ring slot holds; input row y always goes to slot y % 3,
  // and the three rows one output row needs are consecutive, so they never share a slot.
  int64_t held[3] = {-1, -1, -1};
  for (int64_t r = begin; r < end; ++r) {
    const int64_t image = r / geo_.out_height, oy = r % geo_.out_height;
    std::array<const float*, 3> in_rows{};
    for (int64_t ky = 0; ky < 3; ++ky) {
      const int64_t iy = oy * geo_.stride + ky - 1;
      if (iy < 0 || iy >= geo_.in_height) continue;
      const int64_t input_row = image * geo_.in_height + iy;
      const float* x_row = x_ + input_row * width * geo_.in_channels;
      float* slot = ring + (iy % 3) * row_floats;
      if (held[iy % 3] != input_row) {
        irb::pointwise_rows(x_row, width, geo_.in_channels, layers_.expand, layers_.expand_clamp, nullptr, 0, slot,
                            channels);
        held[iy % 3] = input_row;
      }
      in_rows[static_cast<size_t>(ky)] = slot;
    }
    irb::depthwise_row(in_rows, width, geo_.stride, geo_.out_width, layers_.depthwise, layers_.depthwise_clamp,
                       depthwise_out);
    const int64_t out_offset = r * geo_.out_width * geo_.out_channels;
    irb::pointwise_rows(depthwise_out, geo_.out_width, channels, layers_.project, layers_.project_clamp,
                        residual_data_ ? residual_data_ + out_offset : nullptr, geo_.out_channels, y_ + out_offset,
                        geo_.out_channels);
  }
}

}  // namespace es::cpu
