// A model of the TensorRT network (INetworkDefinition) that TensorRT's ONNX parser builds from a graph:
// layers of TensorRT's layer types, tensors with TensorRT dimensions (-1 where the network is dynamic), and
// for each layer the ONNX node it came from. This is what canRunOnDLA judges and what the builder folds,
// fuses and partitions. See ../shared/docs/dla-rules.md §2 for the parser behaviour it reproduces.
#pragma once

#include "ir/dtype.h"
#include "ir/tensor.h"
#include "placement/trt_version.h"

#include <string>
#include <string_view>
#include <vector>

namespace es::placement {

#define ES_TRT_LAYER_TYPES(X)                                                                                   \
  X(Activation) X(Cast) X(Concatenation) X(Constant) X(Convolution) X(Deconvolution) X(Dequantize)              \
  X(ElementWise) X(Einsum) X(Fill) X(FullyConnected) X(Gather) X(Identity) X(LRN) X(MatrixMultiply) X(NonZero)  \
  X(Normalization) X(OneHot) X(Padding) X(ParametricReLU) X(PluginV2) X(Pooling) X(Quantize) X(Reduce)          \
  X(Resize) X(Scale) X(Select) X(Shape) X(Shuffle) X(Slice) X(SoftMax) X(TopK) X(Unary) X(Unmapped)

enum class TrtLayerType {
#define ES_TRT_ENUM(name) name,
  ES_TRT_LAYER_TYPES(ES_TRT_ENUM)
#undef ES_TRT_ENUM
};
std::string_view layer_type_name(TrtLayerType type);

using TensorId = int32_t;
using LayerId = int32_t;
inline constexpr int32_t kNone = -1;

struct TrtTensor {
  std::string name;
  DType dtype = DType::f32;
  Shape dims;  // TensorRT dimensions: -1 for a dimension that is dynamic in the network
  LayerId producer = kNone;
  bool network_input = false;
  bool network_output = false;
};

// Layer parameters the DLA rules look at; which fields are meaningful depends on the type.
struct LayerParams {
  std::vector<int64_t> kernel, strides, pads_begin, pads_end, dilations;  // spatial, H then W
  int64_t groups = 1;
  int64_t out_maps = 0;    // output channels / features
  std::string op;          // sub-operation: "kRELU", "kCLIP", "kSUM", "kAVG", "kNEAREST", ...
  float alpha = 0, beta = 0;  // activation parameters (kCLIP: alpha = lower bound, beta = upper bound)
  int64_t axis = 0;
  std::vector<double> scales;  // Resize: one per dimension
  std::vector<int64_t> permutation;  // Shuffle: first transpose
  bool reshape = false;        // Shuffle: changes the dimensions
  bool runtime_params = false;  // shape parameters arrive as a run-time tensor (Shuffle 2nd input, Slice, Resize)
};

struct TrtLayer {
  std::string name;  // the ONNX node name for a node's main layer, "(Unnamed Layer* N) [Type]" for helpers
  TrtLayerType type = TrtLayerType::Unmapped;
  std::vector<TensorId> inputs;
  std::vector<TensorId> outputs;
  std::vector<std::string> onnx_nodes;  // the ONNX node(s) the layer was created for
  LayerParams params;
  std::string note;  // why the layer exists when it is a parser helper ("Gemm bias", "flatten shape")
};

struct TrtNetwork {
  TrtVersion version = TrtVersion::v8_5;
  std::vector<TrtTensor> tensors;
  std::vector<TrtLayer> layers;  // in the order the parser adds them (topological)
  std::vector<TensorId> inputs, outputs;

  std::vector<LayerId> consumers(TensorId t) const;
};

}  // namespace es::placement
