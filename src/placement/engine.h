// Engine level: what the TensorRT builder makes of the network before it runs anything (dla-rules.md §0 3b).
//  1. Constant folding: IConstant layers, IShape of statically shaped tensors (the build profile is fixed:
//     min = opt = max, as DLA requires) and every layer whose inputs are all build-time constants disappear;
//     Shuffles whose reshape dimensions became constant turn static.
//  2. Fusion: a convolution / deconvolution / matrix multiply absorbs the Scale, bias ElementWise, residual
//     ElementWise and Activation that follow it when it is their only producer, as TensorRT's
//     "Conv + BN + Add + Relu" layers show.
//  3. Verdicts again, on the folded layers; then partitioning: each maximal run of DLA layers (in a
//     topological order that keeps a device as long as possible) is one loadable, shown as
//     {ForeignNode[first...last]}; at most 16 loadables per DLA core, the smallest beyond that go to the GPU.
//  4. Boundaries: every tensor that crosses between a DLA loadable and the GPU, with its formats and bytes.
#pragma once

#include "placement/dla_rules.h"
#include "placement/trt_network.h"

#include <string>
#include <vector>

namespace es::placement {

struct EngineLayer {
  std::string name;             // member layer names joined by " + " (TensorRT's fused-layer naming)
  std::vector<LayerId> members;  // network layers, the first one is the head
  bool on_dla = false;
  Verdict verdict;               // for GPU layers: the rule that kept the head or a member off the DLA
  int segment = -1;
};

struct EngineSegment {
  bool on_dla = false;
  std::vector<int> layers;  // engine layers in execution order
  std::string name;         // "{ForeignNode[first...last]}" for a DLA loadable, "GPU island N" otherwise
};

struct Boundary {
  std::string tensor;
  Shape dims;
  std::string from;  // segment name, or "network input"
  std::string to;    // segment name, or "network output"
  std::string from_format;  // "fp32 kLINEAR (GPU)", "fp16 kCHW16 (DLA)"
  std::string to_format;
  int64_t from_bytes = 0;
  int64_t to_bytes = 0;
};

struct EngineOptions {
  bool use_dla = true;  // false: --device gpu, every layer on the GPU
  DlaCheckContext checks;
};

struct EngineModel {
  std::vector<LayerId> folded;  // network layers removed by constant folding (constants included)
  std::vector<EngineLayer> layers;
  std::vector<EngineSegment> segments;  // in execution order
  std::vector<Boundary> boundaries;
  int loadables_moved_to_gpu = 0;  // DLA subgraphs beyond 16 per core

  int dla_loadables() const;
  int gpu_layers() const;
};

EngineModel build_engine(const TrtNetwork& network, const EngineOptions& options);

// Bytes of a tensor in a DLA format (C padded to 16 for fp16 kCHW16, to 32 for int8 kCHW32) or in a linear one.
int64_t tensor_bytes(const Shape& dims, DType dtype, bool dla_format);

}  // namespace es::placement
