#include "sim/native_program.h"

#include "backends/cpu/cpu_backend.h"
#include "sim/cuda_conv_forms.h"

#include <algorithm>
#include <unordered_map>

namespace es::sim {
namespace {

bool is_view(const Node& node) {
  switch (node.op) {
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Squeeze:
    case OpKind::Unsqueeze:
    case OpKind::Identity:
    case OpKind::Dropout:
      return node.outputs.size() == 1;  // the backends' views (backends/cpu/lower_views.cpp)
    default:
      return false;
  }
}

std::string kernel_name(const Node& node) {
  if (node.origin.empty()) return node.name;
  std::string name = node.origin.front();
  for (size_t i = 1; i < node.origin.size(); ++i) name += "+" + node.origin[i];
  return name;
}

// Bytes of a tensor as a CUDA kernel reads or writes it: the value's own type at FP32, else the precision's.
double gpu_bytes(const Graph& graph, ValueId v, Precision precision) {
  const Value& value = graph.value(v);
  const double element = precision == Precision::fp32 || !dtype_is_float(value.dtype)
                             ? static_cast<double>(dtype_size(value.dtype)) : bytes_per_element(precision);
  return static_cast<double>(shape_numel(value.shape)) * element;
}

std::vector<NativeKernel> cuda_kernels(const Graph& graph, Precision precision) {
  std::vector<NativeKernel> kernels;
  std::vector<const Node*> absorbed;  // MaxPools that run inside a stem's kernel
  for (const Node& node : graph.nodes) {
    if (is_view(node) || std::find(absorbed.begin(), absorbed.end(), &node) != absorbed.end()) continue;
    NativeKernel k{kernel_name(node), std::string(op_name(node.op)), "", &node};
    for (ValueId v : node.inputs)
      if (v != kNoValue) k.read_bytes += gpu_bytes(graph, v, precision);
    const Node* last = &node;
    if (const Node* pool = cuda_stem_pool(graph, node, precision)) {
      // One kernel: it reads the image, filter and bias and writes the pooled output only.
      absorbed.push_back(pool);
      k.name.append("+").append(kernel_name(*pool));
      k.fused = {&node, pool};
      last = pool;
    }
    for (ValueId v : last->outputs)
      if (v != kNoValue) k.write_bytes += gpu_bytes(graph, v, precision);
    kernels.push_back(std::move(k));
  }
  return kernels;
}

Result<std::vector<NativeKernel>> cpu_kernels(const Graph& graph, int threads) {
  ES_ASSIGN_OR_RETURN(std::vector<cpu::CompiledStep> steps, cpu::compiled_steps(graph, {.threads = threads}));
  // Several nodes may carry one name (an op imported as Reshape, op, Reshape keeps its ONNX origin on all
  // three); the step's op tells them apart.
  std::unordered_map<std::string, const Node*> node_of;
  for (const Node& node : graph.nodes) node_of.emplace(kernel_name(node) + '/' + std::string(op_name(node.op)), &node);
  std::vector<NativeKernel> kernels;
  for (cpu::CompiledStep& s : steps) {
    NativeKernel k{std::move(s.name), std::move(s.op), std::move(s.implementation)};
    if (s.nodes.size() > 1) {
      for (const std::string& name : s.nodes) k.fused.push_back(&graph.node(graph.find_node(name)));
    } else if (auto it = node_of.find(k.name + '/' + k.op); it != node_of.end()) {
      k.node = it->second;  // null for a Reorder
    }
    k.read_bytes = s.read_bytes;
    k.write_bytes = s.write_bytes;
    kernels.push_back(std::move(k));
  }
  return kernels;
}

}  // namespace

Result<std::vector<NativeKernel>> native_kernels(const Graph& graph, const PlanOptions& options) {
  if (options.device == "cpu") return cpu_kernels(graph, options.threads);
  return cuda_kernels(graph, options.precision);
}

}  // namespace es::sim
