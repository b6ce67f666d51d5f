// Every DLA rule at its limit (the layer stays on the DLA) and just past it (the rule sends it to the GPU).
// Each case is a one-layer graph; the layer is looked up by its ONNX node name "L".
#include "placement_test_util.h"

#include <gtest/gtest.h>

#include <functional>

namespace es::placement::testing {
namespace {

struct Expect {
  std::string rule;  // "" = on the DLA
};

PlacementReport run(Graph& g, TrtVersion v = TrtVersion::v8_5, Precision p = Precision::fp16,
                    const Target& target = orin()) {
  PlacementOptions o;
  o.allow_gpu_fallback = true;
  o.trt = v;
  o.precision = p;
  Result<PlacementReport> r = analyze_placement(g, target, o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : PlacementReport{};
}

void expect_rule(const PlacementReport& r, const std::string& rule) {
  const LayerPlacement& l = layer_named(r, "L");
  if (rule.empty()) {
    EXPECT_TRUE(l.on_dla) << l.rule << ": " << l.reason;
  } else {
    EXPECT_FALSE(l.on_dla);
    EXPECT_EQ(l.rule, rule) << l.reason;
  }
}

// Conv on [1, C, H, W] with a K x C/g x kh x kw kernel; output shape computed here.
struct ConvCase {
  int64_t c = 8, h = 64, w = 64, k = 8, kh = 3, kw = 3;
  int64_t pad = 0, stride = 1, dilation = 1, group = 1;
};

std::string conv_rule(const ConvCase& cc, Precision p = Precision::fp16) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, cc.c, cc.h, cc.w});
  ValueId w = b.weights("w", {cc.k, cc.c / cc.group, cc.kh, cc.kw});
  auto out_dim = [&](int64_t in, int64_t k) { return (in + 2 * cc.pad - ((k - 1) * cc.dilation + 1)) / cc.stride + 1; };
  Attributes a = attrs({{"pads", std::vector<int64_t>{cc.pad, cc.pad, cc.pad, cc.pad}},
                        {"strides", std::vector<int64_t>{cc.stride, cc.stride}},
                        {"dilations", std::vector<int64_t>{cc.dilation, cc.dilation}},
                        {"group", cc.group}});
  b.output(b.op(OpKind::Conv, {x, w}, {1, cc.k, out_dim(cc.h, cc.kh), out_dim(cc.w, cc.kw)}, a, DType::f32, "L"));
  PlacementReport r = run(b.graph(), TrtVersion::v8_5, p);
  const LayerPlacement& l = layer_named(r, "L");
  return l.on_dla ? "" : l.rule;
}

TEST(DlaRules, ConvKernel) {
  EXPECT_EQ(conv_rule({.c = 1, .kh = 32, .kw = 32}), "");
  EXPECT_EQ(conv_rule({.c = 1, .kh = 33, .kw = 3}), "conv.kernel");
}

TEST(DlaRules, ConvPadding) {
  EXPECT_EQ(conv_rule({.c = 1, .kh = 32, .kw = 32, .pad = 31}), "");
  EXPECT_EQ(conv_rule({.c = 1, .kh = 32, .kw = 32, .pad = 32}), "conv.padding");
}

TEST(DlaRules, ConvPaddingBelowKernel) {
  EXPECT_EQ(conv_rule({.kh = 3, .kw = 3, .pad = 2}), "");
  EXPECT_EQ(conv_rule({.kh = 3, .kw = 3, .pad = 3}), "conv.padding_lt_kernel");
}

TEST(DlaRules, ConvStride) {
  EXPECT_EQ(conv_rule({.stride = 8}), "");
  EXPECT_EQ(conv_rule({.stride = 9}), "conv.stride");
}

TEST(DlaRules, ConvDilation) {
  EXPECT_EQ(conv_rule({.h = 80, .w = 80, .kh = 2, .kw = 2, .dilation = 32}), "");
  EXPECT_EQ(conv_rule({.h = 80, .w = 80, .kh = 2, .kw = 2, .dilation = 33}), "conv.dilation");
}

TEST(DlaRules, ConvOutputMaps) {
  EXPECT_EQ(conv_rule({.c = 1, .h = 4, .w = 4, .k = 8192, .kh = 1, .kw = 1}), "");
  EXPECT_EQ(conv_rule({.c = 1, .h = 4, .w = 4, .k = 8193, .kh = 1, .kw = 1}), "conv.out_maps");
}

TEST(DlaRules, ConvGroups) {
  EXPECT_EQ(conv_rule({.c = 8192, .h = 4, .w = 4, .k = 8192, .kh = 1, .kw = 1, .group = 8192}), "");
  EXPECT_EQ(conv_rule({.c = 8193, .h = 4, .w = 4, .k = 8193, .kh = 1, .kw = 1, .group = 8193}), "conv.groups");
}

// fp16, 3x3, C = 512: 1 weight bank (512*9*2 = 9216 B); data banks = ceil(ceil(8W) * 3 / 256), 15 for W = 160,
// 16 for W = 161. So W = 160 uses 16 banks (the limit) and W = 161 uses 17.
TEST(DlaRules, ConvBufferBanks) {
  EXPECT_EQ(conv_cbuf_banks(512, 160, 3, 3, 1, Precision::fp16).total(), 16);
  EXPECT_EQ(conv_cbuf_banks(512, 161, 3, 3, 1, Precision::fp16).total(), 17);
  EXPECT_EQ(conv_rule({.c = 512, .h = 8, .w = 160, .k = 16}), "");
  EXPECT_EQ(conv_rule({.c = 512, .h = 8, .w = 161, .k = 16}), "conv.cbuf");
  // int8 halves the data: the same layer fits.
  EXPECT_EQ(conv_rule({.c = 512, .h = 8, .w = 161, .k = 16}, Precision::int8), "");
  // NVIDIA/TensorRT#3499: Conv 512->256 3x3 pad 1 on 1x512x80x160 fails (padded width 162).
  EXPECT_EQ(conv_rule({.c = 512, .h = 80, .w = 160, .k = 256, .pad = 1}), "conv.cbuf");
}

TEST(DlaRules, ConvRunTimeWeights) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 4, 8, 8});
  ValueId w = b.input("w", {4, 4, 3, 3});
  b.output(b.op(OpKind::Conv, {x, w}, {1, 4, 6, 6}, {}, DType::f32, "L"));
  expect_rule(run(b.graph()), "conv.weights_const");
}

std::string deconv_rule(int64_t kh, int64_t kw, int64_t stride, int64_t pad = 0, int64_t group = 1,
                        int64_t dilation = 1) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 4, 8, 8});
  ValueId w = b.weights("w", {4, 4 / group, kh, kw});
  Attributes a = attrs({{"strides", std::vector<int64_t>{stride, stride}}, {"pads", std::vector<int64_t>{pad, pad, pad, pad}},
                        {"group", group}, {"dilations", std::vector<int64_t>{dilation, dilation}}});
  int64_t oh = (8 - 1) * stride + (kh - 1) * dilation + 1 - 2 * pad, ow = (8 - 1) * stride + (kw - 1) * dilation + 1 - 2 * pad;
  b.output(b.op(OpKind::ConvTranspose, {x, w}, {1, 4, oh, ow}, a, DType::f32, "L"));
  PlacementReport r = run(b.graph());
  const LayerPlacement& l = layer_named(r, "L");
  return l.on_dla ? "" : l.rule;
}

TEST(DlaRules, Deconvolution) {
  EXPECT_EQ(deconv_rule(22, 22, 1), "");
  EXPECT_EQ(deconv_rule(32, 31, 1), "");
  EXPECT_EQ(deconv_rule(33, 3, 1), "deconv.kernel");
  EXPECT_EQ(deconv_rule(1, 64, 1), "");
  EXPECT_EQ(deconv_rule(1, 65, 1), "deconv.kernel");
  EXPECT_EQ(deconv_rule(23, 23, 1), "deconv.square_23_32");
  EXPECT_EQ(deconv_rule(2, 2, 22), "");
  EXPECT_EQ(deconv_rule(2, 2, 23), "deconv.square_23_32");
  EXPECT_EQ(deconv_rule(3, 3, 1, 1), "deconv.padding");
  EXPECT_EQ(deconv_rule(3, 3, 1, 0, 2), "deconv.groups");
  EXPECT_EQ(deconv_rule(3, 3, 1, 0, 1, 2), "deconv.dilation");
}

std::string pool_rule(int64_t kernel, int64_t stride, int64_t pad, Shape in = {1, 4, 64, 64}) {
  ShapedGraph b;
  ValueId x = b.input("x", in);
  size_t n = in.size() - 2;
  Attributes a = attrs({{"kernel_shape", std::vector<int64_t>(n, kernel)}, {"strides", std::vector<int64_t>(n, stride)},
                        {"pads", std::vector<int64_t>(2 * n, pad)}});
  Shape out = in;
  for (size_t i = 2; i < in.size(); ++i) out[i] = (in[i] + 2 * pad - kernel) / stride + 1;
  b.output(b.op(OpKind::MaxPool, {x}, out, a, DType::f32, "L"));
  PlacementReport r = run(b.graph());
  const LayerPlacement& l = layer_named(r, "L");
  return l.on_dla ? "" : l.rule;
}

TEST(DlaRules, Pooling) {
  EXPECT_EQ(pool_rule(8, 1, 0), "");
  EXPECT_EQ(pool_rule(9, 1, 0), "pool.window");
  EXPECT_EQ(pool_rule(8, 1, 7), "");
  EXPECT_EQ(pool_rule(8, 1, 8), "pool.padding");
  EXPECT_EQ(pool_rule(2, 16, 0), "");
  EXPECT_EQ(pool_rule(2, 17, 0), "pool.stride");
  EXPECT_EQ(pool_rule(2, 2, 0, {1, 4, 64}), "pool.2d");
}

// One single-input layer named L on `in`, output shape `out`.
PlacementReport unary_graph(OpKind op, Shape in, Shape out, Attributes a = {}, std::vector<ValueId> extra = {},
                            TrtVersion v = TrtVersion::v8_5, Precision p = Precision::fp16,
                            const Target& target = orin(), ShapedGraph* prebuilt = nullptr) {
  ShapedGraph local;
  ShapedGraph& b = prebuilt ? *prebuilt : local;
  ValueId x = b.input("x", std::move(in));
  std::vector<ValueId> inputs{x};
  inputs.insert(inputs.end(), extra.begin(), extra.end());
  b.output(b.op(op, inputs, std::move(out), std::move(a), DType::f32, "L"));
  return run(b.graph(), v, p, target);
}

TEST(DlaRules, ActivationTypes) {
  expect_rule(unary_graph(OpKind::Relu, {1, 4, 8, 8}, {1, 4, 8, 8}), "");
  expect_rule(unary_graph(OpKind::LeakyRelu, {1, 4, 8, 8}, {1, 4, 8, 8}), "");
  expect_rule(unary_graph(OpKind::Elu, {1, 4, 8, 8}, {1, 4, 8, 8}), "activation.type");
}

std::string clip_rule(float lo, float hi) {
  ShapedGraph b;
  ValueId min = b.floats("min", {lo});
  ValueId max = b.floats("max", {hi});
  PlacementReport r =
      unary_graph(OpKind::Clip, {1, 4, 8, 8}, {1, 4, 8, 8}, {}, {min, max}, TrtVersion::v8_5, Precision::fp16, orin(), &b);
  const LayerPlacement& l = layer_named(r, "L");
  return l.on_dla ? "" : l.rule;
}

TEST(DlaRules, ClippedReluRange) {
  EXPECT_EQ(clip_rule(0, 6), "");
  EXPECT_EQ(clip_rule(0, 1), "");
  EXPECT_EQ(clip_rule(0, 0.99f), "activation.clip_range");
  EXPECT_EQ(clip_rule(0, 127), "");
  EXPECT_EQ(clip_rule(0, 127.5f), "activation.clip_range");
  EXPECT_EQ(clip_rule(-1, 6), "activation.clip_range");
}

TEST(DlaRules, ParametricReluSlope) {
  ShapedGraph constant_slope;
  ValueId slope = constant_slope.weights("slope", {4, 1, 1});
  expect_rule(unary_graph(OpKind::PRelu, {1, 4, 8, 8}, {1, 4, 8, 8}, {}, {slope}, TrtVersion::v8_5, Precision::fp16,
                          orin(), &constant_slope),
              "");
  ShapedGraph runtime_slope;
  ValueId s = runtime_slope.input("slope", {1, 4, 1, 1});
  expect_rule(unary_graph(OpKind::PRelu, {1, 4, 8, 8}, {1, 4, 8, 8}, {}, {s}, TrtVersion::v8_5, Precision::fp16,
                          orin(), &runtime_slope),
              "prelu.slope_const");
}

std::string binary_rule(OpKind op, TrtVersion v) {
  ShapedGraph b;
  ValueId x = b.input("x", {1, 4, 8, 8});
  ValueId y = b.input("y", {1, 4, 8, 8});
  b.output(b.op(op, {x, y}, {1, 4, 8, 8}, {}, DType::f32, "L"));
  PlacementReport r = run(b.graph(), v);
  const LayerPlacement& l = layer_named(r, "L");
  return l.on_dla ? "" : l.rule;
}

TEST(DlaRules, ElementWiseOpsByRelease) {
  for (OpKind op : {OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Max, OpKind::Min})
    EXPECT_EQ(binary_rule(op, TrtVersion::v8_5), "") << op_name(op);
  EXPECT_EQ(binary_rule(OpKind::Div, TrtVersion::v8_5), "eltwise.op");
  EXPECT_EQ(binary_rule(OpKind::Div, TrtVersion::v8_6), "");
  EXPECT_EQ(binary_rule(OpKind::Pow, TrtVersion::v8_6), "eltwise.op");
  EXPECT_EQ(binary_rule(OpKind::Pow, TrtVersion::v10), "");
}

TEST(DlaRules, LrnWindow) {
  expect_rule(unary_graph(OpKind::LRN, {1, 16, 8, 8}, {1, 16, 8, 8}, attrs({{"size", int64_t{9}}})), "");
  expect_rule(unary_graph(OpKind::LRN, {1, 16, 8, 8}, {1, 16, 8, 8}, attrs({{"size", int64_t{11}}})), "lrn.window");
}

TEST(DlaRules, ConcatAxisAndInputs) {
  for (int64_t axis : {1, 2}) {
    ShapedGraph b;
    ValueId x = b.input("x", {1, 4, 8, 8});
    ValueId y = b.input("y", {1, 4, 8, 8});
    Shape out = {1, 4, 8, 8};
    out[static_cast<size_t>(axis)] *= 2;
    b.output(b.op(OpKind::Concat, {x, y}, out, attrs({{"axis", axis}}), DType::f32, "L"));
    expect_rule(run(b.graph()), axis == 1 ? "" : "concat.axis");
  }
  expect_rule(unary_graph(OpKind::Concat, {1, 4, 8, 8}, {1, 4, 8, 8}, attrs({{"axis", int64_t{1}}})), "concat.inputs");
}

std::string resize_rule(Shape in, Shape out, const char* mode) {
  ShapedGraph b;
  std::vector<float> scales;
  for (size_t i = 0; i < in.size(); ++i) scales.push_back(static_cast<float>(out[i]) / static_cast<float>(in[i]));
  ValueId s = b.floats("scales", scales);
  ValueId x = b.input("x", in);
  b.output(b.op(OpKind::Resize, {x, kNoValue, s}, out, attrs({{"mode", std::string(mode)}}), DType::f32, "L"));
  PlacementReport r = run(b.graph());
  const LayerPlacement& l = layer_named(r, "L");
  return l.on_dla ? "" : l.rule;
}

TEST(DlaRules, ResizeScales) {
  EXPECT_EQ(resize_rule({1, 2, 2, 2}, {1, 2, 64, 64}, "nearest"), "");
  EXPECT_EQ(resize_rule({1, 2, 2, 2}, {1, 2, 66, 66}, "nearest"), "resize.scale");
  EXPECT_EQ(resize_rule({1, 2, 4, 4}, {1, 2, 16, 16}, "linear"), "");
  EXPECT_EQ(resize_rule({1, 2, 4, 4}, {1, 2, 20, 20}, "linear"), "resize.scale");
  EXPECT_EQ(resize_rule({1, 2, 4, 4}, {1, 2, 6, 6}, "nearest"), "resize.scale");  // 1.5 is not an integer
  EXPECT_EQ(resize_rule({1, 2, 4, 4}, {1, 4, 4, 4}, "nearest"), "resize.nc");
  EXPECT_EQ(resize_rule({1, 2, 4, 4}, {1, 2, 8, 8}, "cubic"), "resize.mode");
  EXPECT_EQ(resize_rule({2, 4, 4}, {2, 8, 8}, "nearest"), "resize.rank");
}

TEST(DlaRules, UnaryOpsByRelease) {
  expect_rule(unary_graph(OpKind::Abs, {1, 4, 8, 8}, {1, 4, 8, 8}), "");
  expect_rule(unary_graph(OpKind::Sin, {1, 4, 8, 8}, {1, 4, 8, 8}), "unary.op");
  expect_rule(unary_graph(OpKind::Sin, {1, 4, 8, 8}, {1, 4, 8, 8}, {}, {}, TrtVersion::v8_6), "");
  expect_rule(unary_graph(OpKind::Exp, {1, 4, 8, 8}, {1, 4, 8, 8}, {}, {}, TrtVersion::v10), "unary.op");
}

std::string slice_rule(Shape in, int64_t axis, Precision p = Precision::fp16) {
  ShapedGraph b;
  ValueId starts = b.ints("starts", {0});
  ValueId ends = b.ints("ends", {1});
  ValueId axes = b.ints("axes", {axis});
  ValueId x = b.input("x", in);
  Shape out = in;
  out[static_cast<size_t>(axis)] = 1;
  b.output(b.op(OpKind::Slice, {x, starts, ends, axes}, out, {}, DType::f32, "L"));
  PlacementReport r = run(b.graph(), TrtVersion::v8_5, p);
  const LayerPlacement& l = layer_named(r, "L");
  return l.on_dla ? "" : l.rule;
}

TEST(DlaRules, Slice) {
  EXPECT_EQ(slice_rule({2, 4, 8, 8}, 1), "");
  EXPECT_EQ(slice_rule({2, 4, 8, 8}, 1, Precision::int8), "slice.fp16");
  EXPECT_EQ(slice_rule({4, 8, 8}, 1), "slice.4d");
  EXPECT_EQ(slice_rule({2, 4, 8, 8}, 0), "slice.batch");
}

TEST(DlaRules, Softmax) {
  Attributes axis1 = attrs({{"axis", int64_t{1}}});
  // Optimized mode (H, W > 1): the axis dimension is at most 1024.
  expect_rule(unary_graph(OpKind::Softmax, {1, 1024, 2, 2}, {1, 1024, 2, 2}, axis1), "");
  expect_rule(unary_graph(OpKind::Softmax, {1, 1025, 2, 2}, {1, 1025, 2, 2}, axis1), "softmax.axis");
  // Accurate mode (other dimensions 1): no axis limit below dims.max.
  expect_rule(unary_graph(OpKind::Softmax, {1, 4000, 1, 1}, {1, 4000, 1, 1}, axis1), "");
  expect_rule(unary_graph(OpKind::Softmax, {1, 16, 2, 2}, {1, 16, 2, 2}, axis1, {}, TrtVersion::v8_5, Precision::int8),
              "softmax.fp16");
  expect_rule(unary_graph(OpKind::Softmax, {1, 16, 2, 2}, {1, 16, 2, 2}, axis1, {}, TrtVersion::v8_5, Precision::fp16,
                          xavier()),
              "softmax.orin");
}

TEST(DlaRules, Shuffle) {
  expect_rule(unary_graph(OpKind::Transpose, {1, 4, 8, 6}, {1, 8, 6, 4}, attrs({{"perm", std::vector<int64_t>{0, 2, 3, 1}}})), "");
  expect_rule(unary_graph(OpKind::Transpose, {2, 4, 8, 6}, {4, 2, 8, 6}, attrs({{"perm", std::vector<int64_t>{1, 0, 2, 3}}})),
              "shuffle.batch");
  ShapedGraph flat;
  ValueId shape = flat.ints("shape", {1, 256});
  expect_rule(unary_graph(OpKind::Reshape, {1, 4, 8, 8}, {1, 256}, {}, {shape}, TrtVersion::v8_5, Precision::fp16, orin(), &flat),
              "shuffle.4d");
  ShapedGraph runtime;
  ValueId dynamic_shape = runtime.input("shape", {4}, DType::i64);
  expect_rule(unary_graph(OpKind::Reshape, {1, 4, 8, 8}, {1, 16, 4, 4}, {}, {dynamic_shape}, TrtVersion::v8_5,
                          Precision::fp16, orin(), &runtime),
              "params.runtime");
}

TEST(DlaRules, ReduceByRelease) {
  Attributes keep = attrs({{"axes", std::vector<int64_t>{2, 3}}});
  expect_rule(unary_graph(OpKind::ReduceMax, {1, 4, 8, 8}, {1, 4, 1, 1}, keep), "layer.type");
  expect_rule(unary_graph(OpKind::ReduceMax, {1, 4, 8, 8}, {1, 4, 1, 1}, keep, {}, TrtVersion::v8_6), "");
  expect_rule(unary_graph(OpKind::ReduceMean, {1, 4, 8, 8}, {1, 4, 1, 1}, keep, {}, TrtVersion::v8_6), "reduce.op");
  expect_rule(unary_graph(OpKind::ReduceMax, {4, 8, 8}, {4, 1, 1}, keep, {}, TrtVersion::v10), "reduce.4d");
  expect_rule(unary_graph(OpKind::GlobalAveragePool, {1, 4, 8, 8}, {1, 4, 1, 1}, {}, {}, TrtVersion::v10), "reduce.op");
}

TEST(DlaRules, Dimensions) {
  expect_rule(unary_graph(OpKind::Relu, {1, 2, 3, 4, 5}, {1, 2, 3, 4, 5}), "dims.rank");
  expect_rule(unary_graph(OpKind::Relu, {4096, 1, 1, 1}, {4096, 1, 1, 1}), "");
  expect_rule(unary_graph(OpKind::Relu, {4097, 1, 1, 1}, {4097, 1, 1, 1}), "dims.batch");
  // The general 8192 limit on non-batch dimensions is a 10.x (and, assumed, 8.6) restriction.
  expect_rule(unary_graph(OpKind::Relu, {1, 1, 1, 8192}, {1, 1, 1, 8192}, {}, {}, TrtVersion::v10), "");
  expect_rule(unary_graph(OpKind::Relu, {1, 1, 1, 8193}, {1, 1, 1, 8193}, {}, {}, TrtVersion::v10), "dims.max");
  expect_rule(unary_graph(OpKind::Relu, {1, 1, 1, 8193}, {1, 1, 1, 8193}), "");
}

TEST(DlaRules, PrecisionTypesAndConstants) {
  // Shape of an activation: an INT32 shape tensor.
  ShapedGraph shape;
  ValueId x = shape.input("x", {1, 4, 8, 8});
  shape.output(shape.op(OpKind::Shape, {x}, {4}, {}, DType::i64, "L"));
  expect_rule(run(shape.graph()), "precision.fp16_int8");
  // Gather on float data: a layer type the DLA does not have.
  ShapedGraph gather;
  ValueId data = gather.input("x", {1, 4, 8, 8});
  ValueId idx = gather.ints("idx", {0, 1});
  gather.output(gather.op(OpKind::Gather, {data, idx}, {1, 2, 8, 8}, attrs({{"axis", int64_t{1}}}), DType::f32, "L"));
  expect_rule(run(gather.graph()), "layer.type");
  // Add of a float initializer: the IConstant for it is not a DLA layer.
  ShapedGraph add;
  ValueId a = add.input("x", {1, 4, 8, 8});
  ValueId w = add.weights("w", {1, 4, 8, 8});
  add.output(add.op(OpKind::Add, {a, w}, {1, 4, 8, 8}, {}, DType::f32, "L"));
  PlacementReport r = run(add.graph());
  expect_rule(r, "");
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].type, "Constant");
  EXPECT_EQ(r.layers[0].rule, "constant.layer");
}

TEST(DlaRules, ExplicitQuantizationAndUnmappedOps) {
  ShapedGraph q;
  ValueId scale = q.floats("scale", {0.1f});
  q.output(q.op(OpKind::QuantizeLinear, {q.input("x", {1, 4, 8, 8}), scale}, {1, 4, 8, 8}, {}, DType::i8, "L"));
  // The int8 output is checked after Q/DQ: the reason is explicit quantization.
  expect_rule(run(q.graph()), "qdq.explicit");
  expect_rule(unary_graph(OpKind::Hardmax, {1, 4}, {1, 4}), "layer.unmapped");
}

TEST(DlaRules, MatrixMultiply) {
  ShapedGraph gemm;
  ValueId x = gemm.input("x", {1, 64});
  ValueId w = gemm.weights("w", {8192, 64});
  gemm.output(gemm.op(OpKind::Gemm, {x, w}, {1, 8192}, attrs({{"transB", int64_t{1}}}), DType::f32, "L"));
  expect_rule(run(gemm.graph()), "");
  ShapedGraph too_wide;
  ValueId x2 = too_wide.input("x", {1, 64});
  ValueId w2 = too_wide.weights("w", {64, 8193});
  too_wide.output(too_wide.op(OpKind::Gemm, {x2, w2}, {1, 8193}, {}, DType::f32, "L"));
  expect_rule(run(too_wide.graph()), "conv.out_maps");
  ShapedGraph two_activations;
  ValueId a = two_activations.input("a", {1, 4, 16, 32});
  ValueId b = two_activations.input("b", {1, 4, 32, 16});
  two_activations.output(two_activations.op(OpKind::MatMul, {a, b}, {1, 4, 16, 16}, {}, DType::f32, "L"));
  expect_rule(run(two_activations.graph()), "matmul.const_weights");
}

TEST(DlaRules, EveryRuleHasTextAndSource) {
  for (TrtVersion v : {TrtVersion::v8_5, TrtVersion::v8_6, TrtVersion::v10})
    for (const DlaRule& r : dla_rules(v)) {
      EXPECT_FALSE(r.limit.empty()) << r.id;
      EXPECT_FALSE(r.source.empty()) << r.id;
    }
}

}  // namespace
}  // namespace es::placement::testing
