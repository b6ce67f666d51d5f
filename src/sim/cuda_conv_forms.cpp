#include "sim/cuda_conv_forms.h"

#include <algorithm>
#include <cmath>

namespace es::sim {
namespace {

// The im2col matrix must fit in half the workspace the backend offers while it chooses (256 MiB).
constexpr double kIm2colLimitBytes = 128.0 * 1024 * 1024;

bool all_equal(const Node& node, const char* attr, int64_t value) {
  const std::vector<int64_t> v = node.attrs.get_ints(attr);
  return std::all_of(v.begin(), v.end(), [&](int64_t x) { return x == value; });
}

bool all_equal(const Node& node, const char* attr, std::vector<int64_t> values) {
  return node.attrs.get_ints(attr) == values;
}

// The one node that reads `value`, where nothing else does (nor is it a graph output); else null.
const Node* only_reader(const Graph& graph, ValueId value) {
  const std::vector<NodeId> readers = graph.consumers(value);
  if (readers.size() != 1 || std::find(graph.outputs.begin(), graph.outputs.end(), value) != graph.outputs.end())
    return nullptr;
  return &graph.node(readers[0]);
}

}  // namespace

bool cuda_clip_folded(const Graph& graph, const Node& conv) {
  if (conv.op != OpKind::FusedConv || conv.attrs.get_string("activation") != "Clip") return false;
  const std::vector<float> clip = conv.attrs.get_floats("activation_params");
  if (clip.size() < 2 || clip[0] != 0 || !std::isfinite(clip[1])) return false;
  const ValueId y = conv.outputs.at(0);
  const Node* reader = only_reader(graph, y);
  if (reader == nullptr || (reader->op != OpKind::Conv && reader->op != OpKind::FusedConv) || reader->inputs.size() < 2 ||
      reader->inputs[0] != y || (reader->has_input(3) && reader->inputs[3] == y))
    return false;
  // The backend's depthwise kernel: one filter per channel, the filter its own (stored channels-last for it).
  const Shape& x = graph.value(y).shape;
  const Value& w = graph.value(reader->inputs[1]);
  return x.size() == 4 && w.shape.size() == 4 && reader->attrs.get_int("group", 1) == x[1] && w.shape[0] == x[1] &&
         w.is_initializer() && graph.consumers(reader->inputs[1]).size() == 1;
}

const Node* cuda_stem_pool(const Graph& graph, const Node& conv, Precision precision) {
  if (precision != Precision::fp16 || (conv.op != OpKind::Conv && conv.op != OpKind::FusedConv) || conv.inputs.size() < 2 ||
      conv.has_input(3) || conv.attrs.get_int("group", 1) != 1)
    return nullptr;
  const Value& w = graph.value(conv.inputs[1]);
  const Shape& x = graph.value(conv.inputs[0]).shape;
  if (!w.is_initializer() || (conv.has_input(2) && !graph.value(conv.inputs[2]).is_initializer()) || x.size() != 4 ||
      x[1] > 4 || w.shape != Shape{64, x[1], 7, 7} || !all_equal(conv, "strides", {2, 2}) ||
      !all_equal(conv, "pads", {3, 3, 3, 3}) || !all_equal(conv, "dilations", 1) ||
      !conv.attrs.get_string("auto_pad", "NOTSET").starts_with("NOTSET"))
    return nullptr;
  const std::string activation = conv.op == OpKind::FusedConv ? conv.attrs.get_string("activation") : "";
  if (!activation.empty() && activation != "Relu") return nullptr;
  const Node* reader = only_reader(graph, conv.outputs.at(0));
  if (reader == nullptr) return nullptr;
  const Node& pool = *reader;
  const bool one_output = pool.outputs.size() == 1 || pool.outputs[1] == kNoValue;
  if (pool.op != OpKind::MaxPool || !one_output || !all_equal(pool, "kernel_shape", {3, 3}) ||
      !all_equal(pool, "strides", {2, 2}) || !all_equal(pool, "pads", {1, 1, 1, 1}) || !all_equal(pool, "dilations", 1) ||
      pool.attrs.get_int("ceil_mode", 0) != 0 || !pool.attrs.get_string("auto_pad", "NOTSET").starts_with("NOTSET"))
    return nullptr;
  return &pool;
}

std::vector<std::string> cuda_conv_forms(const Graph& graph, const Node& node, Precision precision) {
  const Shape& x = graph.value(node.inputs.at(0)).shape;   // [N, C, H, W]
  const Shape& w = graph.value(node.inputs.at(1)).shape;   // [K, C / group, kh, kw]
  const Shape& y = graph.value(node.outputs.at(0)).shape;  // [N, K, OH, OW]
  const int64_t group = node.attrs.get_int("group", 1);
  const std::string activation = cuda_clip_folded(graph, node)    ? "Relu"
                                 : node.op == OpKind::FusedConv ? node.attrs.get_string("activation")
                                                                : "";
  const bool relu = activation == "Relu", bias = node.has_input(2), sum = node.has_input(3);
  if (w.size() != 4 || x.size() != 4 || y.size() != 4) return {"cudnn"};
  const bool cublaslt_act = !activation.empty() && !relu;  // cuBLASLt's epilogues fuse ReLU only
  // cuDNN's operation graph ends with ReLU, any other activation is a kernel after it; the backend builds it with
  // tensor cores only, for a convolution of one group (graph_conv.h). It also builds one ending in Clip(0, hi)
  // (ReLU6), which it never kept: cuDNN proposes only its slow fallback engine for it (none of the 2,240 Clip
  // convolutions in docs/validation's H100 profiles of seven device calls ran as a graph, where ReLU ones did).
  const std::vector<float> clip = node.attrs.get_floats("activation_params");
  const bool relu6 = activation == "Clip" && !clip.empty() && clip[0] == 0;
  const bool graph_act = !activation.empty() && !relu;
  const bool operation_graph = group == 1 && precision != Precision::fp32 && !relu6;
  std::vector<std::string> forms;
  if (group == 1 && w[2] == 1 && w[3] == 1 && all_equal(node, "strides", 1) && all_equal(node, "pads", 0)) {
    forms = {cublaslt_act ? "cublaslt+act" : "cublaslt"};
  } else if (group == x[1] && w[0] == x[1]) {
    return {"edgescope"};
  } else {
    // cuDNN's fused call takes a bias with ReLU; anything else besides the convolution is one more kernel.
    const bool cudnn_epilogue = !(bias && relu) && (bias || sum || !activation.empty());
    forms = {cudnn_epilogue ? "cudnn+epilogue" : "cudnn"};
    const double col_bytes = static_cast<double>(y[0] * y[2] * y[3]) * static_cast<double>(w[1] * w[2] * w[3]) *
                             bytes_per_element(precision);
    if (group == 1 && col_bytes <= kIm2colLimitBytes)
      forms.push_back(cublaslt_act ? "im2col+cublaslt+act" : "im2col+cublaslt");
  }
  if (operation_graph) forms.push_back(graph_act ? "cudnn-graph+act" : "cudnn-graph");
  return forms;
}

CudaConvForm parse_cuda_conv_form(std::string_view implementation) {
  CudaConvForm form;
  form.library = implementation.starts_with("cudnn-graph")       ? CudaConvLibrary::cudnn_graph
                 : implementation.starts_with("im2col+cublaslt") ? CudaConvLibrary::im2col_cublaslt
                 : implementation.starts_with("cublaslt")        ? CudaConvLibrary::cublaslt
                 : implementation.starts_with("edgescope")       ? CudaConvLibrary::own
                                                                 : CudaConvLibrary::cudnn;
  form.epilogue_kernel = implementation.ends_with("+epilogue") || implementation.ends_with("+act");
  return form;
}

}  // namespace es::sim
