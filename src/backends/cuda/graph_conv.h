// A channels-last convolution and its epilogue as one cuDNN operation graph (the backend API):
// conv -> + bias -> + residual -> ReLU (or Clip(0, hi)), the intermediates virtual f32 tensors. The legacy
// cudnnConvolutionForward call reaches a fixed set of algorithms; an operation graph also reaches cuDNN's
// runtime-fusion and Hopper engines, which run the whole chain as one kernel without an im2col matrix.
// Engines come from cuDNN's heuristics; those whose plan finalizes are timed on the real buffers and the
// fastest kept. Used where tensor cores are allowed (FP16, TF32): with --precision fp32 an engine would have
// to be vetted for not rounding its inputs to TF32, which the legacy FMA path already guarantees.
#pragma once

#include "backends/cuda/program.h"

#include <array>
#include <string>
#include <vector>

namespace es::cuda {

struct GraphConvShape {
  int n = 0, c = 0, h = 0, w = 0, k = 0, kh = 0, kw = 0, oh = 0, ow = 0;
  int pad_h = 0, pad_w = 0, stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  bool half = false;  // f16 tensors (f32 accumulation); else f32 with TF32 tensor cores
  bool bias = false, sum = false;
  UnaryFn act;
};

// Where the graph's tensors live: x and y NHWC, w KRSC, bias [K]; bias and sum null when absent.
struct GraphConvBuffers {
  const void* x = nullptr;
  const void* w = nullptr;
  const void* bias = nullptr;
  const void* sum = nullptr;
  void* y = nullptr;
};

class GraphConv {
 public:
  GraphConv() = default;
  GraphConv(const GraphConv&) = delete;
  GraphConv& operator=(const GraphConv&) = delete;
  ~GraphConv();

  // Builds the graph and keeps the fastest engine (timed on `buffers`, which writes y), using at most ctx's
  // shared workspace; its bytes go to `workspace_bytes`. StatusCode::unsupported when no engine runs it.
  Status prepare(const Context& ctx, const GraphConvShape& shape, const GraphConvBuffers& buffers,
                 size_t& workspace_bytes);
  Status run(const Context& ctx, const GraphConvBuffers& buffers);
  // Whether the graph ends with the activation (ReLU, Clip(0, hi), identity); otherwise the caller applies it.
  bool fuses_activation() const { return fuses_activation_; }
  // The engine that runs it, as cuDNN numbers engines ("eng42").
  const std::string& engine() const { return engine_; }

 private:
  Status bind(const Context& ctx, const GraphConvBuffers& buffers);

  void* plan_ = nullptr;  // cudnnBackendDescriptor_t of the chosen execution plan
  void* pack_ = nullptr;  // its variant pack, rebuilt when a pointer changes
  std::array<const void*, 6> bound_{};  // x, w, bias, sum, y, workspace as the pack has them
  std::vector<void*> owned_;  // the graph's descriptors, which the plan was made from
  bool fuses_activation_ = false;
  std::string engine_;
};

}  // namespace es::cuda
