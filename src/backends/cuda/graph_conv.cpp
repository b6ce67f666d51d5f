#include "backends/cuda/graph_conv.h"

#include "backends/cuda/step_timing.h"
#include "base/log.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace es::cuda {

namespace {

// One backend descriptor, destroyed with its owner unless released.
class Descriptor {
 public:
  Descriptor() = default;
  explicit Descriptor(cudnnBackendDescriptor_t d) : d_(d) {}
  Descriptor(Descriptor&& o) noexcept : d_(std::exchange(o.d_, nullptr)) {}
  Descriptor& operator=(Descriptor&& o) noexcept {
    std::swap(d_, o.d_);
    return *this;
  }
  ~Descriptor() {
    if (d_) cudnnBackendDestroyDescriptor(d_);
  }
  cudnnBackendDescriptor_t get() const { return d_; }
  cudnnBackendDescriptor_t release() { return std::exchange(d_, nullptr); }

 private:
  cudnnBackendDescriptor_t d_ = nullptr;
};

Result<Descriptor> make(cudnnBackendDescriptorType_t type) {
  cudnnBackendDescriptor_t d = nullptr;
  ES_CUDA_TRY(cudnnBackendCreateDescriptor(type, &d));
  return Descriptor(d);
}

template <class T>
Status set(const Descriptor& d, cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type,
           std::initializer_list<T> values) {
  return check(cudnnBackendSetAttribute(d.get(), name, type, static_cast<int64_t>(values.size()), values.begin()),
               "cudnnBackendSetAttribute");
}
Status set_descriptor(const Descriptor& d, cudnnBackendAttributeName_t name, const Descriptor& value) {
  return set(d, name, CUDNN_TYPE_BACKEND_DESCRIPTOR, {value.get()});
}
Status finalize(const Descriptor& d) { return check(cudnnBackendFinalize(d.get()), "cudnnBackendFinalize"); }

// The operation graph's and the plan's handle attributes are deprecated in favour of a device-property
// descriptor (cuDNN 9.8); the handle form works in every cuDNN 9, the GPU machine's and Jetsons' alike.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
constexpr cudnnBackendAttributeName_t kGraphHandle = CUDNN_ATTR_OPERATIONGRAPH_HANDLE;
constexpr cudnnBackendAttributeName_t kPlanHandle = CUDNN_ATTR_EXECUTION_PLAN_HANDLE;
#pragma GCC diagnostic pop

enum Uid : int64_t { kX = 1, kW, kBias, kSum, kY, kFirstVirtual = 100 };

// The largest power of two up to 16 that divides every address: engines with vector loads need it declared.
int64_t common_alignment(const GraphConvBuffers& b) {
  uintptr_t bits = 16;
  for (const void* p : {b.x, b.w, b.bias, b.sum, static_cast<const void*>(b.y)})
    if (p) bits |= reinterpret_cast<uintptr_t>(p);
  return static_cast<int64_t>(bits & (~bits + 1));
}

// Builds the descriptors of one graph; owns them until the chosen plan's owner takes them.
class GraphBuilder {
 public:
  GraphBuilder(const GraphConvShape& s, int64_t alignment) : s_(s), alignment_(alignment) {}

  // A tensor of logical dims [n, c, h, w] lying channels-last.
  Result<cudnnBackendDescriptor_t> tensor(int64_t uid, bool real, std::array<int64_t, 4> d) {
    const cudnnDataType_t type = !real ? CUDNN_DATA_FLOAT : s_.half ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
    ES_ASSIGN_OR_RETURN(Descriptor t, make(CUDNN_BACKEND_TENSOR_DESCRIPTOR));
    const bool is_virtual = !real;
    const int64_t elem = real && s_.half ? 2 : 4;
    ES_TRY(set(t, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, {type}));
    ES_TRY(set(t, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, {d[0], d[1], d[2], d[3]}));
    ES_TRY(set(t, CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, {d[1] * d[2] * d[3], int64_t{1}, d[3] * d[1], d[1]}));
    ES_TRY(set(t, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, {uid}));
    ES_TRY(set(t, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, {real ? alignment_ : elem}));
    ES_TRY(set(t, CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, {is_virtual}));
    ES_TRY(finalize(t));
    return keep(std::move(t));
  }

  Result<cudnnBackendDescriptor_t> convolution(cudnnBackendDescriptor_t x, cudnnBackendDescriptor_t w,
                                               cudnnBackendDescriptor_t y) {
    ES_ASSIGN_OR_RETURN(Descriptor conv, make(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR));
    ES_TRY(set(conv, CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, {CUDNN_DATA_FLOAT}));
    ES_TRY(set(conv, CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, {CUDNN_CROSS_CORRELATION}));
    ES_TRY(set(conv, CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, {int64_t{2}}));
    ES_TRY(set(conv, CUDNN_ATTR_CONVOLUTION_DILATIONS, CUDNN_TYPE_INT64, {int64_t{s_.dil_h}, int64_t{s_.dil_w}}));
    ES_TRY(set(conv, CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, CUDNN_TYPE_INT64,
               {int64_t{s_.stride_h}, int64_t{s_.stride_w}}));
    ES_TRY(set(conv, CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64, {int64_t{s_.pad_h}, int64_t{s_.pad_w}}));
    ES_TRY(set(conv, CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, CUDNN_TYPE_INT64, {int64_t{s_.pad_h}, int64_t{s_.pad_w}}));
    ES_TRY(finalize(conv));
    ES_ASSIGN_OR_RETURN(Descriptor op, make(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR));
    ES_TRY(set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, CUDNN_TYPE_BACKEND_DESCRIPTOR, {x}));
    ES_TRY(set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, CUDNN_TYPE_BACKEND_DESCRIPTOR, {w}));
    ES_TRY(set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, CUDNN_TYPE_BACKEND_DESCRIPTOR, {y}));
    ES_TRY(set_descriptor(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, conv));
    ES_TRY(set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, {1.f}));
    ES_TRY(set(op, CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, {0.f}));
    ES_TRY(finalize(op));
    keep(std::move(conv));
    return add_op(std::move(op));
  }

  // y = mode(x[, b]); ReLU with an upper clip where `upper` is finite.
  Status pointwise(cudnnPointwiseMode_t mode, cudnnBackendDescriptor_t x, cudnnBackendDescriptor_t b,
                   cudnnBackendDescriptor_t y, double upper = std::numeric_limits<double>::infinity()) {
    ES_ASSIGN_OR_RETURN(Descriptor pw, make(CUDNN_BACKEND_POINTWISE_DESCRIPTOR));
    ES_TRY(set(pw, CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, {mode}));
    ES_TRY(set(pw, CUDNN_ATTR_POINTWISE_MATH_PREC, CUDNN_TYPE_DATA_TYPE, {CUDNN_DATA_FLOAT}));
    if (upper != std::numeric_limits<double>::infinity())
      ES_TRY(set(pw, CUDNN_ATTR_POINTWISE_RELU_UPPER_CLIP, CUDNN_TYPE_DOUBLE, {upper}));
    ES_TRY(finalize(pw));
    ES_ASSIGN_OR_RETURN(Descriptor op, make(CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR));
    ES_TRY(set_descriptor(op, CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, pw));
    ES_TRY(set(op, CUDNN_ATTR_OPERATION_POINTWISE_XDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, {x}));
    if (b) ES_TRY(set(op, CUDNN_ATTR_OPERATION_POINTWISE_BDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, {b}));
    ES_TRY(set(op, CUDNN_ATTR_OPERATION_POINTWISE_YDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, {y}));
    ES_TRY(finalize(op));
    keep(std::move(pw));
    add_op(std::move(op));
    return Status::ok_status();
  }

  Result<Descriptor> operation_graph(cudnnHandle_t handle) {
    ES_ASSIGN_OR_RETURN(Descriptor graph, make(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR));
    ES_TRY(set(graph, kGraphHandle, CUDNN_TYPE_HANDLE, {handle}));
    ES_CUDA_TRY(cudnnBackendSetAttribute(graph.get(), CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR,
                                         static_cast<int64_t>(ops_.size()), ops_.data()));
    ES_TRY(finalize(graph));
    return graph;
  }

  std::vector<Descriptor>& owned() { return owned_; }

 private:
  cudnnBackendDescriptor_t keep(Descriptor d) {
    owned_.push_back(std::move(d));
    return owned_.back().get();
  }
  cudnnBackendDescriptor_t add_op(Descriptor d) {
    ops_.push_back(d.get());
    return keep(std::move(d));
  }

  const GraphConvShape& s_;
  int64_t alignment_;
  std::vector<Descriptor> owned_;
  std::vector<cudnnBackendDescriptor_t> ops_;
};

// ReLU, or a Clip from 0 (ReLU6), as cuDNN's ReLU with an upper clip; anything else is not fused.
std::optional<double> relu_upper_clip(const UnaryFn& act) {
  if (act.op == Unary::relu) return std::numeric_limits<double>::infinity();
  if (act.op == Unary::clip && act.a == 0.f) return static_cast<double>(act.b);
  return std::nullopt;
}

// Engines whose numbers would differ from the f32-accumulating convolution the other forms compute: inputs
// rounded below the tensors' type, reductions in f16, Winograd/FFT transforms, nondeterministic ones.
Result<bool> numerically_acceptable(const Descriptor& engine) {
  std::array<cudnnBackendNumericalNote_t, CUDNN_NUMERICAL_NOTE_TYPE_COUNT> notes{};
  int64_t count = 0;
  ES_CUDA_TRY(cudnnBackendGetAttribute(engine.get(), CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, CUDNN_TYPE_NUMERICAL_NOTE,
                                       static_cast<int64_t>(notes.size()), &count, notes.data()));
  for (int64_t i = 0; i < count; ++i) {
    switch (notes[static_cast<size_t>(i)]) {
      case CUDNN_NUMERICAL_NOTE_DOWN_CONVERT_INPUTS:
      case CUDNN_NUMERICAL_NOTE_REDUCED_PRECISION_REDUCTION:
      case CUDNN_NUMERICAL_NOTE_FFT:
      case CUDNN_NUMERICAL_NOTE_NONDETERMINISTIC:
      case CUDNN_NUMERICAL_NOTE_WINOGRAD:
      case CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_4x4:
      case CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_6x6:
      case CUDNN_NUMERICAL_NOTE_WINOGRAD_TILE_13x13: return false;
      default: break;
    }
  }
  return true;
}

// Engines that compile their kernel when the plan is made (cuDNN's runtime fusion, through NVRTC) take up to
// a second each: with them, ResNet-50's compile took 40 s instead of 2 on the H100.
Result<bool> compiles_at_runtime(const Descriptor& engine) {
  std::array<cudnnBackendBehaviorNote_t, CUDNN_BEHAVIOR_NOTE_TYPE_COUNT> notes{};
  int64_t count = 0;
  ES_CUDA_TRY(cudnnBackendGetAttribute(engine.get(), CUDNN_ATTR_ENGINE_BEHAVIOR_NOTE, CUDNN_TYPE_BEHAVIOR_NOTE,
                                       static_cast<int64_t>(notes.size()), &count, notes.data()));
  return std::find(notes.begin(), notes.begin() + count, CUDNN_BEHAVIOR_NOTE_RUNTIME_COMPILATION) !=
         notes.begin() + count;
}

// The engine configurations cuDNN's heuristics propose for `graph`, best first.
Result<std::vector<Descriptor>> proposed_configs(const Descriptor& graph, cudnnBackendHeurMode_t mode) {
  ES_ASSIGN_OR_RETURN(Descriptor heur, make(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR));
  ES_TRY(set_descriptor(heur, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, graph));
  ES_TRY(set(heur, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, {mode}));
  ES_TRY(finalize(heur));
  int64_t count = 0;
  ES_CUDA_TRY(cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, 0,
                                       &count, nullptr));
  std::vector<Descriptor> configs;
  std::vector<cudnnBackendDescriptor_t> raw;
  for (int64_t i = 0; i < count; ++i) {
    ES_ASSIGN_OR_RETURN(Descriptor c, make(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR));
    raw.push_back(c.get());
    configs.push_back(std::move(c));
  }
  if (count == 0) return configs;
  int64_t returned = 0;
  ES_CUDA_TRY(cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR,
                                       count, &returned, raw.data()));
  configs.resize(static_cast<size_t>(std::min(returned, count)));
  return configs;
}

struct Candidate {
  Descriptor plan;
  int64_t engine_index = -1;
  size_t workspace = 0;
};

// The plan of one configuration, if its engine suits and the plan finalizes within the workspace.
Result<std::optional<Candidate>> plan_for(cudnnHandle_t handle, const Descriptor& config, size_t workspace_limit) {
  ES_ASSIGN_OR_RETURN(Descriptor engine, make(CUDNN_BACKEND_ENGINE_DESCRIPTOR));
  cudnnBackendDescriptor_t engine_raw = engine.get();
  int64_t n = 0;
  ES_CUDA_TRY(cudnnBackendGetAttribute(config.get(), CUDNN_ATTR_ENGINECFG_ENGINE, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1,
                                       &n, &engine_raw));
  ES_ASSIGN_OR_RETURN(const bool acceptable, numerically_acceptable(engine));
  ES_ASSIGN_OR_RETURN(const bool compiles, compiles_at_runtime(engine));
  if (!acceptable || compiles) return std::optional<Candidate>();
  Candidate c;
  ES_CUDA_TRY(cudnnBackendGetAttribute(engine.get(), CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1, &n,
                                       &c.engine_index));
  ES_ASSIGN_OR_RETURN(c.plan, make(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR));
  ES_TRY(set(c.plan, kPlanHandle, CUDNN_TYPE_HANDLE, {handle}));
  ES_TRY(set_descriptor(c.plan, CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, config));
  // A configuration that does not finalize is one this graph, shape or GPU does not support: the next one.
  if (cudnnBackendFinalize(c.plan.get()) != CUDNN_STATUS_SUCCESS) return std::optional<Candidate>();
  int64_t workspace = 0;
  ES_CUDA_TRY(cudnnBackendGetAttribute(c.plan.get(), CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, CUDNN_TYPE_INT64, 1,
                                       &n, &workspace));
  c.workspace = static_cast<size_t>(workspace);
  if (c.workspace > workspace_limit) return std::optional<Candidate>();
  return std::optional<Candidate>(std::move(c));
}

Result<Descriptor> variant_pack(const GraphConvBuffers& b, void* workspace) {
  std::vector<int64_t> uids{kX, kW, kY};
  std::vector<void*> pointers{const_cast<void*>(b.x), const_cast<void*>(b.w), b.y};
  if (b.bias) {
    uids.push_back(kBias);
    pointers.push_back(const_cast<void*>(b.bias));
  }
  if (b.sum) {
    uids.push_back(kSum);
    pointers.push_back(const_cast<void*>(b.sum));
  }
  ES_ASSIGN_OR_RETURN(Descriptor pack, make(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR));
  ES_CUDA_TRY(cudnnBackendSetAttribute(pack.get(), CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64,
                                       static_cast<int64_t>(uids.size()), uids.data()));
  ES_CUDA_TRY(cudnnBackendSetAttribute(pack.get(), CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR,
                                       static_cast<int64_t>(pointers.size()), pointers.data()));
  ES_TRY(set(pack, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, {workspace}));
  ES_TRY(finalize(pack));
  return pack;
}

}  // namespace

GraphConv::~GraphConv() {
  for (void* d : {plan_, pack_})
    if (d) cudnnBackendDestroyDescriptor(d);
  for (void* d : owned_) cudnnBackendDestroyDescriptor(d);
}

Status GraphConv::prepare(const Context& ctx, const GraphConvShape& s, const GraphConvBuffers& buffers,
                          size_t& workspace_bytes) {
  GraphBuilder g(s, common_alignment(buffers));
  ES_ASSIGN_OR_RETURN(auto x, g.tensor(kX, true, {s.n, s.c, s.h, s.w}));
  ES_ASSIGN_OR_RETURN(auto w, g.tensor(kW, true, {s.k, s.c, s.kh, s.kw}));
  ES_ASSIGN_OR_RETURN(auto y, g.tensor(kY, true, {s.n, s.k, s.oh, s.ow}));
  const std::optional<double> clip = relu_upper_clip(s.act);
  fuses_activation_ = s.act.op == Unary::identity || clip.has_value();
  const int epilogue_ops = int{s.bias} + int{s.sum} + int{s.act.op != Unary::identity && clip.has_value()};
  // Each op writes the next virtual f32 tensor, the last one writes y.
  int64_t next_uid = kFirstVirtual;
  int remaining = epilogue_ops;
  auto output = [&]() -> Result<cudnnBackendDescriptor_t> {
    if (remaining-- == 0) return y;
    return g.tensor(next_uid++, false, {s.n, s.k, s.oh, s.ow});
  };
  ES_ASSIGN_OR_RETURN(cudnnBackendDescriptor_t value, output());
  ES_TRY(g.convolution(x, w, value).status());
  if (s.bias) {
    ES_ASSIGN_OR_RETURN(auto bias, g.tensor(kBias, true, {1, s.k, 1, 1}));
    ES_ASSIGN_OR_RETURN(auto out, output());
    ES_TRY(g.pointwise(CUDNN_POINTWISE_ADD, value, bias, out));
    value = out;
  }
  if (s.sum) {
    ES_ASSIGN_OR_RETURN(auto sum, g.tensor(kSum, true, {s.n, s.k, s.oh, s.ow}));
    ES_ASSIGN_OR_RETURN(auto out, output());
    ES_TRY(g.pointwise(CUDNN_POINTWISE_ADD, value, sum, out));
    value = out;
  }
  if (s.act.op != Unary::identity && clip) {
    ES_ASSIGN_OR_RETURN(auto out, output());
    ES_TRY(g.pointwise(CUDNN_POINTWISE_RELU_FWD, value, nullptr, out, *clip));
  }
  ES_ASSIGN_OR_RETURN(Descriptor graph, g.operation_graph(ctx.cudnn));

  // Heuristic mode A proposes the fast engines, best first; the fallback list, engines that run any graph
  // (measured 0.5-15 ms where mode A's took 0.01-0.1 ms), only where mode A has none.
  constexpr int kMaxTimed = 4;
  std::vector<Candidate> candidates;
  for (cudnnBackendHeurMode_t mode : {CUDNN_HEUR_MODE_A, CUDNN_HEUR_MODE_FALLBACK}) {
    if (!candidates.empty()) break;
    Result<std::vector<Descriptor>> configs = proposed_configs(graph, mode);
    if (!configs.ok()) continue;  // a mode without proposals for this graph
    for (const Descriptor& config : *configs) {
      if (candidates.size() == kMaxTimed) break;
      ES_ASSIGN_OR_RETURN(std::optional<Candidate> c, plan_for(ctx.cudnn, config, ctx.workspace_bytes));
      const bool seen = c && std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& other) {
                          return other.engine_index == c->engine_index;
                        });
      if (c && !seen) candidates.push_back(std::move(*c));
    }
  }
  float best_ms = std::numeric_limits<float>::infinity();
  size_t best = candidates.size();
  for (size_t i = 0; i < candidates.size(); ++i) {
    plan_ = candidates[i].plan.get();
    const Result<float> ms = time_enqueued(ctx, [&] { return run(ctx, buffers); });
    log::debug("cuDNN graph engine {}: {}", candidates[i].engine_index,
               ms.ok() ? fmt::format("{:.4f} ms", *ms) : ms.status().message());
    if (ms.ok() && *ms < best_ms) {
      best_ms = *ms;
      best = i;
    }
  }
  plan_ = nullptr;
  if (pack_) cudnnBackendDestroyDescriptor(std::exchange(pack_, nullptr));
  if (best == candidates.size()) return error(StatusCode::unsupported, "no cuDNN engine runs this convolution graph");
  plan_ = candidates[best].plan.release();
  workspace_bytes = candidates[best].workspace;
  engine_ = fmt::format("eng{}", candidates[best].engine_index);
  for (Descriptor& d : g.owned()) owned_.push_back(d.release());
  return Status::ok_status();
}

Status GraphConv::bind(const Context& ctx, const GraphConvBuffers& b) {
  const std::array<const void*, 6> now{b.x, b.w, b.bias, b.sum, b.y, ctx.workspace};
  if (pack_ && now == bound_) return Status::ok_status();
  ES_ASSIGN_OR_RETURN(Descriptor pack, variant_pack(b, ctx.workspace));
  if (pack_) cudnnBackendDestroyDescriptor(pack_);
  pack_ = pack.release();
  bound_ = now;
  return Status::ok_status();
}

Status GraphConv::run(const Context& ctx, const GraphConvBuffers& buffers) {
  ES_TRY(bind(ctx, buffers));
  ES_CUDA_TRY(cudnnBackendExecute(ctx.cudnn, plan_, pack_));
  return Status::ok_status();
}

}  // namespace es::cuda
