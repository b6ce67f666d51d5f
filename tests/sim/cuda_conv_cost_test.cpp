// The CUDA plan's convolutions (sim/cuda_conv_forms.h): the forms the backend may take for each shape, the
// cost of each form by hand (its kernels in sequence), the profile's form where it names one, and the faster
// predicted form where it does not.
#include "sim/cuda_conv_forms.h"
#include "sim/native_plan.h"
#include "sim/native_program.h"

#include "backends/ref/ref_kernels.h"
#include "ir/builder.h"
#include "ir/shape_inference.h"
#include "placement/target.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

namespace es::sim {
namespace {

using Ints = std::vector<int64_t>;

struct ConvGraph {
  Graph graph;
  const Node& node(const std::string& name) const { return graph.node(graph.find_node(name)); }
};

ConvGraph conv_graph() {
  GraphBuilder b("forms");
  ValueId x = b.input("x", DType::f32, {1, 32, 56, 56});
  auto w = [&](const Shape& shape) { return b.initializer("w", Tensor(DType::f32, shape)); };
  auto conv = [&](const char* name, std::vector<ValueId> inputs, std::initializer_list<std::pair<const char*, AttrValue>> attrs,
                  OpKind op = OpKind::FusedConv) {
    b.output(b.op(op, std::move(inputs), attrs, name));
  };
  conv("relu", {x, w({32, 32, 3, 3}), w({32})}, {{"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Relu")}});
  conv("clip", {x, w({32, 32, 3, 3}), w({32}), x}, {{"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Clip")}});
  conv("relu6", {x, w({32, 32, 3, 3}), w({32})}, {{"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Clip")},
                                                 {"activation_params", std::vector<float>{0, 6}}});
  conv("plain", {x, w({32, 32, 3, 3})}, {{"pads", Ints{1, 1, 1, 1}}}, OpKind::Conv);
  conv("pointwise", {x, w({64, 32, 1, 1})}, {{"activation", std::string("HardSwish")}});
  conv("pointwise6", {x, w({64, 32, 1, 1}), w({64})}, {{"activation", std::string("Clip")},
                                                      {"activation_params", std::vector<float>{0, 6}}});
  conv("pointwise_relu", {x, w({64, 32, 1, 1}), w({64})}, {{"activation", std::string("Relu")}});
  conv("depthwise", {x, w({32, 1, 3, 3})}, {{"pads", Ints{1, 1, 1, 1}}, {"group", int64_t{32}}}, OpKind::Conv);
  conv("grouped", {x, w({32, 16, 3, 3})}, {{"pads", Ints{1, 1, 1, 1}}, {"group", int64_t{2}}}, OpKind::Conv);
  // im2col's matrix of 8 x 512 x 512 rows of 3 x 3 x 64 would take 4.8 GB: cuDNN alone.
  ValueId large = b.input("large", DType::f32, {8, 64, 512, 512});
  conv("large", {large, w({64, 64, 3, 3})}, {{"pads", Ints{1, 1, 1, 1}}}, OpKind::Conv);
  // An RGB stem: fewer than 8 input channels.
  ValueId rgb = b.input("rgb", DType::f32, {1, 3, 56, 56});
  conv("stem", {rgb, w({32, 3, 3, 3}), w({32})}, {{"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Relu")}});
  ConvGraph g{b.build()};
  Status shapes = infer_shapes(g.graph, ref::evaluator());
  EXPECT_TRUE(shapes.ok()) << shapes.message();
  return g;
}

TEST(CudaConvForms, TheFormsTheBackendMayTakeForEachShape) {
  ConvGraph g = conv_graph();
  using Forms = std::vector<std::string>;
  auto forms = [&](const char* name) { return cuda_conv_forms(g.graph, g.node(name), Precision::fp16); };
  // With tensor cores every convolution of one group is also tried as a cuDNN operation graph, which ends with
  // ReLU; another activation (HardSwish, a Clip of unknown bounds) is a kernel after it. Clip(0, hi), ReLU6, the
  // backend never kept as a graph in the H100 profiles: not a form.
  EXPECT_EQ(forms("relu"), (Forms{"cudnn", "im2col+cublaslt", "cudnn-graph"}));  // bias + ReLU: all fused
  EXPECT_EQ(forms("clip"), (Forms{"cudnn+epilogue", "im2col+cublaslt+act", "cudnn-graph+act"}));
  EXPECT_EQ(forms("relu6"), (Forms{"cudnn+epilogue", "im2col+cublaslt+act"}));
  EXPECT_EQ(forms("pointwise6"), (Forms{"cublaslt+act"}));
  EXPECT_EQ(forms("plain"), (Forms{"cudnn", "im2col+cublaslt", "cudnn-graph"}));
  EXPECT_EQ(forms("pointwise"), (Forms{"cublaslt+act", "cudnn-graph+act"}));
  EXPECT_EQ(forms("depthwise"), (Forms{"edgescope"}));
  EXPECT_EQ(forms("grouped"), (Forms{"cudnn"}));
  EXPECT_EQ(forms("large"), (Forms{"cudnn", "cudnn-graph"}));
  // FP32 runs on CUDA cores: no operation graph.
  EXPECT_EQ(cuda_conv_forms(g.graph, g.node("relu"), Precision::fp32), (Forms{"cudnn", "im2col+cublaslt"}));
  EXPECT_EQ(cuda_conv_forms(g.graph, g.node("pointwise"), Precision::fp32), (Forms{"cublaslt+act"}));
  const CudaConvForm profiled = parse_cuda_conv_form("cudnn:implicit_precomp_gemm+epilogue");
  EXPECT_EQ(profiled.library, CudaConvLibrary::cudnn);
  EXPECT_TRUE(profiled.epilogue_kernel);
  EXPECT_EQ(parse_cuda_conv_form("im2col+cublaslt").library, CudaConvLibrary::im2col_cublaslt);
  EXPECT_FALSE(parse_cuda_conv_form("im2col+cublaslt").epilogue_kernel);
  EXPECT_EQ(parse_cuda_conv_form("cublaslt+act").library, CudaConvLibrary::cublaslt);
  EXPECT_EQ(parse_cuda_conv_form("edgescope").library, CudaConvLibrary::own);
  // cuDNN's operation graphs are a form of their own; one this simulator does not know is priced as cuDNN's.
  EXPECT_EQ(parse_cuda_conv_form("cudnn-graph:eng42").library, CudaConvLibrary::cudnn_graph);
  EXPECT_FALSE(parse_cuda_conv_form("cudnn-graph:eng42").epilogue_kernel);
  EXPECT_TRUE(parse_cuda_conv_form("cudnn-graph:eng42+act").epilogue_kernel);
  EXPECT_EQ(parse_cuda_conv_form("newlib:kernel7").library, CudaConvLibrary::cudnn);
}

// An expansion ending with ReLU6 whose only reader is a depthwise convolution ends with ReLU on the backend,
// the depthwise kernel taking over the upper clip (backends/cuda/lowering.h, fold_upper_clips): its forms are a
// ReLU convolution's (no activation kernel; in FP16 also cuDNN's operation graph). Read by anything else too, or
// by a convolution that is not depthwise, it keeps its clip.
TEST(CudaConvForms, ReLU6BeforeADepthwiseReaderIsAReLUConvolution) {
  GraphBuilder b("relu6");
  ValueId x = b.input("x", DType::f32, {1, 16, 28, 28});
  auto w = [&](const Shape& shape) { return b.initializer("w", Tensor(DType::f32, shape)); };
  auto expand = [&](const char* name) {
    return b.op(OpKind::FusedConv, {x, w({96, 16, 1, 1}), w({96})},
                {{"activation", std::string("Clip")}, {"activation_params", std::vector<float>{0, 6}}}, name);
  };
  auto depthwise = [&](ValueId in) {
    return b.op(OpKind::Conv, {in, w({96, 1, 3, 3})}, {{"pads", Ints{1, 1, 1, 1}}, {"group", int64_t{96}}});
  };
  b.output(depthwise(expand("folded")));
  ValueId shown = expand("shown");
  b.output(shown);
  b.output(depthwise(shown));
  b.output(b.op(OpKind::Conv, {expand("dense"), w({8, 96, 3, 3})}, {{"pads", Ints{1, 1, 1, 1}}}));
  ConvGraph g{b.build()};
  ASSERT_TRUE(infer_shapes(g.graph, ref::evaluator()).ok());
  using Forms = std::vector<std::string>;
  EXPECT_TRUE(cuda_clip_folded(g.graph, g.node("folded")));
  EXPECT_EQ(cuda_conv_forms(g.graph, g.node("folded"), Precision::fp16), (Forms{"cublaslt", "cudnn-graph"}));
  EXPECT_EQ(cuda_conv_forms(g.graph, g.node("folded"), Precision::fp32), (Forms{"cublaslt"}));
  for (const char* kept : {"shown", "dense"}) {
    EXPECT_FALSE(cuda_clip_folded(g.graph, g.node(kept))) << kept;
    EXPECT_EQ(cuda_conv_forms(g.graph, g.node(kept), Precision::fp16), (Forms{"cublaslt+act"})) << kept;
  }
}

class CudaConvCost : public testing::Test {
 protected:
  void SetUp() override {
    h100.cuda = {0.8, 0.3, 0.15, 4, 12, 1.5};  // fp32, tensor, DRAM efficiencies; kernel, library call, graph µs
    h100.cuda.cudnn_fp32_efficiency = 0.6, h100.cuda.cudnn_tensor_efficiency = 0.2;  // cuDNN's own
    h100.cuda.cudnn_graph_efficiency = 0.1;  // cuDNN's operation graphs
    h100.cuda.graph_library_us = 2.5;  // a library's kernel replayed in a CUDA Graph
    h100.cuda.depthwise_efficiency = 0.5;
    o.device = "cuda";
    o.precision = Precision::fp16;
  }
  // The step of `node` with the implementation a profile names ("" = none).
  PlanStep step(const char* output, const std::string& implementation) {
    const Node& n = g.node(output);
    double read = 0;
    for (ValueId v : n.inputs) read += static_cast<double>(shape_numel(g.graph.value(v).shape)) * 2;
    NativeKernel k{.name = n.name, .op = std::string(op_name(n.op)), .implementation = implementation, .node = &n,
                   .fused = {}, .read_bytes = read, .write_bytes = y_bytes(n)};
    Result<InferencePlan> plan = plan_native(g.graph, {k}, "h100-sxm", h100, o);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    for (const PlanStep& s : plan->steps)
      if (s.layer) return s;
    return {};
  }
  // Products (cuBLASLt) in `precision` pay `ns_per_k` per element of their reduction K on top of their arithmetic;
  // cuDNN's kernels, legacy or graph, do not, nor do the products of the `other` precision.
  void expect_products_walk_k(Precision precision, double CudaParameters::*ns_per_k, Precision other) {
    o.precision = precision;
    h100.cuda.*ns_per_k = 0;
    const std::vector<const char*> cudnn = {"cudnn:implicit_precomp_gemm", "cudnn-graph:eng41"};
    const double pointwise = alone_us(step("pointwise", "cublaslt+act"));
    const double im2col = alone_us(step("relu", "im2col+cublaslt"));
    std::vector<double> library;
    for (const char* form : cudnn) library.push_back(alone_us(step("relu", form)));
    h100.cuda.*ns_per_k = 5;
    EXPECT_NEAR(alone_us(step("pointwise", "cublaslt+act")) - pointwise, 32 * 5e-3, 1e-9);  // K = 32 input channels
    EXPECT_NEAR(alone_us(step("relu", "im2col+cublaslt")) - im2col, 288 * 5e-3, 1e-9);     // K = 3 x 3 x 32
    for (size_t i = 0; i < cudnn.size(); ++i) EXPECT_DOUBLE_EQ(alone_us(step("relu", cudnn[i])), library[i]) << cudnn[i];
    o.precision = other;
    h100.cuda.*ns_per_k = 0;
    const double other_pointwise = alone_us(step("pointwise", "cublaslt+act"));
    h100.cuda.*ns_per_k = 5;
    EXPECT_DOUBLE_EQ(alone_us(step("pointwise", "cublaslt+act")), other_pointwise);
  }
  double y_bytes(const Node& n) const { return static_cast<double>(shape_numel(g.graph.value(n.outputs[0]).shape)) * 2; }
  static double alone_us(const PlanStep& s) {
    return s.fixed_us + std::max(s.compute_us, s.dram_bytes / (s.bandwidth_gb_s * 1e3));
  }
  double dram_us(double bytes) const { return bytes / (h100.memory.dram_gb_s * 1e3 * 0.15); }
  double tensor_us(double flops) const { return flops / (h100.gpu.fp16_tensor_tflops * 1e6 * 0.3); }
  double cudnn_tensor_us(double flops) const { return flops / (h100.gpu.fp16_tensor_tflops * 1e6 * 0.2); }

  ConvGraph g = conv_graph();
  TargetModel h100 = *target_model(*placement::find_target("h100-sxm"));
  PlanOptions o;
};

TEST_F(CudaConvCost, Im2colFormIsTwoKernelsWithTheProductSplittingK) {
  const PlanStep s = step("relu", "im2col+cublaslt");
  EXPECT_EQ(s.implementation, "im2col+cublaslt");
  EXPECT_DOUBLE_EQ(s.fixed_us, 4 + 12);  // the own im2col kernel, then the cuBLASLt call
  // im2col: 56 x 56 = 3136 rows of 3 x 3 x 32 = 288 halves, from the input; bound by DRAM.
  const double x_bytes = 32.0 * 56 * 56 * 2, col_bytes = 3136.0 * 288 * 2, w_bytes = 32.0 * 288 * 2 + 32 * 2;
  const double im2col_us = dram_us(x_bytes + col_bytes);
  // The product: 25 tiles of 128 x 32; split K 5 ways (132 / 25) into 58 -> 64, one wave of 132 blocks.
  const double gemm_us = std::max(tensor_us(132 * 2.0 * 128 * 32 * 64), dram_us(col_bytes + w_bytes + x_bytes));
  EXPECT_NEAR(s.compute_us, im2col_us + gemm_us, 1e-9);
  EXPECT_NEAR(alone_us(s), 16 + im2col_us + gemm_us, 1e-9);
}

TEST_F(CudaConvCost, CudnnFormDoesNotSplitKAndItsEpilogueIsAKernelOfItsOwn) {
  const PlanStep fused = step("relu", "cudnn:implicit_precomp_gemm");
  EXPECT_DOUBLE_EQ(fused.fixed_us, 12);
  // 25 blocks of 128 x 32 x 288 fill one wave of 132, at cuDNN's efficiency.
  EXPECT_NEAR(fused.compute_us, cudnn_tensor_us(132 * 2.0 * 128 * 32 * 288), 1e-9);
  const PlanStep epilogue = step("clip", "cudnn:implicit_precomp_gemm+epilogue");
  EXPECT_DOUBLE_EQ(epilogue.fixed_us, 12 + 4);
  const double y = y_bytes(g.node("clip"));
  // The epilogue reads the output and the residual, writes the output.
  EXPECT_NEAR(epilogue.compute_us - std::max(cudnn_tensor_us(132 * 2.0 * 128 * 32 * 288), dram_us(epilogue.dram_bytes - 3 * y)),
              dram_us(3 * y), 1e-9);
  // Replayed in a CUDA Graph each of the two kernels costs the graph's gap: cuDNN's a library kernel's.
  o.cuda_graph = true;
  EXPECT_DOUBLE_EQ(step("clip", "cudnn:implicit_precomp_gemm+epilogue").fixed_us, 2.5 + 1.5);
}

// cuDNN's operation graph is one kernel at cuDNN's call cost that runs at cuda.cudnn_graph_efficiency of the
// tensor cores' peak, not at the legacy kernels' rate; the activation it lacks is an own kernel after it, which
// reads and writes the output only (the residual is in the graph). A form the simulator does not know is
// priced as cuDNN's legacy kernels.
TEST_F(CudaConvCost, CudnnGraphRunsAtItsOwnRateWithItsEpilogueInside) {
  h100.cuda.cudnn_graph_efficiency = 0.4;
  const PlanStep graph = step("relu", "cudnn-graph:eng42");
  EXPECT_EQ(graph.implementation, "cudnn-graph:eng42");
  EXPECT_DOUBLE_EQ(graph.fixed_us, 12);
  // 25 blocks of 128 x 32 x 288 fill one wave of 132, at the graph's efficiency (twice cuDNN's legacy rate).
  const double flops = 132 * 2.0 * 128 * 32 * 288;
  EXPECT_NEAR(graph.compute_us, flops / (h100.gpu.fp16_tensor_tflops * 1e6 * 0.4), 1e-9);
  EXPECT_NEAR(graph.compute_us, step("relu", "cudnn:implicit_precomp_gemm").compute_us / 2, 1e-9);
  // Bias and ReLU6 in the graph: no kernel after it, where cuDNN's legacy call needs one.
  EXPECT_DOUBLE_EQ(step("relu6", "cudnn-graph:eng42").fixed_us, 12);
  EXPECT_DOUBLE_EQ(step("relu6", "cudnn:implicit_precomp_gemm+epilogue").fixed_us, 12 + 4);
  const PlanStep act = step("clip", "cudnn-graph:eng42+act");
  EXPECT_DOUBLE_EQ(act.fixed_us, 12 + 4);
  const double y = y_bytes(g.node("clip"));
  const PlanStep fused = step("clip", "cudnn-graph:eng42");  // the graph alone, had it ended with the activation
  EXPECT_NEAR(act.compute_us, std::max(fused.compute_us, dram_us(fused.dram_bytes)) + dram_us(2 * y), 1e-9);
  EXPECT_DOUBLE_EQ(alone_us(step("relu", "newlib:kernel7")), alone_us(step("relu", "cudnn:implicit_precomp_gemm")));
  // Without a profile the plan takes the graph where it predicts it fastest, and not at a rate near zero.
  EXPECT_EQ(step("plain", "").implementation, "cudnn-graph");
  h100.cuda.cudnn_graph_efficiency = 0.001;
  EXPECT_NE(step("plain", "").implementation, "cudnn-graph");
}

// A graph's kernel costs cuda.cudnn_graph_us beyond a library kernel's fixed time, host-launched or replayed in
// a CUDA Graph: for a 1x1 ReLU convolution at batch 1, as fast otherwise, the plan takes cuBLASLt; once the
// product is slower (its walk along K) by more than that time, the graph.
TEST_F(CudaConvCost, CudnnGraphPaysItsOwnTimePerKernel) {
  h100.cuda.cudnn_graph_efficiency = 0.4;
  h100.cuda.cudnn_graph_us = 5;
  EXPECT_DOUBLE_EQ(step("relu", "cudnn-graph:eng42").fixed_us, 12 + 5);
  o.cuda_graph = true;
  EXPECT_DOUBLE_EQ(step("relu", "cudnn-graph:eng42").fixed_us, 2.5 + 5);
  EXPECT_DOUBLE_EQ(step("relu", "cudnn:implicit_precomp_gemm").fixed_us, 2.5);
  EXPECT_EQ(step("pointwise_relu", "").implementation, "cublaslt");
  h100.cuda.tensor_k_ns = 1;  // 32 x 1 ns more per product
  EXPECT_EQ(step("pointwise_relu", "").implementation, "cublaslt");
  h100.cuda.cudnn_graph_us = 0;
  EXPECT_EQ(step("pointwise_relu", "").implementation, "cudnn-graph");
}

// FP32 products (CUDA cores) pay cuda.fp32_k_ns, FP16 ones (tensor cores) cuda.tensor_k_ns: each at its own rate.
TEST_F(CudaConvCost, Fp32ProductsPayForTheirWalkAlongK) {
  expect_products_walk_k(Precision::fp32, &CudaParameters::fp32_k_ns, Precision::fp16);
}
TEST_F(CudaConvCost, Fp16ProductsPayForTheirWalkAlongKAtTheirOwnRate) {
  expect_products_walk_k(Precision::fp16, &CudaParameters::tensor_k_ns, Precision::fp32);
}

// The backend's depthwise kernel accumulates in FP32 in every precision: its arithmetic runs at
// cuda.depthwise_efficiency of the CUDA cores' FP32 peak in FP16 as in FP32 (32 channels of 56 x 56 outputs,
// 9 taps each), not at the products' rate and not twice as fast in FP16.
TEST_F(CudaConvCost, DepthwiseKernelRunsAtItsOwnFp32RateInEveryPrecision) {
  h100.cuda.depthwise_efficiency = 0.01;  // low enough for its arithmetic to outlast its traffic
  const double flops = 2.0 * 32 * 56 * 56 * 9;
  for (Precision precision : {Precision::fp16, Precision::fp32}) {
    o.precision = precision;
    const PlanStep s = step("depthwise", "edgescope");
    EXPECT_NEAR(s.compute_us, flops / (h100.gpu.fp32_tflops * 1e6 * 0.01), 1e-9) << precision_name(precision);
  }
}

// The backend's depthwise kernel takes cuda.depthwise_us beyond a kernel's fixed time, host-launched or replayed
// in a CUDA Graph; its arithmetic and cuDNN's kernels are not affected.
TEST_F(CudaConvCost, DepthwiseKernelPaysItsOwnTimePerKernel) {
  const PlanStep before = step("depthwise", "edgescope");
  const double cudnn = alone_us(step("relu", "cudnn:implicit_precomp_gemm"));
  h100.cuda.depthwise_us = 1.5;
  const PlanStep after = step("depthwise", "edgescope");
  EXPECT_DOUBLE_EQ(after.fixed_us, before.fixed_us + 1.5);
  EXPECT_DOUBLE_EQ(after.compute_us, before.compute_us);
  EXPECT_DOUBLE_EQ(alone_us(step("relu", "cudnn:implicit_precomp_gemm")), cudnn);
  o.cuda_graph = true;
  h100.cuda.depthwise_us = 0;
  const double graph = step("depthwise", "edgescope").fixed_us;
  h100.cuda.depthwise_us = 1.5;
  EXPECT_DOUBLE_EQ(step("depthwise", "edgescope").fixed_us, graph + 1.5);
}

// A stem of 3 input channels first copies its input into its own channels-last buffer (an own kernel, at the
// strided kernels' time per element, or its traffic), and in FP16 runs on the channels padded to 4: K = 3 x 3 x 4
// = 36, two 32-deep steps where 27 would take one.
TEST_F(CudaConvCost, StemsPackTheirInputFirstAndPadItsChannelsInFp16) {
  h100.cuda.strided_ns_per_element = 0.05;
  const PlanStep s = step("stem", "cudnn:implicit_gemm");
  EXPECT_DOUBLE_EQ(s.fixed_us, 4 + 12);  // the packing kernel, then the cuDNN call
  const double x_bytes = 3.0 * 56 * 56 * 2;
  const double pack_us = std::max(3.0 * 56 * 56 * 0.05 / 1000, dram_us(2 * x_bytes));
  const double conv_bytes = x_bytes + 32.0 * 27 * 2 + 32 * 2 + y_bytes(g.node("stem"));
  const double conv_us = std::max(cudnn_tensor_us(132 * 2.0 * 128 * 32 * 64), dram_us(conv_bytes));
  EXPECT_NEAR(s.compute_us, pack_us + conv_us, 1e-9);
  // A convolution of 32 input channels packs nothing.
  EXPECT_DOUBLE_EQ(step("relu", "cudnn:implicit_gemm").fixed_us, 12);
}

// In FP16 the backend runs ResNet's stem and its MaxPool as one kernel (backends/cuda/stem_conv_pool.h): one
// native kernel named after both, reading the image and writing the pooled output only, priced per wave of two
// blocks per SM, a block per 7 x 7 tile of pooled outputs (15 x 16 convolution outputs over a reduction of 224).
// FP32, and a stem whose output is also read elsewhere, keep two kernels.
TEST_F(CudaConvCost, ResNetStemAndItsMaxPoolAreOneKernelInFp16) {
  auto stem_graph = [](int64_t batch, bool stem_is_an_output) {
    GraphBuilder b("stem");
    ValueId x = b.input("x", DType::f32, {batch, 3, 224, 224});
    ValueId stem = b.op(OpKind::FusedConv,
                        {x, b.initializer("w", Tensor(DType::f32, {64, 3, 7, 7})), b.initializer("b", Tensor(DType::f32, {64}))},
                        {{"kernel_shape", Ints{7, 7}}, {"strides", Ints{2, 2}}, {"pads", Ints{3, 3, 3, 3}},
                         {"activation", std::string("Relu")}},
                        "Conv_0");
    if (stem_is_an_output) b.output(stem);
    b.output(b.op(OpKind::MaxPool, {stem}, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}},
                  "MaxPool_1"));
    Graph g = b.build();
    Status shapes = infer_shapes(g, ref::evaluator());
    EXPECT_TRUE(shapes.ok()) << shapes.message();
    return g;
  };
  auto kernels = [&](const Graph& graph) {
    Result<std::vector<NativeKernel>> k = native_kernels(graph, o);
    EXPECT_TRUE(k.ok()) << k.status().message();
    return k.ok() ? *k : std::vector<NativeKernel>{};
  };
  const Graph one = stem_graph(1, false), many = stem_graph(32, false);
  const std::vector<NativeKernel> fused = kernels(one);
  ASSERT_EQ(fused.size(), 1u);
  EXPECT_EQ(fused[0].name, "Conv_0+MaxPool_1");
  EXPECT_EQ(fused[0].fused.size(), 2u);
  EXPECT_DOUBLE_EQ(fused[0].read_bytes, (3.0 * 224 * 224 + 64 * 3 * 49 + 64) * 2);
  EXPECT_DOUBLE_EQ(fused[0].write_bytes, 64.0 * 56 * 56 * 2);

  h100.cuda.stem_efficiency = 0.25;
  auto stem_step = [&](const Graph& graph) {
    Result<InferencePlan> plan = plan_native(graph, kernels(graph), "h100-sxm", h100, o);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    for (const PlanStep& s : plan->steps)
      if (s.layer) return s;
    return PlanStep{};
  };
  // 64 tiles at batch 1 fill one wave of 2 x 132 blocks; 2048 at batch 32 take 8.
  const double wave_us = 2 * h100.gpu.sms * 2.0 * 240 * 64 * 224 / (h100.gpu.fp16_tensor_tflops * 1e6 * 0.25);
  EXPECT_NEAR(stem_step(one).compute_us, wave_us, 1e-9);
  EXPECT_NEAR(stem_step(many).compute_us, 8 * wave_us, 1e-9);
  EXPECT_EQ(stem_step(many).implementation, "edgescope:stem+maxpool");

  EXPECT_EQ(kernels(stem_graph(1, true)).size(), 2u);
  o.precision = Precision::fp32;
  EXPECT_EQ(kernels(one).size(), 2u);
}

TEST_F(CudaConvCost, WithoutAProfileThePlanTakesTheFormItPredictsFaster) {
  for (bool graph : {false, true}) {
    o.cuda_graph = graph;
    for (const char* name : {"relu", "clip", "plain"}) {
      SCOPED_TRACE(std::string(name) + (graph ? " graph" : ""));
      const std::vector<std::string> forms = cuda_conv_forms(g.graph, g.node(name), o.precision);
      ASSERT_EQ(forms.size(), 3u);
      double fastest = std::numeric_limits<double>::infinity();
      std::string fastest_form;
      for (const std::string& form : forms)
        if (const double us = alone_us(step(name, form)); us < fastest) fastest = us, fastest_form = form;
      const PlanStep chosen = step(name, "");
      EXPECT_EQ(chosen.implementation, fastest_form);
      EXPECT_DOUBLE_EQ(alone_us(chosen), fastest);
    }
  }
  // At batch 1 on 3136 rows neither form is free: the launches decide between them host-launched, the waves
  // in a graph. The depthwise convolution has one form, the backend's own kernel.
  const PlanStep depthwise = step("depthwise", "");
  EXPECT_EQ(depthwise.implementation, "edgescope");
  EXPECT_DOUBLE_EQ(depthwise.fixed_us, 1.5);
}

}  // namespace
}  // namespace es::sim
