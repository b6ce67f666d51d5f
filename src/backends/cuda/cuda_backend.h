// The CUDA backend: cuDNN convolutions, cuBLAS matrix products and own kernels for the rest, on one
// stream with a planned activation arena, pinned staging buffers and optional CUDA Graph replay.
// It runs f32 graphs whose every node it supports; runtime/ partitions other graphs between it and the
// CPU (supports() decides, on the graph alone, without a GPU).
//
//   ES_ASSIGN_OR_RETURN(auto exe, cuda::compile_cuda(graph, {.precision = "tf32", .cuda_graph = true}));
#pragma once

#include "backends/executable.h"
#include "ir/graph.h"

#include <memory>
#include <string>

namespace es::cuda {

// The form of a convolution that may run on cuDNN's legacy call, as im2col + one cuBLASLt product, or as a
// cuDNN operation graph with its epilogue: the one that times fastest on the real buffers at compile time,
// or one forced where the convolution allows it (tests check every form).
enum class ConvForm { fastest, cudnn, im2col, graph };

struct CudaOptions {
  int device = 0;
  std::string precision = "fp32";  // fp32 | tf32 | fp16 (f16 storage, NHWC convolutions, f32 accumulation)
  bool cuda_graph = false;         // capture the whole compute once and replay it
  ConvForm conv_form = ConvForm::fastest;
};

// Whether the backend runs `node` of `graph`.
bool supports(const Graph& graph, const Node& node);
// Usable CUDA devices; 0 without a driver or GPU.
int device_count();

Result<std::unique_ptr<Executable>> compile_cuda(const Graph& graph, const CudaOptions& options);

// Compiles and runs once (tests): outputs in graph.outputs order.
Result<std::vector<Tensor>> run_graph(const Graph& graph, std::span<const Tensor> inputs, const CudaOptions& options = {});

}  // namespace es::cuda
