#include "placement/dla_rules.h"

#include "base/assert.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace es::placement {
namespace {

// Which releases a rule applies to.
enum : unsigned { k85 = 1, k86 = 2, k10 = 4, kAll = 7 };

struct RuleEntry {
  DlaRule rule;
  unsigned versions;
};

constexpr std::string_view kGuide85 = "TensorRT 8.5 developer guide, DLA supported layers (dla-rules.md §1.3)";
constexpr std::string_view kGuide84 = "TensorRT 8.4 developer guide ch. 12 (dla-rules.md §1.3)";
constexpr std::string_view kGeneral = "TensorRT DLA general restrictions 8.4/8.5/10.x (dla-rules.md §1.2)";
constexpr std::string_view kDlaSw = "NVIDIA Deep-Learning-Accelerator-SW operators/README.md (dla-rules.md §1.3, §4.1)";
constexpr std::string_view kUnverified = "dla-rules.md §1.3 [unverified, from memory of the 8.6/10.x docs]";

// One rule per documented limit, in checking order. Limits that changed between releases are separate rules.
const RuleEntry kRules[] = {
    {{"device.gpu", "the GPU was requested (--device gpu)", "user option"}, kAll},
    {{"layer.unmapped", "no TensorRT layer mapping for this ONNX op: the parser would reject it or use a plugin",
      "edgescope's parser model (dla-rules.md §2)"}, kAll},
    {{"qdq.explicit", "DLA does not support explicit quantization (Quantize/Dequantize layers)", kGeneral}, kAll},
    {{"precision.fp16_int8", "DLA only supports FP16 and Int8 precision type (INT32/INT64/BOOL shape or index "
      "tensors go to the GPU)", kGeneral}, kAll},
    {{"constant.layer", "Constant layers do not run on the DLA: the builder folds them into a DLA consumer only "
      "when GPU fallback is allowed", kDlaSw}, kAll},
    {{"layer.type", "layer type not supported on the DLA in this TensorRT release", kGuide85}, kAll},
    {{"dims.rank", "DLA tensors have at most 4 dimensions (batch and CHW)", kGeneral}, kAll},
    {{"dims.batch", "DLA batch (product of all dimensions except CHW) at most 4096", kGeneral}, kAll},
    {{"dims.max", "non-batch dimensions at most 8192 (a 10.x general restriction, assumed for 8.6; 8.5 states it "
      "per layer type)", kGeneral}, k86 | k10},
    {{"params.runtime", "shape parameters must be build-time constants (no run-time shape tensors)", kGuide85}, kAll},
    {{"conv.weights_const", "convolution weights must be build-time constants", kGuide85}, kAll},
    {{"conv.kernel", "convolution kernel dimensions in [1, 32]", kGuide85}, kAll},
    {{"conv.padding", "convolution padding in [0, 31]", kGuide85}, kAll},
    {{"conv.padding_lt_kernel", "convolution padding smaller than the kernel in each dimension", kGuide85}, kAll},
    {{"conv.stride", "convolution stride in [1, 8]", kGuide85}, kAll},
    {{"conv.dilation", "convolution dilation in [1, 32]", kGuide85}, kAll},
    {{"conv.groups", "number of groups in [1, 8192] (linear/CHW16/CHW32 formats)", kGuide85}, kAll},
    {{"conv.out_maps", "number of output maps in [1, 8192]", kGuide85}, kAll},
    {{"conv.cbuf", "convolution buffer: weight banks for one kernel + data banks for one kernel height of input "
      "rows must not exceed 16 (a compile failure in 8.5, a pre-check from 8.6.0)", kGuide84}, kAll},
    {{"matmul.const_weights", "matrix multiply runs on the DLA only as a fully connected layer (1x1 convolution): "
      "its second operand must be a build-time constant", kDlaSw}, kAll},
    {{"deconv.2d", "deconvolution must have exactly two spatial dimensions", kGuide85}, kAll},
    {{"deconv.kernel", "deconvolution kernel dimensions in [1, 32], or 1x[64, 96, 128] / [64, 96, 128]x1", kGuide85}, kAll},
    {{"deconv.square_23_32", "square deconvolution kernels and strides in [23, 32] are disabled on the DLA", kGuide85}, kAll},
    {{"deconv.padding", "deconvolution padding must be 0", kGuide85}, kAll},
    {{"deconv.groups", "grouped deconvolution must have 1 group", kGuide85}, kAll},
    {{"deconv.dilation", "dilated deconvolution must have dilation 1", kGuide85}, kAll},
    {{"deconv.channels", "deconvolution input and output channels in [1, 8192]", kGuide85}, kAll},
    {{"pool.2d", "pooling must have exactly two spatial dimensions", kGuide85}, kAll},
    {{"pool.window", "pooling window dimensions in [1, 8]", kGuide85}, kAll},
    {{"pool.padding", "pooling padding in [0, 7]", kGuide85}, kAll},
    {{"pool.stride", "pooling stride in [1, 16]", kGuide85}, kAll},
    {{"activation.type", "activations ReLU, Sigmoid, TanH, Clipped ReLU and Leaky ReLU only", kGuide85}, kAll},
    {{"activation.clip_range", "Clipped ReLU: lower bound 0 and upper bound in [1, 127]", kGuide85}, kAll},
    {{"prelu.slope_const", "parametric ReLU slope must be a build-time constant", kGuide85}, kAll},
    {{"eltwise.op", "element-wise operations Sum, Sub, Prod, Max and Min only", kGuide85}, k85},
    {{"eltwise.op", "element-wise operations Sum, Sub, Prod, Max, Min and Div only (Div native as of 8.6.12)", kDlaSw}, k86},
    {{"eltwise.op", "element-wise operations Sum, Sub, Prod, Max, Min, Div and Pow only",
      "TensorRT 10.x DLA layer support summary (dla-rules.md §1.4)"}, k10},
    {{"lrn.window", "LRN window size 3, 5, 7 or 9 (across channels)", kGuide85}, kAll},
    {{"concat.inputs", "concatenation needs at least 2 inputs", kGuide85}, kAll},
    {{"concat.axis", "concatenation on the channel (C) dimension only", kGuide85}, kAll},
    {{"resize.mode", "resize modes nearest and linear only", kGuide85}, kAll},
    {{"resize.rank", "resize needs exactly 4 scales (4-D tensors)", kGuide85}, kAll},
    {{"resize.nc", "resize scales of the first two dimensions must be 1", kGuide85}, kAll},
    {{"resize.scale", "resize H/W scales must be integers in [1, 32] (nearest) or [1, 4] (bilinear)", kGuide85}, kAll},
    {{"unary.op", "unary operation ABS only", kGuide85}, k85},
    {{"unary.op", "unary operations ABS, SIN, COS and ATANH only (SIN, COS, ATANH native as of 8.6.12)", kDlaSw}, k86 | k10},
    {{"slice.fp16", "slice runs in FP16 only", kGuide85}, kAll},
    {{"slice.4d", "slice of 4-D inputs only, slicing at C, H or W", kGuide85}, kAll},
    {{"slice.batch", "slice must not slice the batch dimension", kGuide85}, kAll},
    {{"softmax.orin", "softmax is supported on Orin's DLA only (not Xavier)", kGuide85}, kAll},
    {{"softmax.fp16", "softmax runs in FP16 only", kGuide85}, kAll},
    {{"softmax.axis", "softmax: when other non-batch dimensions are > 1 (optimized mode) the axis dimension is at "
      "most 1024", kGuide85}, kAll},
    {{"shuffle.4d", "shuffle of 4-D input and output tensors only", kUnverified}, kAll},
    {{"shuffle.batch", "the batch dimension cannot take part in a shuffle's reshape or transpose", kUnverified}, kAll},
    {{"reduce.op", "reduce kMAX only (GlobalMaxPool native as of 8.6.12; average Reduce never exposed)", kDlaSw}, k86},
    {{"reduce.op", "reduce kMAX only [unverified: 10.x entry]", kUnverified}, k10},
    {{"reduce.4d", "reduce of 4-D tensors only", kUnverified}, k86 | k10},
    {{"loadables.max", "at most 16 DLA loadables per DLA core; later subgraphs are switched to the GPU", kGeneral}, kAll},
};

unsigned version_bit(TrtVersion v) {
  switch (v) {
    case TrtVersion::v8_5: return k85;
    case TrtVersion::v8_6: return k86;
    case TrtVersion::v10: return k10;
  }
  ES_UNREACHABLE();
}

const DlaRule& rule_for(std::string_view id, TrtVersion v) {
  for (const RuleEntry& e : kRules)
    if (e.rule.id == id && (e.versions & version_bit(v))) return e.rule;
  ES_UNREACHABLE();
}

bool one_of(std::string_view op, std::initializer_list<std::string_view> ops) {
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

bool is_float(DType d) { return d == DType::f32 || d == DType::f16 || d == DType::bf16 || d == DType::f64; }

std::string dims_text(const Shape& dims) {
  if (dims.empty()) return "scalar";
  return fmt::format("{}", fmt::join(dims, "x"));
}

class Checker {
 public:
  Checker(const TrtNetwork& net, const TrtLayer& layer, const DlaCheckContext& c) : net_(net), l_(layer), c_(c) {}

  Verdict run() {
    const LayerParams& p = l_.params;
    if (l_.type == TrtLayerType::Unmapped) return fail("layer.unmapped", l_.note);
    if (l_.type == TrtLayerType::Quantize || l_.type == TrtLayerType::Dequantize)
      return fail("qdq.explicit", std::string(layer_type_name(l_.type)));
    for (TensorId t : {first_input(), output()})
      if (t != kNone && !is_float(tensor(t).dtype))
        return fail("precision.fp16_int8", fmt::format("tensor '{}' is {}", tensor(t).name, dtype_name(tensor(t).dtype)));
    if (l_.type == TrtLayerType::Constant) return fail("constant.layer", "Constant");
    if (!type_supported())
      return fail("layer.type", fmt::format("{} in TensorRT {}", layer_type_name(l_.type), trt_version_name(c_.version)));
    for (TensorId t : data_tensors()) {
      const Shape& d = tensor(t).dims;
      if (d.size() > 4) return fail("dims.rank", fmt::format("'{}' is {}-D ({})", tensor(t).name, d.size(), dims_text(d)));
      int64_t batch = 1;
      for (size_t i = 0; i + 3 < d.size(); ++i) batch *= std::max<int64_t>(d[i], 1);  // -1: the profile's 1
      if (batch > 4096) return fail("dims.batch", fmt::format("batch {} in '{}'", batch, tensor(t).name));
      for (size_t i = d.size() > 3 ? d.size() - 3 : 0; i < d.size(); ++i)
        if (d[i] > 8192 && applies("dims.max")) return fail("dims.max", fmt::format("dimension {} of '{}' is {}", i, tensor(t).name, d[i]));
    }
    if (p.runtime_params && !extra_inputs_constant())
      return fail("params.runtime", fmt::format("{} takes its shape from a run-time tensor", layer_type_name(l_.type)));
    switch (l_.type) {
      case TrtLayerType::Convolution: return convolution();
      case TrtLayerType::FullyConnected:
      case TrtLayerType::MatrixMultiply: return matrix_multiply();
      case TrtLayerType::Deconvolution: return deconvolution();
      case TrtLayerType::Pooling: return pooling();
      case TrtLayerType::Activation: return activation();
      case TrtLayerType::ParametricReLU:
        if (l_.inputs.size() > 1 && !constant(l_.inputs[1])) return fail("prelu.slope_const", "slope is a run-time tensor");
        return pass();
      case TrtLayerType::ElementWise: return elementwise();
      case TrtLayerType::LRN:
        if (!p.kernel.empty() && !one_of(std::to_string(p.kernel[0]), {"3", "5", "7", "9"}))
          return fail("lrn.window", fmt::format("window {}", p.kernel[0]));
        return pass();
      case TrtLayerType::Concatenation: return concatenation();
      case TrtLayerType::Resize: return resize();
      case TrtLayerType::Unary: return unary();
      case TrtLayerType::Slice: return slice();
      case TrtLayerType::SoftMax: return softmax();
      case TrtLayerType::Shuffle: return shuffle();
      case TrtLayerType::Reduce: return reduce();
      default: return pass();
    }
  }

 private:
  const TrtTensor& tensor(TensorId t) const { return net_.tensors[static_cast<size_t>(t)]; }
  TensorId first_input() const { return l_.inputs.empty() ? kNone : l_.inputs[0]; }
  TensorId output() const { return l_.outputs.empty() ? kNone : l_.outputs[0]; }
  const Shape& in_dims() const { return tensor(l_.inputs[0]).dims; }
  const Shape& out_dims() const { return tensor(l_.outputs[0]).dims; }
  bool constant(TensorId t) const { return c_.is_constant && c_.is_constant(t); }
  bool extra_inputs_constant() const {
    for (size_t i = 1; i < l_.inputs.size(); ++i)
      if (!constant(l_.inputs[i])) return false;
    return true;
  }
  // Activation tensors the layer reads and writes (constants are weights, not DLA tensors).
  std::vector<TensorId> data_tensors() const {
    std::vector<TensorId> result;
    for (TensorId t : l_.inputs)
      if (!constant(t)) result.push_back(t);
    result.insert(result.end(), l_.outputs.begin(), l_.outputs.end());
    return result;
  }

  Verdict pass() const { return {}; }
  bool applies(std::string_view id) const {
    for (const RuleEntry& e : kRules)
      if (e.rule.id == id && (e.versions & version_bit(c_.version))) return true;
    return false;
  }
  Verdict fail(std::string_view id, const std::string& detail) const {
    const DlaRule& r = rule_for(id, c_.version);
    return {false, std::string(id), detail.empty() ? std::string(r.limit) : fmt::format("{}: {}", r.limit, detail)};
  }

  bool type_supported() const {
    using T = TrtLayerType;
    switch (l_.type) {
      case T::Activation: case T::Concatenation: case T::Convolution: case T::Deconvolution: case T::ElementWise:
      case T::FullyConnected: case T::MatrixMultiply: case T::LRN: case T::ParametricReLU: case T::Pooling:
      case T::Resize: case T::Scale: case T::Shuffle: case T::Slice: case T::SoftMax: case T::Unary:
        return true;
      case T::Reduce: return c_.version != TrtVersion::v8_5;
      default: return false;
    }
  }

  // Checks `values` (one per spatial dimension) against [lo, hi].
  std::optional<Verdict> range(std::string_view id, const char* what, const std::vector<int64_t>& values, int64_t lo,
                               int64_t hi) const {
    for (int64_t v : values)
      if (v < lo || v > hi) return fail(id, fmt::format("{} {}", what, fmt::join(values, "x")));
    return std::nullopt;
  }

  Verdict convolution() const {
    const LayerParams& p = l_.params;
    // ONNX 1-D convolutions reach here as 2-D (the parser unsqueezes them); 3-D ones fail dims.rank.
    if (l_.inputs.size() > 1 && !constant(l_.inputs[1])) return fail("conv.weights_const", "kernel is a run-time tensor");
    if (auto v = range("conv.kernel", "kernel", p.kernel, 1, 32)) return *v;
    std::vector<int64_t> pads = p.pads_begin;
    pads.insert(pads.end(), p.pads_end.begin(), p.pads_end.end());
    if (auto v = range("conv.padding", "padding", pads, 0, 31)) return *v;
    for (size_t i = 0; i < 2; ++i)
      if (p.pads_begin[i] >= p.kernel[i] || p.pads_end[i] >= p.kernel[i])
        return fail("conv.padding_lt_kernel", fmt::format("padding {} with kernel {}", fmt::join(pads, ","), fmt::join(p.kernel, "x")));
    if (auto v = range("conv.stride", "stride", p.strides, 1, 8)) return *v;
    if (auto v = range("conv.dilation", "dilation", p.dilations, 1, 32)) return *v;
    if (auto v = range("conv.groups", "groups", {p.groups}, 1, 8192)) return *v;
    if (auto v = range("conv.out_maps", "output maps", {p.out_maps}, 1, 8192)) return *v;
    // Padded input width: the convolution reads padded rows (this reproduces the failing case of
    // NVIDIA/TensorRT#3499, Conv 512->256 3x3 on 1x512x80x160, which the unpadded width would pass).
    int64_t width = in_dims()[3] + p.pads_begin[1] + p.pads_end[1];
    CbufBanks banks = conv_cbuf_banks(in_dims()[1], width, p.kernel[0], p.kernel[1], p.dilations[0], c_.precision);
    if (banks.total() > 16)
      return fail("conv.cbuf", fmt::format("{} weight + {} data banks = {} for C={}, padded W={}, kernel {}",
                                           banks.weight_banks, banks.data_banks, banks.total(), in_dims()[1], width,
                                           fmt::join(p.kernel, "x")));
    return pass();
  }

  Verdict matrix_multiply() const {
    if (l_.inputs.size() < 2 || !constant(l_.inputs[1]))
      return fail("matmul.const_weights", "the second operand is a run-time tensor");
    if (auto v = range("conv.out_maps", "output features", {l_.params.out_maps}, 1, 8192)) return *v;
    return pass();
  }

  Verdict deconvolution() const {
    const LayerParams& p = l_.params;
    if (in_dims().size() != 4 || p.kernel.size() != 2) return fail("deconv.2d", fmt::format("input {}", dims_text(in_dims())));
    auto long_kernel = [&](int64_t a, int64_t b) { return a == 1 && one_of(std::to_string(b), {"64", "96", "128"}); };
    bool regular = p.kernel[0] >= 1 && p.kernel[0] <= 32 && p.kernel[1] >= 1 && p.kernel[1] <= 32;
    if (!regular && !long_kernel(p.kernel[0], p.kernel[1]) && !long_kernel(p.kernel[1], p.kernel[0]))
      return fail("deconv.kernel", fmt::format("kernel {}", fmt::join(p.kernel, "x")));
    auto square_in_23_32 = [](const std::vector<int64_t>& v) { return v[0] == v[1] && v[0] >= 23 && v[0] <= 32; };
    if (square_in_23_32(p.kernel) || square_in_23_32(p.strides))
      return fail("deconv.square_23_32", fmt::format("kernel {}, stride {}", fmt::join(p.kernel, "x"), fmt::join(p.strides, "x")));
    for (int64_t pad : p.pads_begin) if (pad != 0) return fail("deconv.padding", fmt::format("padding {}", pad));
    for (int64_t pad : p.pads_end) if (pad != 0) return fail("deconv.padding", fmt::format("padding {}", pad));
    if (p.groups != 1) return fail("deconv.groups", fmt::format("groups {}", p.groups));
    for (int64_t d : p.dilations) if (d != 1) return fail("deconv.dilation", fmt::format("dilation {}", d));
    if (auto v = range("deconv.channels", "channels in/out", {in_dims()[1], p.out_maps}, 1, 8192)) return *v;
    return pass();
  }

  Verdict pooling() const {
    const LayerParams& p = l_.params;
    if (in_dims().size() != 4 || p.kernel.size() != 2) return fail("pool.2d", fmt::format("input {}", dims_text(in_dims())));
    if (auto v = range("pool.window", "window", p.kernel, 1, 8)) return *v;
    std::vector<int64_t> pads = p.pads_begin;
    pads.insert(pads.end(), p.pads_end.begin(), p.pads_end.end());
    if (auto v = range("pool.padding", "padding", pads, 0, 7)) return *v;
    if (auto v = range("pool.stride", "stride", p.strides, 1, 16)) return *v;
    return pass();
  }

  Verdict activation() const {
    const LayerParams& p = l_.params;
    if (!one_of(p.op, {"kRELU", "kSIGMOID", "kTANH", "kCLIP", "kLEAKY_RELU"})) return fail("activation.type", p.op);
    if (p.op == "kCLIP" && (p.alpha != 0.0f || p.beta < 1.0f || p.beta > 127.0f))
      return fail("activation.clip_range", fmt::format("clip({}, {})", p.alpha, p.beta));
    return pass();
  }

  Verdict elementwise() const {
    std::vector<std::string_view> ops{"kSUM", "kSUB", "kPROD", "kMAX", "kMIN"};
    if (c_.version != TrtVersion::v8_5) ops.push_back("kDIV");
    if (c_.version == TrtVersion::v10) ops.push_back("kPOW");
    if (std::find(ops.begin(), ops.end(), l_.params.op) == ops.end()) return fail("eltwise.op", l_.params.op);
    return pass();
  }

  Verdict concatenation() const {
    if (l_.inputs.size() < 2) return fail("concat.inputs", fmt::format("{} input", l_.inputs.size()));
    // C is the first of the last three dimensions (DLA batch = everything before CHW).
    int64_t c_axis = static_cast<int64_t>(out_dims().size()) - 3;
    if (l_.params.axis != c_axis)
      return fail("concat.axis", fmt::format("axis {} of a {}-D tensor", l_.params.axis, out_dims().size()));
    return pass();
  }

  Verdict resize() const {
    const LayerParams& p = l_.params;
    if (!one_of(p.op, {"kNEAREST", "kLINEAR"})) return fail("resize.mode", p.op);
    if (p.scales.size() != 4) return fail("resize.rank", fmt::format("{} scales", p.scales.size()));
    if (p.scales[0] != 1.0 || p.scales[1] != 1.0) return fail("resize.nc", fmt::format("scales {}", fmt::join(p.scales, ",")));
    double hi = p.op == "kNEAREST" ? 32 : 4;
    for (size_t i = 2; i < 4; ++i)
      if (p.scales[i] != std::floor(p.scales[i]) || p.scales[i] < 1 || p.scales[i] > hi)
        return fail("resize.scale", fmt::format("scales {} ({})", fmt::join(p.scales, ","), p.op));
    return pass();
  }

  Verdict unary() const {
    if (l_.params.op == "kABS") return pass();
    if (c_.version != TrtVersion::v8_5 && one_of(l_.params.op, {"kSIN", "kCOS", "kATANH"})) return pass();
    return fail("unary.op", l_.params.op);
  }

  Verdict slice() const {
    if (c_.precision != Precision::fp16) return fail("slice.fp16", std::string(precision_name(c_.precision)));
    if (in_dims().size() != 4) return fail("slice.4d", fmt::format("input {}", dims_text(in_dims())));
    if (l_.params.axis == 0) return fail("slice.batch", "slices dimension 0");
    return pass();
  }

  Verdict softmax() const {
    if (c_.dla_version < 2) return fail("softmax.orin", "target DLA is version 1");
    if (c_.precision != Precision::fp16) return fail("softmax.fp16", std::string(precision_name(c_.precision)));
    const Shape& d = in_dims();
    size_t first_chw = d.size() > 3 ? d.size() - 3 : 0;
    bool others_one = true;
    for (size_t i = first_chw; i < d.size(); ++i)
      if (static_cast<int64_t>(i) != l_.params.axis && d[i] != 1) others_one = false;
    int64_t axis_dim = d[static_cast<size_t>(l_.params.axis)];
    if (!others_one && axis_dim > 1024)
      return fail("softmax.axis", fmt::format("axis dimension {} in {}", axis_dim, dims_text(d)));
    return pass();
  }

  Verdict shuffle() const {
    const LayerParams& p = l_.params;
    if (in_dims().size() != 4 || out_dims().size() != 4)
      return fail("shuffle.4d", fmt::format("{} -> {}", dims_text(in_dims()), dims_text(out_dims())));
    bool batch_moves = (!p.permutation.empty() && p.permutation[0] != 0) ||
                       (p.reshape && in_dims()[0] != out_dims()[0]);
    if (batch_moves) return fail("shuffle.batch", fmt::format("{} -> {}", dims_text(in_dims()), dims_text(out_dims())));
    return pass();
  }

  Verdict reduce() const {
    if (l_.params.op != "kMAX") return fail("reduce.op", l_.params.op);
    if (in_dims().size() != 4) return fail("reduce.4d", fmt::format("input {}", dims_text(in_dims())));
    return pass();
  }

  const TrtNetwork& net_;
  const TrtLayer& l_;
  const DlaCheckContext& c_;
};

}  // namespace

std::string_view precision_name(Precision p) { return p == Precision::fp16 ? "fp16" : "int8"; }

std::vector<DlaRule> dla_rules(TrtVersion version) {
  std::vector<DlaRule> rules;
  for (const RuleEntry& e : kRules)
    if (e.versions & version_bit(version)) rules.push_back(e.rule);
  return rules;
}

const DlaRule& find_dla_rule(std::string_view id) {
  for (const RuleEntry& e : kRules)
    if (e.rule.id == id) return e.rule;
  ES_UNREACHABLE();
}

Verdict check_dla(const TrtNetwork& network, const TrtLayer& layer, const DlaCheckContext& context) {
  return Checker(network, layer, context).run();
}

CbufBanks conv_cbuf_banks(int64_t input_channels, int64_t input_width, int64_t kernel_h, int64_t kernel_w,
                          int64_t dilation_h, Precision precision) {
  const double bytes = precision == Precision::int8 ? 1.0 : 2.0;
  auto round_up = [](double v, double m) { return std::ceil(v / m) * m; };
  CbufBanks b;
  b.weight_banks = static_cast<int64_t>(
      std::ceil(round_up(static_cast<double>(input_channels * kernel_h * kernel_w) * bytes, 128) / 32768.0));
  double entries_per_slice = std::ceil(std::ceil(static_cast<double>(input_channels) * bytes / 32.0) *
                                       static_cast<double>(input_width) / 4.0);
  int64_t dilated_kernel_h = (kernel_h - 1) * dilation_h + 1;
  b.data_banks = static_cast<int64_t>(std::ceil(entries_per_slice * static_cast<double>(dilated_kernel_h) / 256.0));
  return b;
}

}  // namespace es::placement
