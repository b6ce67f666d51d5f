// Sliding-window geometry shared by Conv, ConvTranspose and the pooling ops: kernel, strides,
// dilations and the padding actually applied, resolved from the attributes (pads / auto_pad) and the
// already-inferred output size.
#pragma once

#include "backends/ref/kernel_support.h"

#include <span>
#include <vector>

namespace es::ref {

struct Window {
  std::vector<int64_t> kernel, strides, dilations, pad_begin, pad_end;
  int64_t kernel_size() const { return shape_numel(kernel); }
};

// For Conv/pool: output[i] = (input[i] + pads - dilated kernel) / stride + 1 (floor or ceil).
// `kernel` comes from the weights (Conv) or the kernel_shape attribute (pool).
Result<Window> forward_window(const Node& node, std::span<const int64_t> in_spatial,
                              std::span<const int64_t> out_spatial, std::vector<int64_t> kernel);

// For ConvTranspose: output[i] = stride * (input[i] - 1) + output_padding + dilated kernel - pads.
// pad_begin is what maps input positions to output positions; pad_end is implied by the output size.
Result<Window> transposed_window(const Node& node, std::span<const int64_t> in_spatial,
                                 std::span<const int64_t> out_spatial, std::vector<int64_t> kernel);

}  // namespace es::ref
