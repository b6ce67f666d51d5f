#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_executable.h"
#include "backends/cuda/lowering.h"
#include "backends/cuda/storage_plan.h"

namespace es::cuda {

namespace {

std::optional<Lowered> lower(const Graph& graph, const Node& node) {
  Lowering lowering = lowerings()[static_cast<size_t>(node.op)];
  if (lowering == nullptr) return std::nullopt;
  for (ValueId id : node.outputs)
    if (id != kNoValue && !graph.value(id).shape_known) return std::nullopt;
  return lowering(graph, node);
}

}  // namespace

bool supports(const Graph& graph, const Node& node) { return lower(graph, node).has_value(); }

int device_count() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess ? count : 0;
}

Result<std::unique_ptr<Executable>> compile_cuda(const Graph& graph, const CudaOptions& options) {
  if (options.precision != "fp32" && options.precision != "tf32" && options.precision != "fp16")
    return error(StatusCode::unsupported, "precision '{}' is not supported on device 'cuda' (fp32, tf32 or fp16)",
                 options.precision);
  const int devices = device_count();
  if (options.device < 0 || options.device >= devices)
    return error(StatusCode::not_found, "device 'cuda:{}' does not exist ({} CUDA devices found)", options.device, devices);
  Graph g = graph;  // the storage plan adds the values of its layout conversions
  std::vector<PlanItem> items;
  std::vector<bool> absorbed(g.nodes.size(), false);  // nodes a fused step of an earlier node runs
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (absorbed[i]) continue;
    const Node& node = g.nodes[i];
    // A forced --conv-form asks for that library's convolutions everywhere; the fused stem is the fastest
    // form's choice.
    if (options.precision == "fp16" && options.conv_form == ConvForm::fastest) {
      if (std::optional<FusedPair> pair = lower_stem_pool(g, node)) {
        absorbed[static_cast<size_t>(pair->absorbed)] = true;
        items.push_back({std::move(pair->step)});
        continue;
      }
    }
    std::optional<Lowered> lowered = lower(g, node);
    if (!lowered)
      return error(StatusCode::unsupported, "node '{}': op {} is not supported by the CUDA backend", node.name,
                   op_name(node.op));
    items.push_back({std::move(lowered->step), lowered->view_of, node.outputs[0]});
  }
  Program program;
  // Channels-last in every precision: in FP32 too it measured faster at batch 1 than cuDNN's NCHW kernels
  // (docs/benchmarks.md), and the 1x1 convolutions become plain matrix products.
  plan_storage(g, std::move(items), options.precision == "fp16", program);
  program.graph = std::make_shared<const Graph>(std::move(g));
  fold_upper_clips(program);
  return CudaExecutable::create(std::move(program), options);
}

Result<std::vector<Tensor>> run_graph(const Graph& graph, std::span<const Tensor> inputs, const CudaOptions& options) {
  ES_ASSIGN_OR_RETURN(std::unique_ptr<Executable> exe, compile_cuda(graph, options));
  std::vector<Tensor> outputs(graph.outputs.size());
  ES_TRY(exe->copy_inputs(inputs));
  ES_TRY(exe->execute());
  ES_TRY(exe->copy_outputs(outputs));
  ES_TRY(exe->synchronize());
  return outputs;
}

}  // namespace es::cuda
