// The sliding-window geometry of Conv, ConvTranspose and pooling nodes in oneDNN's terms (dilation
// counted from 0, explicit left and right padding), resolved from the ONNX attributes and the shapes
// that shape inference fixed. oneDNN derives output sizes with floor division, so ceil_mode and
// ConvTranspose's output_padding become extra right padding.
#pragma once

#include "ir/graph.h"

#include <dnnl.hpp>

#include <optional>
#include <span>

namespace es::cpu {

struct Window {
  dnnl::memory::dims kernel, strides, dilations, padding_l, padding_r;
  // Right padding beyond the declared pads (ceil_mode): average pooling that counts padding differs there.
  bool padded_beyond_declared = false;
};

// Conv and pools. `kernel` is the spatial kernel (kernel_shape, the weights' dims, or the input's for
// global pools). nullopt when oneDNN cannot express it.
std::optional<Window> forward_window(const Node& node, std::span<const int64_t> kernel,
                                     std::span<const int64_t> in_spatial, std::span<const int64_t> out_spatial);

// ConvTranspose with explicit pads (NOTSET or VALID, no output_shape); nullopt otherwise.
std::optional<Window> transposed_window(const Node& node, std::span<const int64_t> kernel,
                                        std::span<const int64_t> in_spatial, std::span<const int64_t> out_spatial);

}  // namespace es::cpu
