#include "sim/native_plan.h"

#include "ir/graph_stats.h"
#include "sim/cuda_conv_forms.h"
#include "sim/kernel_class.h"
#include "sim/roofline_cost.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

namespace es::sim {
namespace {

// The bytes one inference keeps in use if the backend's arena reuses buffers (backends/cpu/memory_plan.h): the
// constants, and the most activation bytes live at once, each value from the node that writes it to the last
// that reads it (the graph's inputs from the start, its outputs to the end).
double resident_bytes(const Graph& graph) {
  auto bytes = [&](ValueId v) {
    return static_cast<double>(shape_numel(graph.value(v).shape)) * static_cast<double>(dtype_size(graph.value(v).dtype));
  };
  const size_t end = graph.nodes.size();
  std::vector<size_t> last_read(graph.values.size(), 0);
  double constants = 0;
  for (size_t v = 0; v < graph.values.size(); ++v)
    if (graph.values[v].is_initializer()) constants += bytes(static_cast<ValueId>(v));
  for (size_t n = 0; n < end; ++n)
    for (ValueId v : graph.nodes[n].inputs)
      if (v != kNoValue) last_read[static_cast<size_t>(v)] = n;
  for (ValueId v : graph.outputs) last_read[static_cast<size_t>(v)] = end;
  double live = 0, peak = 0;
  for (ValueId v : graph.inputs) {
    last_read[static_cast<size_t>(v)] = end;
    live += bytes(v);
  }
  for (size_t n = 0; n < end; ++n) {
    for (ValueId v : graph.nodes[n].outputs)
      if (v != kNoValue) live += bytes(v);
    peak = std::max(peak, live);
    for (ValueId v : graph.nodes[n].outputs)
      if (v != kNoValue && last_read[static_cast<size_t>(v)] <= n) live -= bytes(v);  // read by no later node
    const std::vector<ValueId>& in = graph.nodes[n].inputs;
    for (auto v = in.begin(); v != in.end(); ++v)  // once per value, however often the node reads it
      if (*v != kNoValue && last_read[static_cast<size_t>(*v)] == n && !graph.value(*v).is_initializer() &&
          std::find(in.begin(), v, *v) == v)
        live -= bytes(*v);
  }
  return constants + peak;
}

class NativePlanner {
 public:
  NativePlanner(const Graph& graph, const TargetModel& model, const PlanOptions& o)
      : graph_(graph), model_(model), on_cpu_(o.device == "cpu"), cuda_graph_(o.cuda_graph),
        pinned_host_(o.pinned_host && !on_cpu_), precision_(o.precision) {
    if (on_cpu_) {
      const CpuParameters& c = model.cpu;
      const double threads = o.threads > 0 ? o.threads : c.cores;
      RooflineConfig base;
      base.peak_tflops = threads * c.clock_ghz * c.fp32_flops_per_clock / 1000;
      base.dram_gb_s = c.bandwidth_gb_s * threads;
      base.dram_fraction = 1;
      base.launch_us = c.eltwise_overhead_us;
      dense_ = depthwise_ = gemm_ = stream_ = base;
      dense_.launch_us = c.matrix_overhead_us;
      dense_.compute_fraction = c.conv_efficiency;
      dense_.tile_n = static_cast<int64_t>(std::max(c.vector_lanes, 1.0));  // output channels in vector blocks
      winograd_ = dense_;
      winograd_.compute_fraction = c.winograd_efficiency;
      depthwise_.launch_us = gemm_.launch_us = c.matrix_overhead_us;
      depthwise_.compute_fraction = c.depthwise_efficiency;
      // oneDNN's matmul primitive and its convolutions run the same brgemm micro-kernels (the profiles name
      // them "brg:avx512_core" and "brgconv:avx512_core"), so a product runs at the convolutions' fitted rate:
      // no calibration model has a product large enough to fit a rate of its own (the classifiers at batch 1
      // run on the panel kernel, bound by their weights).
      gemm_.compute_fraction = c.conv_efficiency;
      gemm_.tile_n = dense_.tile_n;
      // Each thread's share of the traffic stays in its own core's L2; the L3 is shared.
      levels_ = {{c.l2_kib * 1024 * threads, c.stream_l2_bandwidth_gb_s * threads},
                 {c.l3_kib * 1024, c.stream_l3_bandwidth_gb_s * threads}};
      // Convolutions and products stream at rates of their own per level (beyond them: bandwidth_gb_s).
      matrix_levels_ = {{c.l2_kib * 1024 * threads, c.conv_l2_bandwidth_gb_s * threads},
                        {c.l3_kib * 1024, c.conv_l3_bandwidth_gb_s * threads}};
      stem_ = dense_;
      stem_.compute_fraction = c.stem_efficiency;
      stream_.dram_gb_s = c.stream_dram_bandwidth_gb_s * threads;
      reorder_ = stream_;
      reorder_.launch_us = c.reorder_overhead_us;
      reorder_.dram_fraction = c.reorder_efficiency;
      reference_overhead_us_ = c.reference_overhead_us;
      broadcast_row_us_ = c.broadcast_row_ns / 1000 / threads;  // the rows are split over the threads
      run_us_ = c.reference_run_ns / 1000 / threads;            // as are a reference kernel's runs
      // Per-element kernels split their elements over the threads.
      element_ns_[KernelClass::vector_math] = c.vector_math_ns_per_element / threads;
      element_ns_[KernelClass::channel_broadcast] = c.broadcast_ns_per_element / threads;
      element_ns_[KernelClass::index] = element_ns_[KernelClass::reduce] = c.reference_ns_per_element / threads;
      element_ns_[KernelClass::math] = c.reference_math_ns_per_element / threads;
      element_ns_[KernelClass::resize] = c.resize_ns_per_element / threads;
      element_ns_[KernelClass::onednn_reference] = c.onednn_reference_ns_per_element / threads;
    } else {
      dense_ = gemm_ = cuda_roofline(o.precision, true);
      // cuDNN's convolutions (dense_) reach another fraction of the peak than cuBLAS/cuBLASLt's products (gemm_).
      dense_.compute_fraction = o.precision == Precision::fp32 ? model.cuda.cudnn_fp32_efficiency
                                                               : model.cuda.cudnn_tensor_efficiency;
      gemm_.split_k = true;  // cuBLAS splits the reduction of a skinny GEMM; cuDNN's convolution kernels do not
      op_graph_ = dense_;  // cuDNN's operation graphs: its engines' kernels, at their own rate
      op_graph_.compute_fraction = model.cuda.cudnn_graph_efficiency;
      op_graph_.launch_us += model.cuda.cudnn_graph_us;
      depthwise_ = stream_ = cuda_roofline(o.precision, false);
      // The backend's depthwise kernel accumulates in FP32 in every precision (target_model.h).
      depthwise_.peak_tflops = model.gpu.fp32_tflops;
      depthwise_.compute_fraction = model.cuda.depthwise_efficiency;
    }
  }

  std::vector<PlanStep> run(const std::vector<NativeKernel>& kernels) {
    for (ValueId v : graph_.inputs) copy(v, EngineKind::copy_h2d, bench::Phase::h2d, "copy in");
    if (on_cpu_) {
      layouts_ = cpu_layouts(graph_, kernels, dense_.tile_n);
      // A model whose constants and live activations fit in the L2 runs every call warm.
      if (resident_bytes(graph_) <= levels_.front().bytes) call_fraction_ = model_.cpu.warm_call_fraction;
    }
    for (const NativeKernel& k : kernels) kernel(k);
    for (ValueId v : graph_.outputs) copy(v, EngineKind::copy_d2h, bench::Phase::d2h, "copy out");
    if (!on_cpu_) {
      PlanStep sync{"stream synchronize", "Sync", EngineKind::none, bench::Phase::sync};
      sync.fixed_us = model_.gpu.sync_us;
      steps_.push_back(std::move(sync));
    }
    return std::move(steps_);
  }

 private:
  // cuDNN runs FP32 convolutions with FMA math on CUDA cores (the backend asks for it), FP16 ones on tensor
  // cores; matrix work is tiled into thread blocks that run in waves over the SMs.
  RooflineConfig cuda_roofline(Precision precision, bool matrix) const {
    const GpuParameters& g = model_.gpu;
    const CudaParameters& c = model_.cuda;
    RooflineConfig r;
    r.dram_gb_s = model_.memory.dram_gb_s;
    r.dram_fraction = c.dram_efficiency;
    r.launch_us = cuda_graph_ ? (matrix ? c.graph_library_us : c.graph_kernel_us)
                              : (matrix ? c.library_call_us : c.kernel_us);
    const bool tensor = matrix && precision != Precision::fp32;
    // CUDA cores: packed half2 doubles the FP32 rate.
    r.peak_tflops = tensor ? g.fp16_tensor_tflops : g.fp32_tflops * (4.0 / bytes_per_element(precision));
    r.compute_fraction = tensor ? c.tensor_efficiency : c.fp32_efficiency;
    if (matrix) {
      r.tile_m = static_cast<int64_t>(g.tile_m);
      r.tile_n = static_cast<int64_t>(g.tile_n);
      r.tile_k = static_cast<int64_t>(g.tile_k);
      r.wave_blocks = static_cast<int64_t>(g.sms);
    }
    return r;
  }

  double numel(ValueId v) const { return static_cast<double>(shape_numel(graph_.value(v).shape)); }

  void copy(ValueId v, EngineKind engine, bench::Phase phase, const char* what) {
    PlanStep s{fmt::format("{} {}", what, graph_.value(v).name), "Copy", engine, phase};
    s.fixed_us = model_.memory.copy_latency_us;
    s.dram_bytes = numel(v) * static_cast<double>(dtype_size(graph_.value(v).dtype));
    const MemoryParameters& m = model_.memory;
    s.bandwidth_gb_s = pinned_host_ && m.dma_gb_s > 0 ? m.dma_gb_s : host_copy_rate_gb_s(m, s.dram_bytes);
    steps_.push_back(std::move(s));
  }

  // The implicit GEMM of a convolution or matrix product: M output rows, N columns (output channels per
  // group), reductions of K, from the output's shape and the node's MACs (which also covers ConvTranspose).
  GemmShape gemm_shape(const Node& node, KernelClass kind) const {
    const Shape& y = graph_.value(node.outputs.at(0)).shape;
    const double outputs = numel(node.outputs[0]);
    GemmShape g;
    const int64_t columns = y.empty() ? 1 : kind == KernelClass::gemm || y.size() < 2 ? y.back() : y[1];
    g.groups = kind == KernelClass::gemm ? 1 : node.attrs.get_int("group", 1);
    g.n = std::max<int64_t>(columns / g.groups, 1);
    g.m = static_cast<int64_t>(outputs) / std::max<int64_t>(columns, 1);
    g.k = std::max<int64_t>(static_cast<int64_t>(static_cast<double>(node_macs(graph_, node)) / std::max(outputs, 1.0)), 1);
    const bool direct = kind == KernelClass::dense || kind == KernelClass::depthwise;
    if (on_cpu_ && direct && (node.op == OpKind::Conv || node.op == OpKind::FusedConv)) {
      // The rows' taps that fall in the padding are skipped (Winograd transforms the padded tiles instead).
      g.m = std::max<int64_t>(std::llround(static_cast<double>(g.m) * unpadded_tap_fraction(graph_, node)), 1);
    }
    if (kind == KernelClass::depthwise && on_cpu_) {
      // oneDNN vectorises a depthwise convolution across channels: the groups fill vector blocks.
      const int64_t lanes = dense_.tile_n;
      g.groups = (g.groups * g.n + lanes - 1) / lanes * lanes;
      g.n = 1;
    }
    return g;
  }

  // Who runs a CPU kernel decides its fixed cost: scalar reference code, a oneDNN primitive of its class.
  double cpu_overhead_us(const NativeKernel& k, KernelClass kind, const RooflineConfig& config) const {
    const bool reference = k.implementation == "reference" || kind == KernelClass::onednn_reference;
    return (reference ? reference_overhead_us_ : config.launch_us) * call_fraction_;
  }

  // A fused inverted residual block (CPU): each thread carries its rows through the block's layers, so every
  // layer's arithmetic runs at its own class's rate (times the block kernel's own factor) while only the block's
  // input, output and weights move through memory, with one fixed cost for the whole block.
  void fused_block(const NativeKernel& k) {
    PlanStep s{k.name, k.op, EngineKind::cpu};
    s.layer = true;
    s.fixed_us = dense_.launch_us * call_fraction_;
    for (const Node* part : k.fused) {
      const bool depthwise = part->attrs.get_int("group", 1) > 1;
      const KernelClass kind = depthwise ? KernelClass::depthwise : KernelClass::dense;
      s.compute_us += gemm_kernel_cost(gemm_shape(*part, kind), 0, depthwise ? depthwise_ : dense_).compute_us;
    }
    s.compute_us /= model_.cpu.fused_block_rate;
    const double traffic = k.read_bytes + k.write_bytes;
    if (const CacheLevel* level = level_of(matrix_levels_, traffic)) {
      s.compute_us = std::max(s.compute_us, traffic / (level->gb_s * 1e3));
    } else {
      s.dram_bytes = traffic;
      s.bandwidth_gb_s = dense_.dram_gb_s * dense_.dram_fraction;
    }
    steps_.push_back(std::move(s));
  }

  struct CacheLevel {
    double bytes, gb_s;  // capacity; streaming rate of the threads while a kernel's traffic fits in it
  };
  // The smallest level `traffic` fits in, or null beyond them all.
  static const CacheLevel* level_of(const std::vector<CacheLevel>& levels, double traffic) {
    const auto it = std::find_if(levels.begin(), levels.end(), [&](const CacheLevel& l) { return traffic <= l.bytes; });
    return it == levels.end() ? nullptr : &*it;
  }

  // A direct convolution of fewer than 8 input channels (an RGB stem): oneDNN reads its plain input a few
  // channels per tap, below the rate of its other convolutions.
  bool cpu_stem(const NativeKernel& k, KernelClass kind) const {
    return kind == KernelClass::dense && k.node && (k.node->op == OpKind::Conv || k.node->op == OpKind::FusedConv) &&
           few_channel_stem(graph_, *k.node);
  }

  // A CUDA convolution in the form its profile names (k.implementation), else in the form of those the backend
  // may take that the plan predicts fastest, as the backend keeps the one that times fastest.
  void cuda_conv(const NativeKernel& k, KernelClass kind) {
    const std::vector<std::string> forms =
        k.implementation.empty() ? cuda_conv_forms(graph_, *k.node, precision_) : std::vector{k.implementation};
    std::optional<PlanStep> best;
    for (const std::string& form : forms) {
      PlanStep s = cuda_conv_step(k, kind, form);
      if (!best || alone_us(s) < alone_us(*best)) best = std::move(s);
    }
    steps_.push_back(std::move(*best));
  }

  // The backend's stem + MaxPool kernel (backends/cuda/stem_conv_pool.cu): a block per 7 x 7 tile of pooled
  // outputs computes 15 x 16 convolution outputs over a reduction of 224 (7 rows of 8 taps x 4 channels, the
  // padding zeros), two blocks per SM at a time, at cuda.stem_efficiency of the tensor cores' peak.
  void cuda_stem_pool_step(const NativeKernel& k) {
    constexpr int64_t kPoolTile = 7, kTileOutputs = 15 * 16, kReduction = 7 * 8 * 4;
    const Shape& pooled = graph_.value(k.fused.back()->outputs.at(0)).shape;
    const int64_t tiles = pooled[0] * ((pooled[2] + kPoolTile - 1) / kPoolTile) * ((pooled[3] + kPoolTile - 1) / kPoolTile);
    RooflineConfig config = stream_;
    config.peak_tflops = model_.gpu.fp16_tensor_tflops;
    config.compute_fraction = model_.cuda.stem_efficiency;
    config.tile_m = kTileOutputs, config.tile_n = pooled[1], config.tile_k = kReduction;
    config.wave_blocks = 2 * static_cast<int64_t>(model_.gpu.sms);
    const KernelCost cost =
        gemm_kernel_cost({tiles * kTileOutputs, pooled[1], kReduction}, k.read_bytes + k.write_bytes, config);
    PlanStep s{k.name, k.op, EngineKind::gpu};
    s.layer = true;
    s.implementation = "edgescope:stem+maxpool";
    s.fixed_us = config.launch_us;
    s.compute_us = cost.compute_us;
    s.dram_bytes = cost.bytes;
    s.bandwidth_gb_s = config.dram_gb_s * config.dram_fraction;
    steps_.push_back(std::move(s));
  }

  // CUDA products (cuBLAS/cuBLASLt): the latency of walking the reduction K, per precision (target_model.h).
  double k_walk_us(const GemmShape& gemm) const {
    if (on_cpu_) return 0;
    const double ns = precision_ == Precision::fp32 ? model_.cuda.fp32_k_ns : model_.cuda.tensor_k_ns;
    return static_cast<double>(gemm.k) * ns / 1000;
  }

  static double alone_us(const PlanStep& s) {
    return s.fixed_us + std::max(s.compute_us, s.dram_bytes / (s.bandwidth_gb_s * 1e3));
  }

  // The kernels of one form in sequence, each a launch plus the longer of its arithmetic and its traffic.
  // cuDNN does not split K; cuBLASLt does. im2col writes the [rows, kh*kw*C] matrix that the product reads
  // instead of the input.
  PlanStep cuda_conv_step(const NativeKernel& k, KernelClass kind, const std::string& form) const {
    const CudaConvForm f = parse_cuda_conv_form(form);
    const Node& node = *k.node;
    const double element = bytes_per_element(precision_);
    const double x_bytes = numel(node.inputs[0]) * element, y_bytes = numel(node.outputs[0]) * element;
    GemmShape gemm = gemm_shape(node, kind);
    struct Part {
      KernelCost cost;
      double launch_us;
    };
    std::vector<Part> parts;
    // A convolution of fewer than 8 input channels (an RGB stem) first copies its input into a channels-last
    // buffer of its own, an own strided kernel every inference, and with tensor cores runs on the channels
    // zero-padded to a multiple of 4 (backends/cuda/lower_conv.cpp).
    if (few_channel_stem(graph_, node) && graph_.value(node.inputs[1]).is_initializer()) {
      const int64_t channels = graph_.value(node.inputs[0]).shape[1];
      KernelCost pack = stream_kernel_cost(0, 2 * x_bytes, stream_);
      pack.compute_us = numel(node.inputs[0]) * model_.cuda.strided_ns_per_element / 1000;
      parts.push_back({pack, stream_.launch_us});
      if (precision_ != Precision::fp32) gemm.k = gemm.k / channels * ((channels + 3) / 4 * 4);
    }
    switch (f.library) {
      case CudaConvLibrary::own:
        parts.push_back({gemm_kernel_cost(gemm, k.read_bytes + k.write_bytes, depthwise_),
                         stream_.launch_us + model_.cuda.depthwise_us});
        break;
      case CudaConvLibrary::cudnn: {
        // A grouped convolution on cuDNN runs on CUDA cores like a depthwise one, at a library call's cost.
        const RooflineConfig& config = kind == KernelClass::depthwise ? depthwise_ : dense_;
        parts.push_back({gemm_kernel_cost(gemm, k.read_bytes + k.write_bytes, config), dense_.launch_us});
        break;
      }
      case CudaConvLibrary::cudnn_graph:
        parts.push_back({gemm_kernel_cost(gemm, k.read_bytes + k.write_bytes, op_graph_), op_graph_.launch_us});
        break;
      case CudaConvLibrary::cublaslt:
        parts.push_back(
            {gemm_kernel_cost(gemm, k.read_bytes + k.write_bytes, gemm_), gemm_.launch_us + k_walk_us(gemm)});
        break;
      case CudaConvLibrary::im2col_cublaslt: {
        const double col_bytes = static_cast<double>(gemm.m) * static_cast<double>(gemm.k) * element;
        parts.push_back({stream_kernel_cost(col_bytes / element, x_bytes + col_bytes, stream_), stream_.launch_us});
        parts.push_back({gemm_kernel_cost(gemm, k.read_bytes - x_bytes + col_bytes + k.write_bytes, gemm_),
                         gemm_.launch_us + k_walk_us(gemm)});
        break;
      }
    }
    if (f.epilogue_kernel) {
      // Reads and writes the output in place (cuDNN's epilogue kernel also reads the residual, if any).
      const double residual = f.library == CudaConvLibrary::cudnn && node.has_input(3) ? y_bytes : 0;
      parts.push_back({stream_kernel_cost(y_bytes / element, 2 * y_bytes + residual, stream_), stream_.launch_us});
    }
    PlanStep s{k.name, k.op, EngineKind::gpu};
    s.layer = true;
    s.implementation = form;
    s.bandwidth_gb_s = stream_.dram_gb_s * stream_.dram_fraction;
    for (const Part& p : parts) {
      s.fixed_us += p.launch_us;
      s.compute_us += parts.size() == 1 ? p.cost.compute_us : std::max(p.cost.compute_us, p.cost.memory_us);
      s.dram_bytes += p.cost.bytes;
    }
    return s;
  }

  // The CUDA backend's own element-wise and data-movement kernels (backends/cuda/lower_eltwise.cpp,
  // lower_data.cpp) are bound by their work per element written where it outlasts their traffic: an N-d index
  // over strides (binary ops, Concat, Slice, Transpose, Expand) or a flat unary function.
  double cuda_elements_us(const NativeKernel& k) const {
    if (on_cpu_ || !k.node) return 0;
    static constexpr OpKind kStrided[] = {OpKind::Add, OpKind::Sum, OpKind::Sub, OpKind::Mul, OpKind::Div,
                                          OpKind::Pow, OpKind::Max, OpKind::Min, OpKind::PRelu, OpKind::Concat,
                                          OpKind::Slice, OpKind::Transpose, OpKind::Expand};
    static constexpr OpKind kUnary[] = {OpKind::Relu, OpKind::Sigmoid, OpKind::Tanh, OpKind::HardSwish,
                                        OpKind::HardSigmoid, OpKind::LeakyRelu, OpKind::Elu, OpKind::Softplus,
                                        OpKind::Mish, OpKind::Exp, OpKind::Log, OpKind::Sqrt, OpKind::Abs,
                                        OpKind::Neg, OpKind::Reciprocal, OpKind::Floor, OpKind::Ceil, OpKind::Erf,
                                        OpKind::Sin, OpKind::Cos, OpKind::Clip};
    auto in = [&](const auto& ops) { return std::find(std::begin(ops), std::end(ops), k.node->op) != std::end(ops); };
    const double ns = in(kStrided) ? model_.cuda.strided_ns_per_element
                      : in(kUnary) ? model_.cuda.eltwise_ns_per_element : 0;
    return class_elements(graph_, k, KernelClass::stream) * ns / 1000;
  }

  // The CUDA backend's Concat is one strided copy per input, each its own launch (backends/cuda/lower_data.cpp:
  // UltraFace RFB-320's three-input Concat_63 measured 5.7 us in FP16 where one launch was priced at 2.1).
  double cuda_launches(const NativeKernel& k) const {
    if (!k.node || k.node->op != OpKind::Concat) return 1;
    return static_cast<double>(std::count_if(k.node->inputs.begin(), k.node->inputs.end(),
                                             [&](ValueId in) { return in != kNoValue && numel(in) > 0; }));
  }

  void kernel(const NativeKernel& k) {
    if (!k.fused.empty()) return on_cpu_ ? fused_block(k) : cuda_stem_pool_step(k);
    PlanStep s{k.name, k.op, on_cpu_ ? EngineKind::cpu : EngineKind::gpu};
    s.layer = true;
    s.implementation = k.implementation;
    const KernelClass kind = kernel_class(graph_, k, on_cpu_ ? &layouts_ : nullptr);
    if (!on_cpu_ && (k.node && (k.node->op == OpKind::Conv || k.node->op == OpKind::FusedConv)))
      return cuda_conv(k, kind);
    const double traffic = k.read_bytes + k.write_bytes;
    if (auto per_element = element_ns_.find(kind); per_element != element_ns_.end()) {
      // Vector code per element, or scalar code: bound by its arithmetic, not by DRAM.
      s.fixed_us = cpu_overhead_us(k, kind, stream_);
      s.compute_us = class_elements(graph_, k, kind) * per_element->second / 1000 + copy_runs(graph_, k) * run_us_;
      steps_.push_back(std::move(s));
      return;
    }
    RooflineConfig config = on_cpu_ && cpu_stem(k, kind) ? stem_
                            : kind == KernelClass::dense ? dense_
                            : kind == KernelClass::winograd ? winograd_ : kind == KernelClass::gemm ? gemm_
                            : kind == KernelClass::depthwise ? depthwise_ : kind == KernelClass::reorder ? reorder_ : stream_;
    // CPU streaming kernels and Reorders run at the rate of the cache level their traffic fits in, if any.
    const bool streams = on_cpu_ && (kind == KernelClass::stream || kind == KernelClass::reorder ||
                                     kind == KernelClass::row_broadcast);
    const bool matrix = kind == KernelClass::dense || kind == KernelClass::winograd || kind == KernelClass::gemm ||
                        kind == KernelClass::depthwise;
    // ... and convolutions and products at theirs.
    const CacheLevel* level = !on_cpu_ ? nullptr : streams ? level_of(levels_, traffic)
                                                 : matrix ? level_of(matrix_levels_, traffic) : nullptr;
    const bool in_cache = level != nullptr;
    if (in_cache) config.dram_gb_s = level->gb_s;
    const KernelCost cost = matrix ? gemm_kernel_cost(gemm_shape(*k.node, kind), traffic, config)
                                   : stream_kernel_cost(stream_operations(graph_, k), traffic, config);
    s.fixed_us = on_cpu_ ? cpu_overhead_us(k, kind, config) : config.launch_us * cuda_launches(k);
    if (kind == KernelClass::gemm) s.fixed_us += k_walk_us(gemm_shape(*k.node, kind));
    if (kind == KernelClass::row_broadcast) {
      // A binary kernel called per row sets up each call, then streams that call's row: the calls and the
      // traffic add up (PP-OCR cls's per-pixel calls take 7 ns on 8 channels, 17-20 ns on 200).
      s.compute_us = broadcast_rows(graph_, k) * broadcast_row_us_ + cost.memory_us;
      steps_.push_back(std::move(s));
      return;
    }
    // A Concat copying short runs pays for the copies or for its traffic, whichever takes longer.
    const double calls_us = copy_runs(graph_, k) * run_us_;
    // A fused transcendental activation runs on the same vector units as the convolution's arithmetic.
    const double activation_us =
        on_cpu_ ? fused_math_elements(graph_, k, dense_.tile_n) * element_ns_[KernelClass::vector_math] / 1000 : 0;
    const double compute_us = std::max({cost.compute_us + activation_us, calls_us, cuda_elements_us(k)});
    if (in_cache) {
      // Traffic that stays in the cache takes no share of the DRAM other engines draw on.
      s.compute_us = std::max(compute_us, cost.memory_us);
    } else {
      s.compute_us = compute_us;
      s.dram_bytes = cost.bytes;
      s.bandwidth_gb_s = config.dram_gb_s * config.dram_fraction;
    }
    steps_.push_back(std::move(s));
  }

  const Graph& graph_;
  const TargetModel& model_;
  const bool on_cpu_;
  const bool cuda_graph_;
  const bool pinned_host_;  // the CUDA backend's copies from pinned memory (the CPU backend has none)
  const Precision precision_;
  RooflineConfig dense_, winograd_, depthwise_, gemm_, op_graph_, stream_, reorder_;
  RooflineConfig stem_;              // CPU: direct convolutions of fewer than 8 input channels
  std::vector<CacheLevel> levels_;  // CPU: L2, L3, smallest first; stream_ has the rate beyond them (DRAM)
  std::vector<CacheLevel> matrix_levels_;  // CPU convolutions and products: L2, L3; dense_ has the rate beyond
  double call_fraction_ = 1;               // CPU: this model's fixed costs per call, against cold calls
  double reference_overhead_us_ = 0;
  double broadcast_row_us_ = 0;  // CPU row_broadcast kernels: per row, spread over the threads
  double run_us_ = 0;            // CPU reference kernels: per contiguous run they copy (copy_runs)
  CpuLayouts layouts_;           // CPU: which values the backend holds channels-last
  std::map<KernelClass, double> element_ns_;  // CPU per-element classes: ns per element, spread over the threads
  std::vector<PlanStep> steps_;
};

Status check_native_plan(const Graph& graph, const std::string& target_name, const TargetModel& model,
                         const PlanOptions& options) {
  const bool cpu = options.device == "cpu";
  if (cpu && !model.has_cpu)
    return error(StatusCode::invalid_argument, "--device cpu: target '{}' describes no CPU (its file has no cpu group)",
                 target_name);
  if (!cpu && !model.has_gpu)
    return error(StatusCode::invalid_argument, "--device {}: target '{}' describes no GPU (its file has no gpu group)",
                 options.device, target_name);
  if (!cpu && !model.has_cuda)
    return error(StatusCode::invalid_argument,
                 "--device {}: target '{}' does not describe edgescope's CUDA backend on its GPU (its file has no cuda "
                 "group; h100-sxm has one)", options.device, target_name);
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
  return {};
}

}  // namespace

bool is_native_device(const std::string& device) {
  return device == "cpu" || device == "cuda" || device.rfind("cuda:", 0) == 0;
}

Result<InferencePlan> plan_native(const Graph& graph, const std::vector<NativeKernel>& kernels,
                                  const std::string& target_name, const TargetModel& model, const PlanOptions& options) {
  ES_TRY(check_native_plan(graph, target_name, model, options));
  InferencePlan plan;
  plan.target = target_name;
  plan.device = options.device;
  plan.precision = options.precision;
  plan.steps = NativePlanner(graph, model, options).run(kernels);
  plan.engine_layers = static_cast<int>(std::count_if(plan.steps.begin(), plan.steps.end(), [](const PlanStep& s) { return s.layer; }));
  if (options.device != "cpu") plan.engine_gpu_layers = plan.engine_layers;
  return plan;
}

Result<InferencePlan> plan_native(const Graph& graph, const std::string& target_name, const TargetModel& model,
                                  const PlanOptions& options) {
  ES_TRY(check_native_plan(graph, target_name, model, options));
  ES_ASSIGN_OR_RETURN(std::vector<NativeKernel> kernels, native_kernels(graph, options));
  return plan_native(graph, kernels, target_name, model, options);
}

}  // namespace es::sim
