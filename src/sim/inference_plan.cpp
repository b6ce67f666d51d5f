#include "sim/inference_plan.h"

#include "placement/placement.h"
#include "placement/trt_parser.h"
#include "sim/dla_cost.h"
#include "sim/roofline_cost.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace es::sim {
namespace {

using placement::EngineLayer;
using placement::EngineModel;
using placement::EngineSegment;
using placement::LayerId;
using placement::TensorId;
using placement::TrtLayer;
using placement::TrtLayerType;
using placement::TrtNetwork;
using placement::TrtTensor;

// Convolution-like work in NCHW terms (a fully connected layer is a 1x1 convolution on a 1x1 input).
struct ConvGeometry {
  int64_t n = 1, c = 1, h = 1, w = 1, k = 1, r = 1, s = 1, sy = 1, sx = 1, ho = 1, wo = 1, groups = 1;
  int64_t written_h = 0, written_w = 0;  // output written when it differs from ho x wo (deconvolution)
};

class Planner {
 public:
  Planner(const TrtNetwork& net, const EngineModel& engine, const TargetModel& model, const PlanOptions& o)
      : net_(net), engine_(engine), model_(model), o_(o), constant_(net.tensors.size(), false),
        group_of_(net.layers.size(), -1) {
    for (LayerId l : engine.folded)
      for (TensorId t : layer(l).outputs) constant_[static_cast<size_t>(t)] = true;
    for (size_t t = 0; t < net.tensors.size(); ++t)
      if (net.tensors[t].producer == placement::kNone && !net.tensors[t].network_input) constant_[t] = true;
    for (size_t e = 0; e < engine.layers.size(); ++e)
      for (LayerId m : engine.layers[e].members) group_of_[static_cast<size_t>(m)] = static_cast<int>(e);
    gpu_matrix_ = gpu_roofline(model, o.precision, true);
    gpu_stream_ = gpu_roofline(model, o.precision, false);
    if (o.device != "gpu") dla_ = dla_config(model, o.precision);
  }

  std::vector<PlanStep> run() {
    for (TensorId t : net_.inputs) copy_step(t, EngineKind::copy_h2d, bench::Phase::h2d);
    for (TensorId t : net_.inputs)
      if (!fed_to_dla(t)) io_reformat(t, "input");
    for (const EngineSegment& seg : engine_.segments) {
      for (const placement::Boundary& b : engine_.boundaries)
        if (b.to == seg.name) handoff(b, seg.on_dla);
      if (seg.on_dla) {
        PlanStep launch{fmt::format("launch {}", seg.name), "DLA loadable launch", EngineKind::dla};
        launch.fixed_us = model_.dla.loadable_launch_us;
        steps_.push_back(std::move(launch));
      }
      for (int e : seg.layers) layer_step(engine_.layers[static_cast<size_t>(e)]);
    }
    for (const placement::Boundary& b : engine_.boundaries)
      if (b.to == "network output") handoff(b, false);
    for (TensorId t : net_.outputs)
      if (!produced_on_dla(t)) io_reformat(t, "output");
    for (TensorId t : net_.outputs) copy_step(t, EngineKind::copy_d2h, bench::Phase::d2h);
    PlanStep sync{"stream synchronize", "Sync", EngineKind::none, bench::Phase::sync};
    sync.fixed_us = model_.gpu.sync_us;
    steps_.push_back(std::move(sync));
    return std::move(steps_);
  }

 private:
  const TrtLayer& layer(LayerId l) const { return net_.layers[static_cast<size_t>(l)]; }
  const TrtTensor& tensor(TensorId t) const { return net_.tensors[static_cast<size_t>(t)]; }
  bool constant(TensorId t) const { return constant_[static_cast<size_t>(t)]; }
  int64_t dim(TensorId t, size_t i) const { return std::max<int64_t>(tensor(t).dims[i], 1); }  // -1: profile's 1
  double elements(TensorId t) const {
    double n = 1;
    for (size_t i = 0; i < tensor(t).dims.size(); ++i) n *= static_cast<double>(dim(t, i));
    return n;
  }
  double bytes(TensorId t) const { return elements(t) * bytes_per_element(o_.precision); }
  double dram_gb_s_gpu() const { return model_.memory.dram_gb_s * model_.gpu.dram_efficiency; }

  bool fed_to_dla(TensorId t) const {
    return std::any_of(engine_.boundaries.begin(), engine_.boundaries.end(),
                       [&](const auto& b) { return b.from == "network input" && b.tensor == tensor(t).name; });
  }
  bool produced_on_dla(TensorId t) const {
    LayerId p = tensor(t).producer;
    if (p == placement::kNone || group_of_[static_cast<size_t>(p)] < 0) return false;
    return engine_.layers[static_cast<size_t>(group_of_[static_cast<size_t>(p)])].on_dla;
  }

  // cudaMemcpy of a network input or output between host and device buffers.
  void copy_step(TensorId t, EngineKind engine, bench::Phase phase) {
    PlanStep s{fmt::format("{} {}", engine == EngineKind::copy_h2d ? "copy in" : "copy out", tensor(t).name), "Copy",
               engine, phase};
    s.fixed_us = model_.memory.copy_latency_us;
    s.dram_bytes = elements(t) * static_cast<double>(dtype_size(tensor(t).dtype));
    s.bandwidth_gb_s = model_.memory.host_copy_gb_s;
    steps_.push_back(std::move(s));
  }

  // A GPU reformat kernel: max(minimum kernel time, bytes read + written at the GPU's bandwidth).
  void reformat(std::string name, double read_bytes, double write_bytes) {
    PlanStep s{std::move(name), "Reformat", EngineKind::gpu};
    s.compute_us = model_.gpu.reformat_min_us;
    s.dram_bytes = read_bytes + write_bytes;
    s.bandwidth_gb_s = dram_gb_s_gpu();
    s.layer = true;
    steps_.push_back(std::move(s));
  }

  // Network I/O of a GPU layer is fp32 kLINEAR; at a lower precision TensorRT converts it.
  void io_reformat(TensorId t, const char* what) {
    if (o_.precision == Precision::fp32) return;
    double io = elements(t) * static_cast<double>(dtype_size(tensor(t).dtype));
    reformat(fmt::format("Reformatting CopyNode for network {} {}", what, tensor(t).name), io, bytes(t));
  }

  // The two directions cost differently on Orin (hardware.md §4: 41 µs into the DLA, 17 µs out of it, each
  // with its reformat), so each has its own synchronisation parameter.
  void handoff(const placement::Boundary& b, bool into_dla) {
    auto sync = [&] {
      PlanStep s{fmt::format("sync {} -> {}", b.from, b.to), "Sync", EngineKind::none};
      s.fixed_us = into_dla ? model_.dla.handoff_sync_us : model_.dla.handoff_out_sync_us;
      steps_.push_back(std::move(s));
    };
    if (!into_dla) sync();
    reformat(fmt::format("Reformatting CopyNode for {} ({} -> {})", b.tensor, b.from_format, b.to_format),
             static_cast<double>(b.from_bytes), static_cast<double>(b.to_bytes));
    if (into_dla) sync();
  }

  std::vector<TensorId> activations(const TrtLayer& L) const {
    std::vector<TensorId> in;
    for (TensorId t : L.inputs)
      if (!constant(t)) in.push_back(t);
    return in;
  }

  // The residual operand of a fused element-wise member: a second activation input from outside the group.
  bool has_residual(const EngineLayer& el) const {
    for (size_t i = 1; i < el.members.size(); ++i) {
      const TrtLayer& m = layer(el.members[i]);
      if (m.type != TrtLayerType::ElementWise) continue;
      for (TensorId t : m.inputs) {
        LayerId p = tensor(t).producer;
        bool inside = p != placement::kNone && std::find(el.members.begin(), el.members.end(), p) != el.members.end();
        if (!constant(t) && !inside) return true;
      }
    }
    return false;
  }

  std::optional<ConvGeometry> conv_geometry(const TrtLayer& head, TensorId in, TensorId out) const {
    const auto& p = head.params;
    const size_t in_rank = tensor(in).dims.size(), out_rank = tensor(out).dims.size();
    ConvGeometry g;
    switch (head.type) {
      case TrtLayerType::Convolution:
      case TrtLayerType::Deconvolution: {
        if (in_rank != 4 || out_rank != 4 || p.kernel.size() != 2) return std::nullopt;
        g.n = dim(in, 0), g.c = dim(in, 1), g.h = dim(in, 2), g.w = dim(in, 3);
        g.k = dim(out, 1), g.r = p.kernel[0], g.s = p.kernel[1], g.groups = std::max<int64_t>(p.groups, 1);
        if (head.type == TrtLayerType::Convolution) {
          g.sy = p.strides.size() == 2 ? p.strides[0] : 1, g.sx = p.strides.size() == 2 ? p.strides[1] : 1;
          g.ho = dim(out, 2), g.wo = dim(out, 3);
        } else {
          // A deconvolution does every input pixel x kernel product once: a stride-1 convolution's MACs over
          // the input, writing the larger output.
          g.ho = g.h, g.wo = g.w, g.written_h = dim(out, 2), g.written_w = dim(out, 3);
        }
        return g;
      }
      case TrtLayerType::FullyConnected:
      case TrtLayerType::MatrixMultiply: {
        if (in_rank < 1 || out_rank < 1) return std::nullopt;
        g.c = dim(in, in_rank - 1);
        if (head.type == TrtLayerType::FullyConnected) {
          g.n = dim(in, 0);
          g.c = static_cast<int64_t>(elements(in)) / g.n;
        } else {
          g.n = static_cast<int64_t>(elements(in)) / g.c;
        }
        g.k = static_cast<int64_t>(elements(out)) / g.n;
        return g;
      }
      default:
        return std::nullopt;
    }
  }

  void layer_step(const EngineLayer& el) {
    const TrtLayer& head = layer(el.members.front());
    const TrtLayer& tail = layer(el.members.back());
    std::vector<TensorId> in = activations(head);
    if (tail.outputs.empty()) return;
    TensorId out = tail.outputs.front();
    // A reshape of a contiguous tensor is metadata only: TensorRT emits no kernel for it.
    if (head.type == TrtLayerType::Shuffle && head.params.permutation.empty() && el.members.size() == 1) return;

    PlanStep s{el.name, std::string(placement::layer_type_name(head.type)),
               el.on_dla ? EngineKind::dla : EngineKind::gpu};
    s.layer = true;
    double in_bytes = 0;
    for (TensorId t : in) in_bytes += bytes(t);
    const double out_bytes = bytes(out) * (has_residual(el) ? 2.0 : 1.0);
    bool weights = std::any_of(head.inputs.begin(), head.inputs.end(), [&](TensorId t) { return constant(t); }) ||
                   head.type == TrtLayerType::Convolution || head.type == TrtLayerType::Deconvolution ||
                   head.type == TrtLayerType::FullyConnected;
    std::optional<ConvGeometry> g = !in.empty() && weights ? conv_geometry(head, in.front(), out) : std::nullopt;
    if (g) conv_cost(*g, has_residual(el), in_bytes, out_bytes, s);
    else other_cost(head, in, out, in_bytes, out_bytes, s);
    steps_.push_back(std::move(s));
  }

  void conv_cost(const ConvGeometry& g, bool residual, double in_bytes, double out_bytes, PlanStep& s) const {
    if (s.engine == EngineKind::dla) {
      DlaConv d;
      d.batch = g.n, d.c = g.c, d.h = g.h, d.w = g.w, d.k = g.k, d.r = g.r, d.s = g.s;
      d.stride_h = g.sy, d.stride_w = g.sx, d.out_h = g.ho, d.out_w = g.wo, d.groups = g.groups;
      d.pooled_h = g.written_h, d.pooled_w = g.written_w;
      d.eltwise = residual;
      set_dla(dla_conv_cost(d, dla_), s);
      return;
    }
    GemmShape gemm{g.n * g.ho * g.wo, g.k / g.groups, g.c / g.groups * g.r * g.s, g.groups};
    double weight_bytes = static_cast<double>(g.k * (g.c / g.groups) * g.r * g.s * bytes_per_element(o_.precision));
    set_gpu(gemm_kernel_cost(gemm, in_bytes + weight_bytes + out_bytes, g.groups == 1 ? gpu_matrix_ : gpu_stream_), s);
  }

  void other_cost(const TrtLayer& head, const std::vector<TensorId>& in, TensorId out, double in_bytes,
                  double out_bytes, PlanStep& s) const {
    double in_elements = 0;
    for (TensorId t : in) in_elements += elements(t);
    const double out_elements = elements(out);
    const bool reads_windows = head.type == TrtLayerType::Pooling || head.type == TrtLayerType::Reduce ||
                               head.type == TrtLayerType::LRN || head.type == TrtLayerType::Normalization;
    if (s.engine == EngineKind::dla) {
      // Pooling-like layers run on the PDP (CDP for LRN, same rate), everything else on the SDP / data movers.
      set_dla(reads_windows ? dla_pass_cost(DlaUnit::pdp, in_elements, in_bytes, out_bytes, dla_)
                            : dla_pass_cost(DlaUnit::sdp, out_elements, in_bytes, out_bytes, dla_), s);
      return;
    }
    set_gpu(stream_kernel_cost(std::max(in_elements, out_elements), in_bytes + out_bytes, gpu_stream_), s);
  }

  void set_dla(const DlaCost& c, PlanStep& s) const {
    s.fixed_us = dla_.layer_overhead_us;
    s.compute_us = c.mac_cycles / (dla_.clock_ghz * 1e3);
    s.dram_bytes = c.dram_bytes;
    s.bandwidth_gb_s = dla_.dram_gb_s;
  }
  void set_gpu(const KernelCost& c, PlanStep& s) const {
    s.fixed_us = gpu_stream_.launch_us;
    s.compute_us = c.compute_us;
    s.dram_bytes = c.bytes;
    s.bandwidth_gb_s = dram_gb_s_gpu();
  }

  const TrtNetwork& net_;
  const EngineModel& engine_;
  const TargetModel& model_;
  const PlanOptions& o_;
  std::vector<bool> constant_;
  std::vector<int> group_of_;
  RooflineConfig gpu_matrix_, gpu_stream_;
  DlaConfig dla_;
  std::vector<PlanStep> steps_;
};

}  // namespace

Result<InferencePlan> plan_inference(const Graph& graph, const placement::Target& target, const TargetModel& model,
                                     const PlanOptions& options) {
  const bool on_dla = options.device != "gpu";
  if (!model.has_gpu)
    return error(StatusCode::invalid_argument, "--device {}: target '{}' describes no GPU (a TensorRT engine needs one)",
                 options.device, target.name);
  if (on_dla && options.precision == Precision::fp32)
    return error(StatusCode::invalid_argument, "--precision fp32: the DLA runs fp16 or int8 (device {})", options.device);
  placement::PlacementOptions po;
  po.device = options.device;
  po.precision = options.precision == Precision::int8 ? placement::Precision::int8 : placement::Precision::fp16;
  po.trt = options.trt;
  po.allow_gpu_fallback = true;
  po.dynamic_batch = options.symbolic_batch;
  ES_ASSIGN_OR_RETURN(placement::PlacementReport report, placement::analyze_placement(graph, target, po));
  placement::ParserOptions parser;
  parser.version = options.trt;
  parser.dynamic_batch = options.symbolic_batch;
  ES_ASSIGN_OR_RETURN(TrtNetwork network, placement::build_trt_network(graph, parser));

  InferencePlan plan;
  plan.target = target.name;
  plan.device = options.device;
  plan.precision = options.precision;
  plan.steps = Planner(network, report.engine, model, options).run();
  plan.network_layers = report.network_layers;
  plan.network_gpu = report.network_gpu;
  plan.engine_layers = static_cast<int>(report.engine.layers.size());
  plan.engine_gpu_layers = report.engine.gpu_layers();
  plan.dla_loadables = report.engine.dla_loadables();
  plan.boundaries = static_cast<int>(report.engine.boundaries.size());
  plan.setup_loadable_ms = plan.dla_loadables * model.dla.loadable_load_ms;
  plan.notes = report.notes;
  return plan;
}

}  // namespace es::sim
