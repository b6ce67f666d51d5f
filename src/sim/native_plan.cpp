#include "sim/native_plan.h"

#include "ir/graph_stats.h"
#include "sim/roofline_cost.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace es::sim {
namespace {

enum class KernelClass { dense, depthwise, gemm, stream };

bool is_view(const Node& node) {
  switch (node.op) {
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Squeeze:
    case OpKind::Unsqueeze:
    case OpKind::Identity:
    case OpKind::Dropout:
      return node.outputs.size() == 1;  // the CPU backend's views (lower_views.cpp); the GPU's are alike
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

class NativePlanner {
 public:
  NativePlanner(const Graph& graph, const TargetModel& model, const PlanOptions& o)
      : graph_(graph), model_(model), o_(o), on_cpu_(o.device == "cpu") {
    if (on_cpu_) {
      const CpuParameters& c = model.cpu;
      const double threads = o.threads > 0 ? o.threads : c.cores;
      RooflineConfig base;
      base.peak_tflops = threads * c.clock_ghz * c.fp32_flops_per_clock / 1000;
      base.dram_gb_s = c.bandwidth_gb_s * threads;
      base.dram_fraction = 1;
      base.launch_us = c.kernel_overhead_us;
      dense_ = depthwise_ = gemm_ = stream_ = base;
      dense_.compute_fraction = c.conv_efficiency;
      dense_.tile_n = static_cast<int64_t>(std::max(c.vector_lanes, 1.0));  // output channels in vector blocks
      depthwise_.compute_fraction = c.depthwise_efficiency;
      gemm_.compute_fraction = c.gemm_efficiency;
      gemm_.tile_n = dense_.tile_n;
      stream_.dram_gb_s = c.stream_bandwidth_gb_s * threads;
    } else {
      // cuDNN runs FP32 convolutions with FMA math on CUDA cores (the backend asks for it); reduced
      // precisions use tensor cores.
      const bool tensor = o.precision != Precision::fp32;
      dense_ = gemm_ = gpu_roofline(model, o.precision, tensor);
      depthwise_ = stream_ = gpu_roofline(model, o.precision, false);
    }
  }

  std::vector<PlanStep> run() {
    for (ValueId v : graph_.inputs) copy(v, EngineKind::copy_h2d, bench::Phase::h2d, "copy in");
    for (const Node& node : graph_.nodes)
      if (!is_view(node)) kernel(node);
    for (ValueId v : graph_.outputs) copy(v, EngineKind::copy_d2h, bench::Phase::d2h, "copy out");
    if (!on_cpu_) {
      PlanStep sync{"stream synchronize", "Sync", EngineKind::none, bench::Phase::sync};
      sync.fixed_us = model_.gpu.sync_us;
      steps_.push_back(std::move(sync));
    }
    return std::move(steps_);
  }

 private:
  double numel(ValueId v) const { return static_cast<double>(shape_numel(graph_.value(v).shape)); }
  // Bytes of a tensor as the kernel reads or writes it: the value's own type at FP32, else the precision's.
  double bytes(ValueId v) const {
    const Value& value = graph_.value(v);
    double element = o_.precision == Precision::fp32 || !dtype_is_float(value.dtype)
                         ? static_cast<double>(dtype_size(value.dtype)) : bytes_per_element(o_.precision);
    return numel(v) * element;
  }

  void copy(ValueId v, EngineKind engine, bench::Phase phase, const char* what) {
    PlanStep s{fmt::format("{} {}", what, graph_.value(v).name), "Copy", engine, phase};
    s.fixed_us = model_.memory.copy_latency_us;
    s.dram_bytes = numel(v) * static_cast<double>(dtype_size(graph_.value(v).dtype));
    s.bandwidth_gb_s = model_.memory.host_copy_gb_s;
    steps_.push_back(std::move(s));
  }

  KernelClass kernel_class(const Node& node) const {
    switch (node.op) {
      case OpKind::Conv:
      case OpKind::FusedConv:
        return node.attrs.get_int("group", 1) > 1 ? KernelClass::depthwise : KernelClass::dense;
      case OpKind::Gemm:
      case OpKind::MatMul:
        return KernelClass::gemm;
      default:
        return KernelClass::stream;
    }
  }

  // The implicit GEMM of a convolution or matrix product: M output rows, N columns, reductions of K.
  GemmShape gemm_shape(const Node& node, KernelClass kind) const {
    const Shape& y = graph_.value(node.outputs.at(0)).shape;
    GemmShape g;
    if (kind == KernelClass::gemm) {
      g.n = y.empty() ? 1 : y.back();
      g.m = static_cast<int64_t>(numel(node.outputs[0])) / std::max<int64_t>(g.n, 1);
      g.k = std::max<int64_t>(node_macs(graph_, node) / std::max<int64_t>(g.m * g.n, 1), 1);
      return g;
    }
    const Shape& w = graph_.value(node.inputs.at(1)).shape;  // [K, C/group, kernel...]
    g.groups = node.attrs.get_int("group", 1);
    g.n = w[0] / g.groups;
    g.k = 1;
    for (size_t i = 1; i < w.size(); ++i) g.k *= w[i];
    g.m = static_cast<int64_t>(numel(node.outputs[0])) / w[0];
    return g;
  }

  void kernel(const Node& node) {
    PlanStep s{kernel_name(node), std::string(op_name(node.op)), on_cpu_ ? EngineKind::cpu : EngineKind::gpu};
    s.layer = true;
    double traffic = 0, elements = 0;
    for (ValueId v : node.inputs)
      if (v != kNoValue) traffic += bytes(v);
    for (ValueId v : node.outputs)
      if (v != kNoValue) traffic += bytes(v), elements += numel(v);
    const KernelClass kind = kernel_class(node);
    KernelCost cost;
    if (kind == KernelClass::stream) {
      cost = stream_kernel_cost(elements, traffic, stream_);
    } else {
      GemmShape g = gemm_shape(node, kind);
      if (kind == KernelClass::depthwise && on_cpu_) {
        // oneDNN vectorises a depthwise convolution across channels: the groups fill vector blocks.
        const int64_t lanes = dense_.tile_n;
        g.groups = (g.groups * g.n + lanes - 1) / lanes * lanes;
        g.n = 1;
      }
      cost = gemm_kernel_cost(g, traffic, kind == KernelClass::dense ? dense_ : kind == KernelClass::gemm ? gemm_ : depthwise_);
    }
    const RooflineConfig& config = kind == KernelClass::stream ? stream_ : dense_;
    s.fixed_us = config.launch_us;
    s.compute_us = cost.compute_us;
    s.dram_bytes = cost.bytes;
    s.bandwidth_gb_s = config.dram_gb_s * config.dram_fraction;
    steps_.push_back(std::move(s));
  }

  const Graph& graph_;
  const TargetModel& model_;
  const PlanOptions& o_;
  const bool on_cpu_;
  RooflineConfig dense_, depthwise_, gemm_, stream_;
  std::vector<PlanStep> steps_;
};

}  // namespace

bool is_native_device(const std::string& device) {
  return device == "cpu" || device == "cuda" || device.rfind("cuda:", 0) == 0;
}

Result<InferencePlan> plan_native(const Graph& graph, const std::string& target_name, const TargetModel& model,
                                  const PlanOptions& options) {
  const bool cpu = options.device == "cpu";
  if (cpu && !model.has_cpu)
    return error(StatusCode::invalid_argument, "--device cpu: target '{}' describes no CPU (its file has no cpu group)",
                 target_name);
  if (!cpu && !model.has_gpu)
    return error(StatusCode::invalid_argument, "--device {}: target '{}' describes no GPU (its file has no gpu group)",
                 options.device, target_name);
  if (cpu && options.precision != Precision::fp32)
    return error(StatusCode::invalid_argument, "--precision {}: edgescope's CPU backend runs fp32",
                 precision_name(options.precision));
  if (options.precision == Precision::int8)
    return error(StatusCode::invalid_argument, "--precision int8: edgescope's {} backend has no int8 kernels",
                 options.device);
  for (const Node& node : graph.nodes)
    for (ValueId v : node.outputs)
      if (v != kNoValue && !graph.value(v).shape_known)
        return error(StatusCode::invalid_argument, "node '{}' ({}): output '{}' has no static shape (use --shape or --batch)",
                     node.name, op_name(node.op), graph.value(v).name);
  InferencePlan plan;
  plan.target = target_name;
  plan.device = options.device;
  plan.precision = options.precision;
  plan.steps = NativePlanner(graph, model, options).run();
  plan.engine_layers = static_cast<int>(std::count_if(plan.steps.begin(), plan.steps.end(), [](const PlanStep& s) { return s.layer; }));
  if (!cpu) plan.engine_gpu_layers = plan.engine_layers;
  return plan;
}

}  // namespace es::sim
