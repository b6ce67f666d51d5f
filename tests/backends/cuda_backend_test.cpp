// The CUDA backend against the reference kernels, op family by op family (relative L2 <= 1e-5 in FP32;
// 5e-3 in TF32, whose products keep 10 mantissa bits; 1e-2 in FP16, whose storage keeps 10 mantissa bits
// at every layer), and the executable's contract: CUDA Graph replay, phase events, profiles, I/O
// validation. Skipped where no GPU is visible (CI compiles it only).
#include "backends/cuda/cuda_backend.h"
#include "backends/ref/ref_kernels.h"
#include "ir/builder.h"
#include "support/graph_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace es::cuda {
namespace {

using Ints = std::vector<int64_t>;
using Floats = std::vector<float>;

using test::random_tensor;

ValueId node(GraphBuilder& b, OpKind op, std::vector<ValueId> inputs,
             std::initializer_list<std::pair<const char*, AttrValue>> attrs = {}) {
  return b.op(op, std::move(inputs), attrs);
}

ValueId weights(GraphBuilder& b, const Shape& shape) {
  static uint32_t seed = 100;
  return b.initializer("w", random_tensor(shape, seed++));
}

using test::random_inputs;
using test::relative_l2;
using test::build_inferred;

class CudaBackend : public testing::Test {
 protected:
  void SetUp() override {
    if (device_count() == 0) GTEST_SKIP() << "no CUDA device";
  }

  // Every node must run on the GPU; outputs must match the reference kernels.
  static void expect_matches_reference(const Graph& g, const CudaOptions& options = {}, double tolerance = 1e-5) {
    for (const Node& n : g.nodes) EXPECT_TRUE(supports(g, n)) << n.name << " " << op_name(n.op);
    const std::vector<Tensor> inputs = random_inputs(g, 7);
    auto expected = ref::run_graph(g, inputs);
    ASSERT_TRUE(expected.ok()) << expected.status().message();
    auto actual = run_graph(g, inputs, options);
    ASSERT_TRUE(actual.ok()) << actual.status().message();
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      const std::string& name = g.value(g.outputs[i]).name;
      ASSERT_EQ((*actual)[i].shape(), (*expected)[i].shape()) << name;
      EXPECT_LE(relative_l2((*expected)[i], (*actual)[i]), tolerance) << name;
    }
  }

  // What ran each layer of a per-layer profile, in order (layout conversions, the backend's own, left out).
  static std::vector<std::string> layer_implementations(const Graph& g, const CudaOptions& options) {
    std::vector<std::string> implementations;
    auto exe = compile_cuda(g, options);
    if (!exe.ok()) {
      ADD_FAILURE() << exe.status().message();
      return implementations;
    }
    auto layers = (*exe)->profile_layers();
    if (!layers.ok()) {
      ADD_FAILURE() << layers.status().message();
      return implementations;
    }
    for (const LayerTime& l : *layers)
      if (l.op != "Convert") implementations.push_back(l.implementation);
      else EXPECT_EQ(l.implementation, "edgescope");
    return implementations;
  }
};

TEST_F(CudaBackend, FusedConvWithEveryActivationAndResidual) {
  const std::vector<std::pair<std::string, Floats>> activations = {
      {"", {}}, {"Relu", {}}, {"Clip", {0.f, 6.f}}, {"LeakyRelu", {0.1f}}, {"Sigmoid", {}},
      {"HardSigmoid", {0.2f, 0.5f}}, {"HardSwish", {}}, {"Tanh", {}}};
  for (const auto& [activation, params] : activations) {
    for (bool residual : {false, true}) {
      GraphBuilder b("fused");
      ValueId x = b.input("x", DType::f32, {2, 8, 10, 10});
      ValueId z = b.input("z", DType::f32, {2, 16, 10, 10});
      std::vector<ValueId> ins = {x, weights(b, {16, 8, 3, 3}), weights(b, {16})};
      if (residual) ins.push_back(z);
      b.output(node(b, OpKind::FusedConv, ins,
                    {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"activation", activation},
                     {"activation_params", params}}));
      SCOPED_TRACE(activation + (residual ? " + residual" : ""));
      Graph g = build_inferred(b);
      if (!residual) g.inputs.pop_back();  // z unused
      expect_matches_reference(g);
    }
  }
}

// 1x1 stride-1 convolutions run as cuBLASLt products with bias, ReLU and residual in the epilogue (FP32 with
// full-precision FMA math); other activations follow the product. Odd channel counts give operands aligned to
// less than 16 bytes.
TEST_F(CudaBackend, PointwiseConvolutionEpiloguesOnCublasLt) {
  const std::vector<std::pair<std::string, Floats>> activations = {
      {"", {}}, {"Relu", {}}, {"Clip", {0.f, 6.f}}, {"Sigmoid", {}}};
  for (const auto& [precision, tolerance] : {std::pair{"fp32", 1e-5}, std::pair{"tf32", 5e-3}, std::pair{"fp16", 1e-2}}) {
    for (const auto& [activation, params] : activations) {
      for (bool residual : {false, true}) {
        GraphBuilder b("pointwise");
        ValueId x = b.input("x", DType::f32, {2, 12, 7, 9});
        ValueId z = b.input("z", DType::f32, {2, 20, 7, 9});
        std::vector<ValueId> ins = {x, weights(b, {20, 12, 1, 1}), weights(b, {20})};
        if (residual) ins.push_back(z);
        ValueId fused = node(b, OpKind::FusedConv, ins,
                             {{"kernel_shape", Ints{1, 1}}, {"activation", activation}, {"activation_params", params}});
        b.output(node(b, OpKind::Conv, {fused, weights(b, {5, 20, 1, 1})}, {{"kernel_shape", Ints{1, 1}}}));
        b.output(node(b, OpKind::Conv, {x, weights(b, {3, 12, 1, 1})}, {{"kernel_shape", Ints{1, 1}}}));
        SCOPED_TRACE(std::string(precision) + " " + activation + (residual ? " + residual" : ""));
        Graph g = build_inferred(b);
        if (!residual) g.inputs.pop_back();  // z unused
        expect_matches_reference(g, {.precision = precision}, tolerance);
      }
    }
  }
}

// Convolutions other than depthwise and 1x1 stride-1 run on cuDNN or as im2col + one cuBLASLt product, whichever
// times faster: each form forced here, in each precision. 3 input channels give 2- and 4-byte im2col chunks, 8
// give 16-byte ones; strides, padding, dilation, a residual and an activation the epilogue lacks (Clip).
TEST_F(CudaBackend, ConvolutionsOnCudnnAndAsIm2colProducts) {
  GraphBuilder b("im2col");
  ValueId x = b.input("x", DType::f32, {2, 3, 19, 17});
  ValueId stem = node(b, OpKind::FusedConv, {x, weights(b, {8, 3, 7, 7}), weights(b, {8})},
                      {{"kernel_shape", Ints{7, 7}}, {"pads", Ints{3, 3, 3, 3}}, {"strides", Ints{2, 2}},
                       {"activation", std::string("Relu")}});
  ValueId dilated = node(b, OpKind::FusedConv, {stem, weights(b, {8, 8, 3, 3}), weights(b, {8}), stem},
                         {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{2, 2, 2, 2}}, {"dilations", Ints{2, 2}},
                          {"activation", std::string("Clip")}, {"activation_params", Floats{0.f, 6.f}}});
  b.output(node(b, OpKind::Conv, {dilated, weights(b, {16, 8, 1, 1})}, {{"kernel_shape", Ints{1, 1}}, {"strides", Ints{2, 2}}}));
  const Graph g = build_inferred(b);
  for (ConvForm form : {ConvForm::cudnn, ConvForm::im2col}) {
    for (const auto& [precision, tolerance] : {std::pair{"fp32", 1e-5}, std::pair{"tf32", 5e-3}, std::pair{"fp16", 1e-2}}) {
      SCOPED_TRACE(std::string(precision) + (form == ConvForm::im2col ? " im2col" : " cudnn"));
      expect_matches_reference(g, {.precision = precision, .conv_form = form}, tolerance);
    }
  }
}

// With tensor cores every NHWC convolution may run as one cuDNN operation graph with its epilogue (forced
// here): fused ReLU with a residual, ReLU6 as ReLU with an upper clip, an activation the graph lacks (Sigmoid,
// run after it), no bias, a packed RGB stem and a 1x1 product, against the reference in TF32 and FP16 (the
// layers without an engine keep another form); the profile names the engine and whether the activation followed.
TEST_F(CudaBackend, ConvolutionsAsCudnnOperationGraphs) {
  GraphBuilder b("graph");
  ValueId x = b.input("x", DType::f32, {2, 3, 19, 17});
  ValueId stem = node(b, OpKind::FusedConv, {x, weights(b, {16, 3, 7, 7}), weights(b, {16})},
                      {{"kernel_shape", Ints{7, 7}}, {"pads", Ints{3, 3, 3, 3}}, {"strides", Ints{2, 2}},
                       {"activation", std::string("Relu")}});
  ValueId block = node(b, OpKind::FusedConv, {stem, weights(b, {16, 16, 3, 3}), weights(b, {16}), stem},
                       {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Relu")}});
  ValueId six = node(b, OpKind::FusedConv, {block, weights(b, {16, 16, 3, 3}), weights(b, {16})},
                     {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Clip")},
                      {"activation_params", Floats{0.f, 6.f}}});
  ValueId sigmoid = node(b, OpKind::FusedConv, {six, weights(b, {16, 16, 1, 1}), weights(b, {16})},
                         {{"kernel_shape", Ints{1, 1}}, {"activation", std::string("Sigmoid")}});
  b.output(node(b, OpKind::Conv, {sigmoid, weights(b, {8, 16, 3, 3})}, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}}));
  const Graph g = build_inferred(b);
  for (const auto& [precision, tolerance] : {std::pair{"tf32", 5e-3}, std::pair{"fp16", 1e-2}}) {
    SCOPED_TRACE(precision);
    expect_matches_reference(g, {.precision = precision, .conv_form = ConvForm::graph}, tolerance);
    auto exe = compile_cuda(g, {.precision = precision, .conv_form = ConvForm::graph});
    ASSERT_TRUE(exe.ok()) << exe.status().message();
    auto layers = (*exe)->profile_layers();
    ASSERT_TRUE(layers.ok()) << layers.status().message();
    std::vector<std::string> convs;
    for (const LayerTime& l : *layers)
      if (l.op != "Convert") convs.push_back(l.implementation);
    ASSERT_EQ(convs.size(), 5u);
    // cuDNN 9.19 on the H100 has no precompiled engine for this small residual block (only runtime-compiled
    // ones, which graph_conv.cpp skips): it may keep the legacy form, but a graph form must end with the ReLU.
    if (convs[1].starts_with("cudnn-graph:")) {
      EXPECT_FALSE(convs[1].ends_with("+act")) << convs[1];
    }
    for (size_t i : {2u, 4u}) {
      EXPECT_TRUE(convs[i].starts_with("cudnn-graph:eng")) << i << ": " << convs[i];
      EXPECT_FALSE(convs[i].ends_with("+act")) << convs[i];
    }
    EXPECT_EQ(convs[3].rfind("cudnn-graph:eng", 0), 0u) << convs[3];
    EXPECT_TRUE(convs[3].ends_with("+act")) << convs[3];
  }
}

// The profile says which form each convolution took and which own kernel follows a library call: the stem
// (bias + ReLU) ends in the library call, the dilated convolution's Clip runs after it.
TEST_F(CudaBackend, ProfileNamesTheFormEachConvolutionTook) {
  GraphBuilder b("forms");
  ValueId x = b.input("x", DType::f32, {1, 8, 20, 20});
  ValueId stem = node(b, OpKind::FusedConv, {x, weights(b, {16, 8, 3, 3}), weights(b, {16})},
                      {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Relu")}});
  ValueId dilated = node(b, OpKind::FusedConv, {stem, weights(b, {16, 16, 3, 3}), weights(b, {16})},
                         {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{2, 2, 2, 2}}, {"dilations", Ints{2, 2}},
                          {"activation", std::string("Clip")}, {"activation_params", Floats{0.f, 6.f}}});
  ValueId pointwise = node(b, OpKind::Conv, {dilated, weights(b, {8, 16, 1, 1})}, {{"kernel_shape", Ints{1, 1}}});
  b.output(node(b, OpKind::Conv, {pointwise, weights(b, {8, 1, 3, 3})}, {{"kernel_shape", Ints{3, 3}}, {"group", int64_t{8}}}));
  const Graph g = build_inferred(b);
  auto forms = [&](ConvForm form, const char* precision) {
    return layer_implementations(g, {.precision = precision, .conv_form = form});
  };
  for (const char* precision : {"fp32", "fp16"}) {
    SCOPED_TRACE(precision);
    EXPECT_EQ(forms(ConvForm::im2col, precision),
              (std::vector<std::string>{"im2col+cublaslt", "im2col+cublaslt+act", "cublaslt", "edgescope"}));
    const std::vector<std::string> cudnn = forms(ConvForm::cudnn, precision);
    ASSERT_EQ(cudnn.size(), 4u);
    EXPECT_EQ(cudnn[0].rfind("cudnn:", 0), 0u) << cudnn[0];
    EXPECT_EQ(cudnn[1].rfind("cudnn:", 0), 0u) << cudnn[1];
    EXPECT_TRUE(cudnn[1].ends_with("+epilogue")) << cudnn[1];
    EXPECT_EQ(cudnn[2], "cublaslt");
    EXPECT_EQ(cudnn[3], "edgescope");
  }
}

// Depthwise convolutions run on an own kernel, four channels per thread where the channel count allows (16)
// and one otherwise (5), with the filter transposed tap-major (a 3x5 one shows rows and columns kept apart).
TEST_F(CudaBackend, DepthwiseStridedDilatedConvolutions) {
  GraphBuilder b("geometry");
  ValueId x = b.input("x", DType::f32, {1, 16, 21, 17});
  ValueId dw = node(b, OpKind::Conv, {x, weights(b, {16, 1, 3, 3}), weights(b, {16})},
                    {{"kernel_shape", Ints{3, 3}}, {"group", int64_t{16}}, {"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}});
  b.output(node(b, OpKind::Conv, {dw, weights(b, {8, 16, 3, 3})},
                {{"kernel_shape", Ints{3, 3}}, {"dilations", Ints{2, 2}}, {"pads", Ints{2, 2, 2, 2}}}));
  b.output(node(b, OpKind::Conv, {x, weights(b, {16, 1, 3, 5})}, {{"kernel_shape", Ints{3, 5}}, {"group", int64_t{16}}}));
  ValueId odd = b.input("odd", DType::f32, {2, 5, 9, 11});
  b.output(node(b, OpKind::FusedConv, {odd, weights(b, {5, 1, 3, 3}), weights(b, {5}), odd},
                {{"kernel_shape", Ints{3, 3}}, {"group", int64_t{5}}, {"pads", Ints{2, 2, 2, 2}},
                 {"dilations", Ints{2, 2}}, {"activation", std::string("Relu")}}));
  const Graph g = build_inferred(b);
  expect_matches_reference(g);
  expect_matches_reference(g, {.precision = "fp16"}, 1e-2);
}

// A Clip(0, hi) epilogue (ReLU6) whose output only the backend's depthwise kernel reads ends with ReLU, and the
// depthwise kernel clamps its input at hi (fold_upper_clips): the product loses its activation kernel ("+act")
// and the outputs stay the reference's (hi = 0.5 clips most values). An expansion whose output is also a graph
// output, or has two readers, keeps its clip.
TEST_F(CudaBackend, DepthwiseReadersTakeOverTheUpperClipOfTheirInput) {
  GraphBuilder b("relu6");
  ValueId x = b.input("x", DType::f32, {2, 16, 9, 10});
  auto expand = [&](ValueId in) {
    return node(b, OpKind::FusedConv, {in, weights(b, {32, 16, 1, 1}), weights(b, {32})},
                {{"kernel_shape", Ints{1, 1}}, {"activation", std::string("Clip")}, {"activation_params", Floats{0.f, 0.5f}}});
  };
  auto depthwise = [&](ValueId in) {
    return node(b, OpKind::FusedConv, {in, weights(b, {32, 1, 3, 3}), weights(b, {32})},
                {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"group", int64_t{32}},
                 {"activation", std::string("Clip")}, {"activation_params", Floats{0.f, 6.f}}});
  };
  b.output(depthwise(expand(x)));
  ValueId shown = expand(x);
  b.output(shown);
  b.output(depthwise(shown));
  ValueId twice = expand(x);
  b.output(depthwise(twice));
  b.output(depthwise(twice));
  const Graph g = build_inferred(b);
  expect_matches_reference(g);
  expect_matches_reference(g, {.precision = "fp16"}, 1e-2);
  EXPECT_EQ(layer_implementations(g, {.precision = "fp32"}),
            (std::vector<std::string>{"cublaslt", "edgescope", "cublaslt+act", "edgescope", "cublaslt+act", "edgescope",
                                      "edgescope"}));
}

TEST_F(CudaBackend, TensorFloat32ConvolutionAndGemmWithinTolerance) {
  GraphBuilder b("tf32");
  ValueId x = b.input("x", DType::f32, {4, 32, 14, 14});
  ValueId c = node(b, OpKind::Conv, {x, weights(b, {64, 32, 3, 3}), weights(b, {64})},
                   {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}});
  ValueId p = node(b, OpKind::GlobalAveragePool, {c});
  ValueId f = node(b, OpKind::Flatten, {p}, {{"axis", int64_t{1}}});
  b.output(node(b, OpKind::Gemm, {f, weights(b, {10, 64}), weights(b, {10})}, {{"transB", int64_t{1}}}));
  expect_matches_reference(build_inferred(b), {.precision = "tf32"}, 5e-3);
}

// Every precision runs the convolutions channels-last: every consumer kind of an NHWC value (element-wise with
// broadcasting, residual, pools, concat, slice, resize, global pool, a reshape that needs NCHW, matrix
// product, softmax) must read it right.
TEST_F(CudaBackend, ChannelsLastNetworkInEveryPrecision) {
  GraphBuilder b("fp16");
  ValueId x = b.input("x", DType::f32, {2, 8, 12, 12});
  ValueId c1 = node(b, OpKind::FusedConv, {x, weights(b, {16, 8, 3, 3}), weights(b, {16})},
                    {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Relu")}});
  ValueId dw = node(b, OpKind::FusedConv, {c1, weights(b, {16, 1, 3, 3}), weights(b, {16})},
                    {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"group", int64_t{16}},
                     {"activation", std::string("Clip")}, {"activation_params", Floats{0.f, 6.f}}});
  ValueId res = node(b, OpKind::FusedConv, {dw, weights(b, {16, 16, 1, 1}), weights(b, {16}), c1},
                     {{"kernel_shape", Ints{1, 1}}, {"activation", std::string("Relu")}});
  ValueId scaled = node(b, OpKind::Mul, {res, weights(b, {16, 1, 1})});
  ValueId pooled = node(b, OpKind::MaxPool, {scaled}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  ValueId up = node(b, OpKind::Resize, {pooled, kNoValue, b.initializer("scales", Tensor::from_vector<float>({4}, {1.f, 1.f, 2.f, 2.f}))},
                    {{"mode", std::string("linear")}});
  ValueId cat = node(b, OpKind::Concat, {up, x}, {{"axis", int64_t{1}}});
  auto i64 = [&](const char* name, std::vector<int64_t> v) {
    const int64_t n = static_cast<int64_t>(v.size());
    return b.initializer(name, Tensor::from_vector<int64_t>({n}, v));
  };
  ValueId sliced = node(b, OpKind::Slice, {cat, i64("s", {2}), i64("e", {20}), i64("a", {1})});
  b.output(node(b, OpKind::HardSwish, {sliced}));
  b.output(node(b, OpKind::Reshape, {sliced, i64("shape", {2, -1})}));
  ValueId gap = node(b, OpKind::GlobalAveragePool, {cat});
  ValueId flat = node(b, OpKind::Flatten, {gap});
  ValueId fc = node(b, OpKind::Gemm, {flat, weights(b, {10, 24}), weights(b, {10})}, {{"transB", int64_t{1}}});
  b.output(node(b, OpKind::Softmax, {fc}));
  const Graph g = build_inferred(b);
  expect_matches_reference(g, {.precision = "fp16"}, 1e-2);
  expect_matches_reference(g, {.precision = "fp16", .cuda_graph = true}, 1e-2);
  expect_matches_reference(g, {.precision = "tf32", .cuda_graph = true}, 5e-3);
  expect_matches_reference(g, {.precision = "fp32", .cuda_graph = true}, 1e-5);
}

TEST_F(CudaBackend, Pools) {
  GraphBuilder b("pools");
  ValueId x = b.input("x", DType::f32, {2, 4, 15, 13});
  b.output(node(b, OpKind::MaxPool, {x}, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}));
  b.output(node(b, OpKind::MaxPool, {x}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}}));
  b.output(node(b, OpKind::AveragePool, {x},
                {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"count_include_pad", int64_t{1}}}));
  b.output(node(b, OpKind::AveragePool, {x}, {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}}));
  b.output(node(b, OpKind::GlobalAveragePool, {x}));
  b.output(node(b, OpKind::GlobalMaxPool, {x}));
  expect_matches_reference(build_inferred(b));
}

// Pools over channels-last activations (the vector kernel where the channels fill 16-byte vectors, the
// scalar one where they do not), behind stems with fewer than 8 input channels, which copy their input and
// filter into channels-last themselves, zero-padded to 4 channels with tensor cores (TF32, FP16): a 7x7 RGB
// stem, a 1x1 single-channel one (a matrix product; in FP32 it is the depthwise kernel's case).
TEST_F(CudaBackend, ChannelsLastPoolsBehindPackedStems) {
  GraphBuilder b("packed");
  ValueId rgb = b.input("rgb", DType::f32, {2, 3, 23, 21});
  ValueId gray = b.input("gray", DType::f32, {2, 1, 12, 11});
  for (int64_t channels : {16, 12}) {
    ValueId stem = node(b, OpKind::FusedConv, {rgb, weights(b, {channels, 3, 7, 7}), weights(b, {channels})},
                        {{"kernel_shape", Ints{7, 7}}, {"pads", Ints{3, 3, 3, 3}}, {"strides", Ints{2, 2}},
                         {"activation", std::string("Relu")}});
    b.output(node(b, OpKind::MaxPool, {stem}, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}));
    b.output(node(b, OpKind::AveragePool, {stem},
                  {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"count_include_pad", int64_t{1}}}));
    b.output(node(b, OpKind::AveragePool, {stem}, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}));
  }
  ValueId pointwise = node(b, OpKind::Conv, {gray, weights(b, {16, 1, 1, 1}), weights(b, {16})}, {{"kernel_shape", Ints{1, 1}}});
  b.output(node(b, OpKind::MaxPool, {pointwise}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}}));
  const Graph g = build_inferred(b);
  for (ConvForm form : {ConvForm::cudnn, ConvForm::fastest}) {
    for (const auto& [precision, tolerance] : {std::pair{"fp32", 1e-5}, std::pair{"tf32", 5e-3}, std::pair{"fp16", 1e-2}}) {
      SCOPED_TRACE(std::string(precision) + (form == ConvForm::cudnn ? " cudnn" : " fastest"));
      expect_matches_reference(g, {.precision = precision, .conv_form = form}, tolerance);
    }
  }
}

// In FP16 the ResNet stem (7x7 stride-2 convolution into 64 channels, ReLU, 3x3 stride-2 MaxPool) runs as one
// kernel (stem_conv_pool.h): an RGB image whose last tiles end inside it, a single-channel one without bias or
// ReLU. A stem whose output is also a graph output keeps its pool apart, as does FP32.
TEST_F(CudaBackend, StemConvolutionAndMaxPoolFuseInFp16) {
  GraphBuilder b("stem");
  const std::initializer_list<std::pair<const char*, AttrValue>> stem_window{
      {"kernel_shape", Ints{7, 7}}, {"pads", Ints{3, 3, 3, 3}}, {"strides", Ints{2, 2}}};
  auto max_pool = [&](ValueId x) {
    return node(b, OpKind::MaxPool, {x}, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  };
  ValueId rgb = b.input("rgb", DType::f32, {2, 3, 61, 47});
  ValueId relu_stem = node(b, OpKind::FusedConv, {rgb, weights(b, {64, 3, 7, 7}), weights(b, {64})},
                           {{"kernel_shape", Ints{7, 7}}, {"pads", Ints{3, 3, 3, 3}}, {"strides", Ints{2, 2}},
                            {"activation", std::string("Relu")}});
  b.output(max_pool(relu_stem));
  ValueId gray = b.input("gray", DType::f32, {1, 1, 40, 33});
  b.output(max_pool(node(b, OpKind::Conv, {gray, weights(b, {64, 1, 7, 7})}, stem_window)));
  ValueId shown = node(b, OpKind::Conv, {gray, weights(b, {64, 1, 7, 7})}, stem_window);
  b.output(shown);
  b.output(max_pool(shown));
  const Graph g = build_inferred(b);
  expect_matches_reference(g, {.precision = "fp16"}, 1e-2);
  const std::vector<std::string> fp16 = layer_implementations(g, {.precision = "fp16"});
  EXPECT_EQ(std::count(fp16.begin(), fp16.end(), "edgescope:stem+maxpool"), 2) << testing::PrintToString(fp16);
  EXPECT_EQ(fp16.size(), 4u) << testing::PrintToString(fp16);  // two fused stems, the shown stem and its pool
  const std::vector<std::string> fp32 = layer_implementations(g, {.precision = "fp32"});
  EXPECT_EQ(std::count(fp32.begin(), fp32.end(), "edgescope:stem+maxpool"), 0) << testing::PrintToString(fp32);
  EXPECT_EQ(fp32.size(), 6u) << testing::PrintToString(fp32);
}

TEST_F(CudaBackend, GemmAndMatMul) {
  GraphBuilder b("linalg");
  ValueId a = b.input("a", DType::f32, {6, 20});
  ValueId at = b.input("at", DType::f32, {20, 6});
  ValueId batched = b.input("batched", DType::f32, {3, 5, 6, 20});
  ValueId rhs = b.input("rhs", DType::f32, {3, 5, 20, 7});
  b.output(node(b, OpKind::Gemm, {a, weights(b, {9, 20}), weights(b, {9})}, {{"transB", int64_t{1}}, {"alpha", 0.5f}}));
  b.output(node(b, OpKind::Gemm, {at, weights(b, {20, 9}), weights(b, {6, 1})}, {{"transA", int64_t{1}}, {"beta", 2.f}}));
  b.output(node(b, OpKind::MatMul, {batched, weights(b, {20, 4})}));
  b.output(node(b, OpKind::MatMul, {batched, rhs}));
  expect_matches_reference(build_inferred(b));
}

TEST_F(CudaBackend, ElementwiseWithBroadcasting) {
  GraphBuilder b("eltwise");
  ValueId x = b.input("x", DType::f32, {2, 3, 4, 5});
  ValueId c = b.input("c", DType::f32, {3, 1, 1});
  ValueId row = b.input("row", DType::f32, {5});
  const ValueId lo = b.initializer("lo", Tensor::scalar(-0.25f)), hi = b.initializer("hi", Tensor::scalar(0.5f));
  for (OpKind op : {OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Div, OpKind::Max, OpKind::Min})
    b.output(node(b, op, {x, c}));
  b.output(node(b, OpKind::Mul, {row, x}));
  b.output(node(b, OpKind::PRelu, {x, c}));
  for (OpKind op : {OpKind::Relu, OpKind::Sigmoid, OpKind::Tanh, OpKind::HardSwish, OpKind::Exp, OpKind::Abs,
                    OpKind::Neg, OpKind::Erf, OpKind::Softplus})
    b.output(node(b, op, {x}));
  b.output(node(b, OpKind::Sqrt, {node(b, OpKind::Abs, {x})}));
  b.output(node(b, OpKind::HardSigmoid, {x}, {{"alpha", 0.3f}, {"beta", 0.4f}}));
  b.output(node(b, OpKind::LeakyRelu, {x}, {{"alpha", 0.2f}}));
  b.output(node(b, OpKind::Clip, {x, lo, hi}));
  expect_matches_reference(build_inferred(b));
}

TEST_F(CudaBackend, SoftmaxAndReductions) {
  GraphBuilder b("reduce");
  ValueId x = b.input("x", DType::f32, {2, 6, 5, 40});
  b.output(node(b, OpKind::Softmax, {x}));
  b.output(node(b, OpKind::Softmax, {x}, {{"axis", int64_t{1}}}));
  b.output(node(b, OpKind::LogSoftmax, {x}));
  b.output(node(b, OpKind::ReduceMean, {x}, {{"axes", Ints{2, 3}}, {"keepdims", int64_t{1}}}));
  b.output(node(b, OpKind::ReduceMax, {x}, {{"axes", Ints{1}}, {"keepdims", int64_t{0}}}));
  b.output(node(b, OpKind::ReduceSum, {x, b.initializer("axes", Tensor::from_vector<int64_t>({1}, {-1}))}));
  expect_matches_reference(build_inferred(b));
}

TEST_F(CudaBackend, DataMovementAndViews) {
  GraphBuilder b("data");
  ValueId x = b.input("x", DType::f32, {2, 6, 8, 5});
  ValueId y = b.input("y", DType::f32, {2, 3, 8, 5});
  b.output(node(b, OpKind::Transpose, {x}, {{"perm", Ints{0, 2, 3, 1}}}));
  auto i64 = [&](const char* name, std::vector<int64_t> v) {
    const int64_t n = static_cast<int64_t>(v.size());
    return b.initializer(name, Tensor::from_vector<int64_t>({n}, v));
  };
  b.output(node(b, OpKind::Slice, {x, i64("s", {1, -1}), i64("e", {5, 0}), i64("a", {1, 2}), i64("st", {2, -2})}));
  b.output(node(b, OpKind::Concat, {x, y}, {{"axis", int64_t{1}}}));
  ValueId r = node(b, OpKind::Reshape, {x, i64("shape", {2, -1})});
  b.output(node(b, OpKind::Relu, {r}));
  b.output(node(b, OpKind::Expand, {b.input("small", DType::f32, {3, 1, 5}), i64("to", {2, 3, 8, 5})}));
  expect_matches_reference(build_inferred(b));
}

TEST_F(CudaBackend, ResizeNearestAndLinear) {
  GraphBuilder b("resize");
  ValueId x = b.input("x", DType::f32, {1, 3, 7, 9});
  ValueId scales = b.initializer("scales", Tensor::from_vector<float>({4}, {1.f, 1.f, 2.f, 1.5f}));
  for (const char* mode : {"nearest", "linear"})
    for (const char* coord : {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"})
      b.output(node(b, OpKind::Resize, {x, kNoValue, scales}, {{"mode", std::string(mode)},
                                                                {"coordinate_transformation_mode", std::string(coord)}}));
  expect_matches_reference(build_inferred(b));
}

// A small classifier: conv, pool, flatten, gemm, softmax: the executable's contract on it.
Graph classifier() {
  GraphBuilder b("classifier");
  ValueId x = b.input("x", DType::f32, {2, 3, 16, 16});
  ValueId c = node(b, OpKind::FusedConv, {x, weights(b, {8, 3, 3, 3}), weights(b, {8})},
                   {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Relu")}});
  ValueId p = node(b, OpKind::GlobalAveragePool, {c});
  ValueId f = node(b, OpKind::Flatten, {p});
  ValueId g = node(b, OpKind::Gemm, {f, weights(b, {5, 8}), weights(b, {5})}, {{"transB", int64_t{1}}});
  b.output(node(b, OpKind::Softmax, {g}));
  return build_inferred(b);
}

TEST_F(CudaBackend, CudaGraphReplayGivesTheSameOutputsAndPhaseTimes) {
  const Graph g = classifier();
  const std::vector<Tensor> inputs = random_inputs(g, 7);
  auto expected = ref::run_graph(g, inputs);
  ASSERT_TRUE(expected.ok());
  auto exe = compile_cuda(g, {.cuda_graph = true});
  ASSERT_TRUE(exe.ok()) << exe.status().message();
  for (int iteration = 0; iteration < 3; ++iteration) {
    std::vector<Tensor> outputs(1);
    for (const Status& s : {(*exe)->copy_inputs(inputs), (*exe)->execute(), (*exe)->copy_outputs(outputs), (*exe)->synchronize()})
      ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_LE(relative_l2((*expected)[0], outputs[0]), 1e-5);
    std::optional<DevicePhaseTimes> phases = (*exe)->last_phase_times();
    ASSERT_TRUE(phases.has_value());
    EXPECT_GT(phases->h2d_ms, 0);
    EXPECT_GT(phases->compute_ms, 0);
    EXPECT_GT(phases->d2h_ms, 0);
  }
  EXPECT_EQ((*exe)->device_name(), "cuda:0");
  EXPECT_GT((*exe)->activation_bytes(), 0u);
}

// Inputs and outputs in the executable's pinned host memory (bench --host-memory pinned) go straight between
// the copy engine and the caller's tensors: the outputs land in the tensors given, in FP32 and through FP16's
// conversions, and each iteration reads the input as it is then.
TEST_F(CudaBackend, PinnedHostTensorsAreCopiedDirectly) {
  const Graph g = classifier();
  for (const char* precision : {"fp32", "fp16"}) {
    SCOPED_TRACE(precision);
    auto exe = compile_cuda(g, {.precision = precision, .cuda_graph = true});
    ASSERT_TRUE(exe.ok()) << exe.status().message();
    const Value& in = g.value(g.inputs[0]);
    const Value& out = g.value(g.outputs[0]);
    auto input = (*exe)->pinned_host_tensor(in.dtype, in.shape);
    auto output = (*exe)->pinned_host_tensor(out.dtype, out.shape);
    ASSERT_TRUE(input.ok() && input->has_value() && output.ok() && output->has_value());
    std::vector<Tensor> inputs = {**input}, outputs = {**output};
    const void* output_bytes = outputs[0].raw();
    for (uint32_t seed : {7u, 8u}) {
      const std::vector<Tensor> fresh = random_inputs(g, seed);
      std::memcpy(inputs[0].raw(), fresh[0].raw(), fresh[0].nbytes());
      auto expected = ref::run_graph(g, fresh);
      ASSERT_TRUE(expected.ok());
      for (const Status& st : {(*exe)->copy_inputs(inputs), (*exe)->execute(), (*exe)->copy_outputs(outputs), (*exe)->synchronize()})
        ASSERT_TRUE(st.ok()) << st.message();
      EXPECT_EQ(outputs[0].raw(), output_bytes);
      EXPECT_LE(relative_l2((*expected)[0], outputs[0]), std::string(precision) == "fp32" ? 1e-5 : 1e-2);
    }
  }
}

TEST_F(CudaBackend, ProfileNamesEveryKernelButNotViews) {
  auto exe = compile_cuda(classifier(), {});
  ASSERT_TRUE(exe.ok()) << exe.status().message();
  auto layers = (*exe)->profile_layers();
  ASSERT_TRUE(layers.ok()) << layers.status().message();
  std::vector<std::string> ops;
  for (const LayerTime& l : *layers) ops.push_back(l.op);
  // The 3-channel stem packs its input into channels-last itself: no conversion step before it.
  EXPECT_EQ(ops, (std::vector<std::string>{"FusedConv", "GlobalAveragePool", "Gemm", "Softmax"}));
}

// With --cuda-graph the layers are timed inside a replayed graph (event nodes between the steps): the same
// layers, and the outputs of the inference that follows are still right.
TEST_F(CudaBackend, GraphTimedProfileHasEveryLayerAndLeavesTheReplayIntact) {
  const Graph g = classifier();
  // One convolution form for both: each compilation times the forms, and close calls may go either way.
  auto host = compile_cuda(g, {.conv_form = ConvForm::im2col});
  auto graph = compile_cuda(g, {.cuda_graph = true, .conv_form = ConvForm::im2col});
  ASSERT_TRUE(host.ok() && graph.ok());
  EXPECT_EQ((*host)->layer_timing(), "host");
  EXPECT_EQ((*graph)->layer_timing(), "graph");
  auto host_layers = (*host)->profile_layers();
  ASSERT_TRUE(host_layers.ok()) << host_layers.status().message();
  for (int run = 0; run < 2; ++run) {  // captured once, replayed each time
    auto layers = (*graph)->profile_layers();
    ASSERT_TRUE(layers.ok()) << layers.status().message();
    ASSERT_EQ(layers->size(), host_layers->size());
    for (size_t i = 0; i < layers->size(); ++i) {
      EXPECT_EQ((*layers)[i].name, (*host_layers)[i].name);
      EXPECT_EQ((*layers)[i].implementation, (*host_layers)[i].implementation);
      EXPECT_GT((*layers)[i].milliseconds, 0) << (*layers)[i].name;
    }
  }
  const std::vector<Tensor> inputs = random_inputs(g, 7);
  auto expected = ref::run_graph(g, inputs);
  ASSERT_TRUE(expected.ok());
  std::vector<Tensor> outputs(1);
  for (const Status& s : {(*graph)->copy_inputs(inputs), (*graph)->execute(), (*graph)->copy_outputs(outputs), (*graph)->synchronize()})
    ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_LE(relative_l2((*expected)[0], outputs[0]), 1e-5);
}

TEST_F(CudaBackend, RejectsWrongInputsAndUnknownDevicesAndPrecisions) {
  const Graph g = classifier();
  auto exe = compile_cuda(g, {});
  ASSERT_TRUE(exe.ok());
  std::vector<Tensor> wrong = {Tensor(DType::f32, {1, 3, 16, 16})};
  EXPECT_EQ((*exe)->copy_inputs(wrong).code(), StatusCode::invalid_argument);
  EXPECT_EQ(compile_cuda(g, {.device = 99}).status().code(), StatusCode::not_found);
  EXPECT_EQ(compile_cuda(g, {.precision = "int4"}).status().code(), StatusCode::unsupported);
}

// Needs no GPU: what the partitioner asks.
TEST(CudaSupport, DeclinesWhatTheGpuKernelsDoNotCover) {
  GraphBuilder b("unsupported");
  ValueId x = b.input("x", DType::f32, {1, 4, 8, 8});
  ValueId i = b.input("i", DType::i64, {3});
  b.output(node(b, OpKind::ConvTranspose, {x, weights(b, {4, 2, 3, 3})}, {{"kernel_shape", Ints{3, 3}}}));
  b.output(node(b, OpKind::Cast, {x}, {{"to", int64_t{7}}}));
  b.output(node(b, OpKind::Conv, {x, weights(b, {4, 4, 3, 3})}, {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{0, 0, 1, 1}}}));
  b.output(node(b, OpKind::Relu, {x}));
  b.output(node(b, OpKind::Neg, {i}));
  const Graph g = build_inferred(b);
  std::vector<bool> supported;
  for (const Node& n : g.nodes) supported.push_back(supports(g, n));
  // ConvTranspose, Cast, Conv with asymmetric pads, Relu, Neg on i64
  EXPECT_EQ(supported, (std::vector<bool>{false, false, false, true, false}));
}

}  // namespace
}  // namespace es::cuda
