// The forms edgescope's CUDA backend may run a convolution in (backends/cuda/lower_conv.cpp), named as its
// profiles name them (LayerTime::implementation), so that the native plan prices each convolution as the
// form that ran: a 1x1 stride-1 convolution is one cuBLASLt product, a depthwise one the backend's own kernel,
// a grouped one cuDNN's; any other may run on cuDNN or as im2col + one cuBLASLt product, and the backend keeps
// whichever timed faster when it compiled the program. The profile records which; without one, the plan takes
// the form it predicts faster (as the backend's timing would, if the prediction is right). With tensor cores
// (FP16) every convolution of one group, 1x1 ones too, is also tried as one cuDNN operation graph
// ("cudnn-graph:ENGINE"): the convolution with its bias, residual and ReLU in one kernel of cuDNN's engines,
// which are not its legacy API's kernels and reach another fraction of the tensor cores' peak (with a
// Clip(0, hi), ReLU6, the backend never kept the graph it builds: cuda_conv_forms.cpp).
#pragma once

#include "ir/graph.h"
#include "sim/target_model.h"

#include <string>
#include <string_view>
#include <vector>

namespace es::sim {

enum class CudaConvLibrary { cudnn, cudnn_graph, cublaslt, im2col_cublaslt, own };

struct CudaConvForm {
  CudaConvLibrary library = CudaConvLibrary::cudnn;
  // An own kernel follows the library call: cuDNN's bias/residual/activation kernel where its fused call does
  // not apply ("+epilogue"), or an activation cuBLASLt's epilogues or cuDNN's operation graph lack ("+act").
  bool epilogue_kernel = false;
};

// The forms the backend may take for `node` (a Conv or FusedConv), the one it always takes first; each as a
// profile names it, with the algorithm left out ("cudnn+epilogue", "im2col+cublaslt+act", ...).
std::vector<std::string> cuda_conv_forms(const Graph& graph, const Node& node, Precision precision);

// Whether the backend ends `conv`'s Clip(0, hi) epilogue (ReLU6) with ReLU and leaves the upper clip to its only
// reader, a depthwise convolution on the backend's own kernel (backends/cuda/lowering.h, fold_upper_clips):
// cuda_conv_forms then gives the forms of a ReLU convolution.
bool cuda_clip_folded(const Graph& graph, const Node& conv);

// The MaxPool the backend runs in one kernel with `conv` (backends/cuda/stem_conv_pool.h: FP16, a 7x7 stride-2
// convolution of at most 4 channels into 64 with bias and ReLU or neither, the only reader of its output a
// 3x3 stride-2 MaxPool padded by 1), or null.
const Node* cuda_stem_pool(const Graph& graph, const Node& conv, Precision precision);

// A profile's implementation of a convolution ("cudnn:implicit_precomp_gemm+epilogue", "cublaslt+act",
// "cudnn-graph:eng41", ...); a form this simulator does not know is priced as cuDNN's legacy kernels.
CudaConvForm parse_cuda_conv_form(std::string_view implementation);

}  // namespace es::sim
