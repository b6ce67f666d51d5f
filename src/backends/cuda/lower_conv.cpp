// Conv and FusedConv on cuDNN's legacy API. The algorithm is chosen once (cudnnFindConvolutionForwardAlgorithmEx
// runs the candidates on the real buffers). Bias + ReLU (+ residual) use cuDNN's fused call; every other
// epilogue (Clip, HardSwish, LeakyRelu, Sigmoid, ...) runs the convolution, then one bias/sum/activation kernel.
// FP16: f16 data in NHWC (filters KRSC) with f32 accumulation on tensor cores, where the storage plan
// could give the convolution its own filter; a shared filter keeps NCHW. TF32 and FP32: f32 data, NHWC
// likewise (FP32 with FMA math only, no tensor cores). Two NHWC shapes skip cuDNN,
// whose legacy-API kernels for them measured slow on the H100 (docs/benchmarks.md): a 1x1, stride-1,
// unpadded convolution is the matrix product [N*H*W, C] x [C, K] on cuBLASLt with bias, ReLU and residual
// in its epilogue (epilogue_gemm.h), and a depthwise one is an own kernel with the epilogue fused.
// Any other NHWC convolution whose im2col matrix fits in half the shared workspace is also tried as im2col +
// that product: at small spatial sizes cuDNN's kernels leave most SMs idle where cuBLASLt splits the
// reduction. With tensor cores (FP16, TF32) every NHWC convolution is also tried as a cuDNN operation graph
// with its epilogue (graph_conv.h), whose engines include the implicit-GEMM kernels that never write an
// im2col matrix. All forms prepared are timed on the real buffers and the fastest kept.
// A convolution with fewer than 8 input channels (an RGB stem) copies its input, as it lies, into its own
// NHWC buffer, and its filter likewise once; with tensor cores (FP16, TF32) the channels are zero-padded to
// a multiple of 4 there. cuDNN's 3-channel NHWC kernel measured 0.39 ms for ResNet-50's 7x7 stem at batch 32
// in FP16 on the H100 (Nsight Compute), a quarter of the whole network; padded, its tensor-core kernels run
// it (whole network, compute: 1.82 ms before, 1.26 ms padded to 8 channels, 1.12 ms padded to 4). FP32's FMA
// kernels would only do the padding's extra work (batch 32, padded to 8: 8.54 -> 9.02 ms), so FP32 keeps
// the real channel count.
#include "backends/cpu/window.h"
#include "backends/cuda/device_buffer.h"
#include "backends/cuda/epilogue_gemm.h"
#include "backends/cuda/graph_conv.h"
#include "backends/cuda/lowering.h"
#include "backends/cuda/step_timing.h"
#include "backends/cuda/storage_plan.h"
#include "base/log.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <memory>

namespace es::cuda {

namespace {

const char* algo_name(cudnnConvolutionFwdAlgo_t algo) {
  switch (algo) {
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM: return "implicit_gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM: return "implicit_precomp_gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_GEMM: return "gemm";
    case CUDNN_CONVOLUTION_FWD_ALGO_DIRECT: return "direct";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT: return "fft";
    case CUDNN_CONVOLUTION_FWD_ALGO_FFT_TILING: return "fft_tiling";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD: return "winograd";
    case CUDNN_CONVOLUTION_FWD_ALGO_WINOGRAD_NONFUSED: return "winograd_nonfused";
    default: return "other";
  }
}

struct ConvGeometry {
  int n, c, h, w, k, kh, kw, oh, ow, pad_h, pad_w, stride_h, stride_w, dil_h, dil_w, group;
};

constexpr int kPackBelowChannels = 8;  // convolutions with fewer input channels pack their input
constexpr int kPaddedChannelMultiple = 4;

// Copies a [d0, c, d2, d3] tensor stored with `from` strides into [d0, d2, d3, packed] (channels last,
// channels c..packed left as they are: zero), converting nothing else.
void launch_pack_channels(cudaStream_t stream, bool half, const void* src, Strides from, void* dst,
                          std::array<int64_t, 4> dims, int64_t packed) {
  Dims shape{4, {dims[0], dims[1], dims[2], dims[3]}};
  Strides to;
  to.step[0] = dims[2] * dims[3] * packed;
  to.step[1] = 1;
  to.step[2] = dims[3] * packed;
  to.step[3] = packed;
  order_by_destination(shape, to, {&from});
  launch_convert(stream, src, half, from, dst, half, to, shape);
}

class ConvStep final : public Step {
  // The forms a convolution may take (implementation() names them).
  enum class Kind { cudnn, gemm, im2col, graph, depthwise };

 public:
  ConvGeometry g{};
  ValueId x = kNoValue, weights = kNoValue, bias = kNoValue, sum = kNoValue, y = kNoValue;
  UnaryFn act;
  float input_max = std::numeric_limits<float>::infinity();  // the depthwise kernel clamps its input here
  bool half = false, nhwc = false;
  int input_channels = 0;  // > 0: the step packs its input itself (g.c becomes the packed channel count)

  LayoutRule layout_rule() const override { return input_channels > 0 ? LayoutRule::nhwc_output : LayoutRule::nhwc; }
  void configure(const Graph& graph, const std::vector<Storage>& storage) override {
    half = storage[static_cast<size_t>(y)].half;
    nhwc = input_channels > 0 || storage[static_cast<size_t>(weights)].nhwc;
    if (input_channels == 0) return;
    x_strides_ = stored_strides(graph.value(x).shape, storage[static_cast<size_t>(x)]);
    w_strides_ = stored_strides(graph.value(weights).shape, storage[static_cast<size_t>(weights)]);
  }

  ~ConvStep() override {
    if (x_desc_) cudnnDestroyTensorDescriptor(x_desc_);
    if (y_desc_) cudnnDestroyTensorDescriptor(y_desc_);
    if (bias_desc_) cudnnDestroyTensorDescriptor(bias_desc_);
    if (w_desc_) cudnnDestroyFilterDescriptor(w_desc_);
    if (conv_desc_) cudnnDestroyConvolutionDescriptor(conv_desc_);
    if (act_desc_) cudnnDestroyActivationDescriptor(act_desc_);
  }

  // The backend's own depthwise kernel runs it (decided once configure() has the storage).
  bool depthwise() const { return nhwc && g.group == g.c && g.k == g.c; }
  // Clip(lo = 0, hi): a ReLU6-style epilogue, whose upper bound a reader may apply instead.
  bool clips_at_zero_and_above() const { return act.op == Unary::clip && act.a == 0 && std::isfinite(act.b); }

  Status prepare(const Context& ctx, size_t& workspace_bytes) override {
    if (input_channels > 0) {
      const int multiple = half || ctx.tf32 ? kPaddedChannelMultiple : 1;
      g.c = (input_channels + multiple - 1) / multiple * multiple;
      ES_TRY(prepare_packing(ctx));
    }
    if (depthwise()) {
      kind_ = Kind::depthwise;
      return prepare_depthwise_taps(ctx);
    }
    // The first form prepared is the one kept when no other is prepared or timed.
    std::vector<Kind> forms;
    if (nhwc && g.group == 1 && g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 &&
        g.pad_w == 0) {
      const DeviceMemory& m = *ctx.memory;
      const EpilogueGemmShape shape{g.n * g.h * g.w, g.c, g.k, half, bias != kNoValue, sum != kNoValue, act.op};
      ES_TRY(gemm_.prepare(ctx, shape, input(m), filter(m), bias != kNoValue ? m.data(bias) : nullptr,
                           sum != kNoValue ? m.data(sum) : nullptr, m.data(y), workspace_[size_t(Kind::gemm)]));
      forms.push_back(Kind::gemm);
    } else {
      ES_TRY(prepare_cudnn(ctx));
      forms.push_back(Kind::cudnn);
      if (wants(ctx, ConvForm::im2col) && prepare_im2col(ctx)) forms.push_back(Kind::im2col);
    }
    if (wants(ctx, ConvForm::graph) && prepare_graph(ctx)) forms.push_back(Kind::graph);
    kind_ = forms.back();  // a forced form, where it could be prepared
    if (ctx.conv_form == ConvForm::fastest && forms.size() > 1) ES_TRY(keep_fastest(ctx, forms));
    workspace_bytes = workspace_[size_t(kind_)];
    return Status::ok_status();
  }

  // The form prepare() chose, and the own kernel that follows where the library call does not end with the
  // epilogue: "cudnn:ALGO[+epilogue]", "cudnn-graph:ENGINE[+act]", "im2col+cublaslt[+act]", "cublaslt[+act]",
  // "edgescope" (depthwise).
  std::string implementation() const override {
    switch (kind_) {
      case Kind::depthwise: return "edgescope";
      case Kind::gemm:
      case Kind::im2col: {
        const std::string product = kind_ == Kind::im2col ? "im2col+cublaslt" : "cublaslt";
        return gemm_.fuses_activation() ? product : product + "+act";
      }
      case Kind::graph: {
        const std::string graph = "cudnn-graph:" + graph_.engine();
        return graph_.fuses_activation() ? graph : graph + "+act";
      }
      case Kind::cudnn: {
        const bool epilogue = !fused_ && (bias != kNoValue || sum != kNoValue || act.op != Unary::identity);
        return "cudnn:" + std::string(algo_name(algo_)) + (epilogue ? "+epilogue" : "");
      }
    }
    return "";
  }

  Status run(const Context& ctx) override {
    const DeviceMemory& m = *ctx.memory;
    if (input_channels > 0) {
      launch_pack_channels(ctx.stream, half, m.data(x), x_strides_, packed_x_.get(),
                           {g.n, input_channels, g.h, g.w}, g.c);
      ES_TRY(check(cudaGetLastError(), name.c_str()));
    }
    if (kind_ == Kind::depthwise) {
      const Depthwise2d p{half, act, g.n, g.c, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.stride_h, g.stride_w,
                          g.pad_h, g.pad_w, g.dil_h, g.dil_w, input_max};
      launch_depthwise_nhwc(ctx.stream, p, input(m), taps_w_.get(), bias != kNoValue ? m.data(bias) : nullptr,
                            sum != kNoValue ? m.data(sum) : nullptr, m.data(y));
      return check(cudaGetLastError(), name.c_str());
    }
    if (kind_ == Kind::graph) {
      ES_TRY(graph_.run(ctx, graph_buffers(m)));
      return graph_.fuses_activation() ? Status::ok_status() : activation_after(ctx);
    }
    if (kind_ == Kind::gemm || kind_ == Kind::im2col) {
      const void* a = input(m);
      if (kind_ == Kind::im2col) {
        const Im2col p{half ? 2 : 4, g.n, g.c, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.stride_h, g.stride_w,
                       g.pad_h, g.pad_w, g.dil_h, g.dil_w};
        launch_im2col_nhwc(ctx.stream, p, a, ctx.workspace);
        ES_TRY(check(cudaGetLastError(), name.c_str()));
        a = ctx.workspace;
      }
      ES_TRY(gemm_.run(gemm_context(ctx), a, filter(m), sum != kNoValue ? m.data(sum) : nullptr, m.data(y)));
      // cuBLASLt's epilogues have no Clip (ReLU6), Sigmoid, HardSwish, LeakyRelu, ...: bias and residual are
      // in the product, the activation follows in place.
      return gemm_.fuses_activation() ? Status::ok_status() : activation_after(ctx);
    }
    if (fused_) return run_fused(ctx);
    const float one = 1.f, zero = 0.f;
    ES_CUDA_TRY(cudnnConvolutionForward(ctx.cudnn, &one, x_desc_, input(m), w_desc_, filter(m), conv_desc_,
                                        algo_, ctx.workspace, ctx.workspace_bytes, &zero, y_desc_, m.data(y)));
    if (bias == kNoValue && sum == kNoValue && act.op == Unary::identity) return Status::ok_status();
    launch_bias_act(ctx.stream, half, nhwc, m.data(y), bias != kNoValue ? m.data(bias) : nullptr,
                    sum != kNoValue ? m.data(sum) : nullptr, act, g.n, g.k, int64_t{g.oh} * g.ow);
    return check(cudaGetLastError(), name.c_str());
  }

 protected:
  void rebind_fields(ValueId from, ValueId to) override {
    if (x == from) x = to;
    if (sum == from) sum = to;
  }

 private:
  // What the convolution reads: the packed copies where the step packs its input.
  const void* input(const DeviceMemory& m) const { return input_channels > 0 ? packed_x_.get() : m.data(x); }
  const void* filter(const DeviceMemory& m) const { return input_channels > 0 ? packed_w_.get() : m.data(weights); }

  // The packed input's buffer (its padding channels zero), and the filter packed once (KRSC, padded likewise).
  Status prepare_packing(const Context& ctx) {
    const size_t elem = half ? 2 : 4;
    ES_ASSIGN_OR_RETURN(packed_x_, zeroed_device_buffer(size_t(g.n) * g.h * g.w * g.c * elem, ctx.stream));
    ES_ASSIGN_OR_RETURN(packed_w_, zeroed_device_buffer(size_t(g.k) * g.kh * g.kw * g.c * elem, ctx.stream));
    launch_pack_channels(ctx.stream, half, ctx.memory->data(weights), w_strides_, packed_w_.get(),
                         {g.k, input_channels, g.kh, g.kw}, g.c);
    return check(cudaGetLastError(), name.c_str());
  }

  // The depthwise kernel reads its filter tap-major, [kh, kw, c]: the [c, 1, kh, kw] filter transposed once.
  Status prepare_depthwise_taps(const Context& ctx) {
    const int64_t taps = int64_t{g.kh} * g.kw;
    ES_ASSIGN_OR_RETURN(taps_w_, zeroed_device_buffer(size_t(taps) * g.c * (half ? 2 : 4), ctx.stream));
    Strides from, to;
    from.step[0] = taps, from.step[1] = 1;
    to.step[0] = 1, to.step[1] = g.c;
    launch_strided_copy(ctx.stream, half ? 2 : 4, filter(*ctx.memory), 0, from, taps_w_.get(), 0, to, Dims{2, {g.c, taps}});
    return check(cudaGetLastError(), name.c_str());
  }

  Status prepare_cudnn(const Context& ctx) {
    ES_CUDA_TRY(cudnnCreateTensorDescriptor(&x_desc_));
    ES_CUDA_TRY(cudnnCreateTensorDescriptor(&y_desc_));
    ES_CUDA_TRY(cudnnCreateTensorDescriptor(&bias_desc_));
    ES_CUDA_TRY(cudnnCreateFilterDescriptor(&w_desc_));
    ES_CUDA_TRY(cudnnCreateConvolutionDescriptor(&conv_desc_));
    ES_CUDA_TRY(cudnnCreateActivationDescriptor(&act_desc_));
    const cudnnDataType_t type = half ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
    const cudnnTensorFormat_t format = nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
    ES_CUDA_TRY(cudnnSetTensor4dDescriptor(x_desc_, format, type, g.n, g.c, g.h, g.w));
    ES_CUDA_TRY(cudnnSetTensor4dDescriptor(y_desc_, format, type, g.n, g.k, g.oh, g.ow));
    ES_CUDA_TRY(cudnnSetTensor4dDescriptor(bias_desc_, CUDNN_TENSOR_NCHW, type, 1, g.k, 1, 1));
    ES_CUDA_TRY(cudnnSetFilter4dDescriptor(w_desc_, type, format, g.k, g.c / g.group, g.kh, g.kw));
    // Accumulation is f32 in every precision (FP16 data: cuDNN's "pseudo-half" configuration).
    ES_CUDA_TRY(cudnnSetConvolution2dDescriptor(conv_desc_, g.pad_h, g.pad_w, g.stride_h, g.stride_w, g.dil_h, g.dil_w,
                                                CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    ES_CUDA_TRY(cudnnSetConvolutionGroupCount(conv_desc_, g.group));
    // FP32 keeps full-precision FMA math; TF32 and FP16 let cuDNN use tensor cores.
    const cudnnMathType_t math = half ? CUDNN_TENSOR_OP_MATH : ctx.tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
    ES_CUDA_TRY(cudnnSetConvolutionMathType(conv_desc_, math));
    ES_CUDA_TRY(cudnnSetActivationDescriptor(act_desc_, CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0));

    constexpr int kCandidates = 8;
    cudnnConvolutionFwdAlgoPerf_t perf[kCandidates];
    int found = 0;
    const DeviceMemory& m = *ctx.memory;
    ES_CUDA_TRY(cudnnFindConvolutionForwardAlgorithmEx(ctx.cudnn, x_desc_, input(m), w_desc_, filter(m),
                                                        conv_desc_, y_desc_, m.data(y), kCandidates, &found, perf,
                                                        ctx.workspace, ctx.workspace_bytes));
    for (int i = 0; i < found; ++i) {
      if (perf[i].status != CUDNN_STATUS_SUCCESS) continue;
      algo_ = perf[i].algo;
      ES_CUDA_TRY(cudnnSetConvolutionMathType(conv_desc_, math == CUDNN_FMA_MATH ? CUDNN_FMA_MATH : perf[i].mathType));
      workspace_[size_t(Kind::cudnn)] = perf[i].memory;
      // cuDNN runs bias + ReLU (+ z) fused only with a bias; identity activation needs IMPLICIT_PRECOMP_GEMM.
      // Not every algorithm and type combination has the fused form: one trial call decides.
      fused_ = bias != kNoValue && act.op == Unary::relu;
      if (fused_ && !run_fused(ctx).ok()) fused_ = false;
      return Status::ok_status();
    }
    return error(StatusCode::unsupported, "layer '{}': cuDNN found no convolution algorithm", name);
  }

  // Whether a form other than the first may be tried: every one when the fastest is wanted, else the forced one.
  bool wants(const Context& ctx, ConvForm form) const {
    return nhwc && g.group == 1 && (ctx.conv_form == ConvForm::fastest || ctx.conv_form == form);
  }

  // im2col + one cuBLASLt product, where the im2col matrix fits in half the shared workspace.
  bool prepare_im2col(const Context& ctx) {
    constexpr size_t kAlign = 256;
    const size_t rows = size_t(g.n) * g.oh * g.ow, cols = size_t(g.kh) * g.kw * g.c;
    col_bytes_ = (rows * cols * (half ? 2 : 4) + kAlign - 1) / kAlign * kAlign;
    if (col_bytes_ > ctx.workspace_bytes / 2) return false;
    const DeviceMemory& m = *ctx.memory;
    const EpilogueGemmShape shape{static_cast<int>(rows), static_cast<int>(cols), g.k, half, bias != kNoValue,
                                  sum != kNoValue, act.op};
    size_t gemm_workspace = 0;
    const Context gemm_ctx = im2col_gemm_context(ctx);
    // No cuBLASLt algorithm for this product: the other forms it is.
    if (!gemm_.prepare(gemm_ctx, shape, gemm_ctx.workspace, filter(m), bias != kNoValue ? m.data(bias) : nullptr,
                       sum != kNoValue ? m.data(sum) : nullptr, m.data(y), gemm_workspace)
             .ok())
      return false;
    workspace_[size_t(Kind::im2col)] = col_bytes_ + gemm_workspace;
    return true;
  }

  // The convolution and its epilogue as one cuDNN operation graph (graph_conv.h), with tensor cores only.
  bool prepare_graph(const Context& ctx) {
    if (!half && !ctx.tf32) return false;
    const GraphConvShape shape{g.n,     g.c,     g.h,        g.w,        g.k,      g.kh,     g.kw,
                               g.oh,    g.ow,    g.pad_h,    g.pad_w,    g.stride_h, g.stride_w, g.dil_h,
                               g.dil_w, half,    bias != kNoValue, sum != kNoValue, act};
    const Status prepared = graph_.prepare(ctx, shape, graph_buffers(*ctx.memory), workspace_[size_t(Kind::graph)]);
    if (!prepared.ok()) log::debug("layer '{}': {}", name, prepared.message());
    return prepared.ok();
  }

  // Times every prepared form on the real buffers, alternated and the best of each kept, so that none pays
  // for a cold start, and keeps the fastest.
  Status keep_fastest(const Context& ctx, const std::vector<Kind>& forms) {
    std::vector<float> best(forms.size(), std::numeric_limits<float>::infinity());
    for (int round = 0; round < 2; ++round) {
      for (size_t i = 0; i < forms.size(); ++i) {
        kind_ = forms[i];
        ES_ASSIGN_OR_RETURN(const float ms, time_enqueued(ctx, [&] { return run(ctx); }));
        best[i] = std::min(best[i], ms);
      }
    }
    const size_t fastest = size_t(std::min_element(best.begin(), best.end()) - best.begin());
    kind_ = forms[fastest];
    log::debug("layer '{}': {} fastest, {:.4f} ms", name, implementation(), best[fastest]);
    return Status::ok_status();
  }

  // The im2col matrix takes the front of the shared workspace; the product's own workspace follows it.
  Context im2col_gemm_context(const Context& ctx) const {
    Context c = ctx;
    c.workspace = static_cast<std::byte*>(ctx.workspace) + col_bytes_;
    c.workspace_bytes = ctx.workspace_bytes - col_bytes_;
    return c;
  }
  Context gemm_context(const Context& ctx) const { return kind_ == Kind::im2col ? im2col_gemm_context(ctx) : ctx; }

  GraphConvBuffers graph_buffers(const DeviceMemory& m) const {
    return {input(m), filter(m), bias != kNoValue ? m.data(bias) : nullptr, sum != kNoValue ? m.data(sum) : nullptr,
            m.data(y)};
  }

  // The activation, in place, after a library call whose epilogue could not include it.
  Status activation_after(const Context& ctx) {
    launch_unary(ctx.stream, half, act, ctx.memory->data(y), ctx.memory->data(y), int64_t{g.n} * g.k * g.oh * g.ow);
    return check(cudaGetLastError(), name.c_str());
  }

  Status run_fused(const Context& ctx) {
    const DeviceMemory& m = *ctx.memory;
    const float one = 1.f, alpha2 = sum != kNoValue ? 1.f : 0.f;
    void* z = sum != kNoValue ? m.data(sum) : m.data(y);
    ES_CUDA_TRY(cudnnConvolutionBiasActivationForward(ctx.cudnn, &one, x_desc_, input(m), w_desc_, filter(m),
                                                      conv_desc_, algo_, ctx.workspace, ctx.workspace_bytes, &alpha2,
                                                      y_desc_, z, bias_desc_, m.data(bias), act_desc_, y_desc_,
                                                      m.data(y)));
    return Status::ok_status();
  }

  cudnnTensorDescriptor_t x_desc_ = nullptr, y_desc_ = nullptr, bias_desc_ = nullptr;
  cudnnFilterDescriptor_t w_desc_ = nullptr;
  cudnnConvolutionDescriptor_t conv_desc_ = nullptr;
  cudnnActivationDescriptor_t act_desc_ = nullptr;
  cudnnConvolutionFwdAlgo_t algo_ = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  bool fused_ = false;
  EpilogueGemm gemm_;  // Kind::gemm and Kind::im2col
  GraphConv graph_;    // Kind::graph
  size_t col_bytes_ = 0;  // Kind::im2col: the im2col matrix at the front of the workspace
  Strides x_strides_, w_strides_;  // packing: the input and filter as stored
  DeviceBuffer packed_x_, packed_w_, taps_w_;
  Kind kind_ = Kind::cudnn;
  std::array<size_t, 5> workspace_{};  // the shared workspace each prepared form uses, by Kind
};

std::optional<Lowered> lower_conv(const Graph& graph, const Node& node) {
  if (!all_f32(graph, node.inputs) || !all_f32(graph, node.outputs) || !node.has_input(1)) return std::nullopt;
  const Shape& xs = graph.value(node.inputs[0]).shape;
  const Shape& ws = graph.value(node.inputs[1]).shape;
  const Shape& ys = graph.value(node.outputs[0]).shape;
  if (xs.size() != 4 || ws.size() != 4 || ys.size() != 4) return std::nullopt;  // 2-D convolutions only
  std::optional<UnaryFn> act = node.op == OpKind::FusedConv ? fused_activation(node) : UnaryFn{Unary::identity};
  if (!act) return std::nullopt;
  const std::span<const int64_t> kernel(ws.data() + 2, 2), in(xs.data() + 2, 2), out(ys.data() + 2, 2);
  std::optional<cpu::Window> win = cpu::forward_window(node, kernel, in, out);
  if (!win || win->padding_l != win->padding_r) return std::nullopt;  // cuDNN pads symmetrically
  const int64_t group = node.attrs.get_int("group", 1);
  auto step = make_step<ConvStep>(node);
  auto i32 = [](int64_t v) { return static_cast<int>(v); };
  step->g = {i32(xs[0]), i32(xs[1]), i32(xs[2]), i32(xs[3]), i32(ws[0]), i32(ws[2]), i32(ws[3]), i32(ys[2]), i32(ys[3]),
             i32(win->padding_l[0]), i32(win->padding_l[1]), i32(win->strides[0]), i32(win->strides[1]),
             i32(win->dilations[0] + 1), i32(win->dilations[1] + 1), i32(group)};
  // The filter is packed once, when the step is prepared: only a constant one can be.
  if (group == 1 && xs[1] < kPackBelowChannels && graph.value(node.inputs[1]).is_initializer()) {
    step->input_channels = i32(xs[1]);
  }
  step->x = node.inputs[0];
  step->weights = node.inputs[1];
  step->bias = node.has_input(2) ? node.inputs[2] : kNoValue;
  step->sum = node.has_input(3) ? node.inputs[3] : kNoValue;
  step->y = node.outputs[0];
  step->act = *act;
  return Lowered{std::move(step)};
}

}  // namespace

std::optional<UnaryFn> fused_activation(const Node& node) {
  const std::string name = node.attrs.get_string("activation");
  const std::vector<float> p = node.attrs.get_floats("activation_params");
  auto param = [&](size_t i, float fallback) { return i < p.size() ? p[i] : fallback; };
  if (name.empty()) return UnaryFn{Unary::identity};
  if (name == "Relu") return UnaryFn{Unary::relu};
  if (name == "Clip")
    return UnaryFn{Unary::clip, param(0, -std::numeric_limits<float>::infinity()),
                   param(1, std::numeric_limits<float>::infinity())};
  if (name == "LeakyRelu") return UnaryFn{Unary::leaky_relu, param(0, 0.01f)};
  if (name == "Sigmoid") return UnaryFn{Unary::sigmoid};
  if (name == "HardSigmoid") return UnaryFn{Unary::hard_sigmoid, param(0, 0.2f), param(1, 0.5f)};
  if (name == "HardSwish") return UnaryFn{Unary::hard_swish};
  if (name == "Tanh") return UnaryFn{Unary::tanh};
  return std::nullopt;
}

void fold_upper_clips(Program& program) {
  std::map<ValueId, int> readers;
  for (const auto& step : program.steps) count_reads(*step, readers);
  for (ValueId o : program.graph->outputs) ++readers[o];
  std::map<ValueId, ConvStep*> clipped;  // by output: convolutions ending with Clip(0, hi)
  for (const auto& step : program.steps)
    if (auto* conv = dynamic_cast<ConvStep*>(step.get()); conv != nullptr && conv->clips_at_zero_and_above())
      clipped[conv->y] = conv;
  for (const auto& step : program.steps) {
    auto* reader = dynamic_cast<ConvStep*>(step.get());
    if (reader == nullptr || !reader->depthwise() || reader->sum == reader->x) continue;
    const auto producer = clipped.find(reader->x);
    if (producer == clipped.end() || readers[reader->x] != 1) continue;
    reader->input_max = producer->second->act.b;
    producer->second->act = UnaryFn{Unary::relu};
  }
}

void register_conv_lowerings(LoweringTable& table) {
  table[static_cast<size_t>(OpKind::Conv)] = lower_conv;
  table[static_cast<size_t>(OpKind::FusedConv)] = lower_conv;
}

}  // namespace es::cuda
