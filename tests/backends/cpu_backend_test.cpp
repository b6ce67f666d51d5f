// The CPU backend against the reference kernels (relative L2 <= 1e-5): oneDNN convolutions with every
// fused activation, residual sums, depthwise/strided/padded/dilated/grouped convolutions,
// deconvolutions, pools with ceil_mode, Gemm and MatMul, unfused graphs, reference kernels between
// oneDNN ops (layout reorders), and the executable's contract: buffer reuse, I/O validation and copies,
// profiling names.
#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/inverted_residual_kernels.h"
#include "backends/cpu/skinny_gemm.h"
#include "backends/ref/ref_kernels.h"
#include "ir/builder.h"
#include "support/graph_test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace es::cpu {
namespace {

using Ints = std::vector<int64_t>;
using Floats = std::vector<float>;

using test::random_tensor;

Attributes attrs(std::initializer_list<std::pair<const char*, AttrValue>> list) {
  Attributes a;
  for (const auto& [key, value] : list) a.set(key, value);
  return a;
}

// Conv/FusedConv/ConvTranspose with random weights; `a` must hold kernel_shape (and group if any).
ValueId conv(GraphBuilder& b, ValueId x, int64_t in_channels, int64_t out_channels, Attributes a,
             OpKind op = OpKind::Conv, ValueId sum = kNoValue, bool bias = true) {
  static uint32_t seed = 100;
  const int64_t group = a.get_int("group", 1);
  Shape w_shape = op == OpKind::ConvTranspose ? Shape{in_channels, out_channels / group}
                                              : Shape{out_channels, in_channels / group};
  for (int64_t k : a.get_ints("kernel_shape")) w_shape.push_back(k);
  std::vector<ValueId> inputs = {x, b.initializer("w", random_tensor(w_shape, seed++)),
                                 bias ? b.initializer("b", random_tensor({out_channels}, seed++)) : kNoValue};
  if (sum != kNoValue) inputs.push_back(sum);
  ValueId y = b.op(op, inputs);
  b.graph().nodes.back().attrs = std::move(a);
  return y;
}

ValueId node(GraphBuilder& b, OpKind op, std::vector<ValueId> inputs, Attributes a = {}) {
  ValueId y = b.op(op, std::move(inputs));
  b.graph().nodes.back().attrs = std::move(a);
  return y;
}

using test::random_inputs;
using test::relative_l2;
using test::build_inferred;

std::unique_ptr<Executable> compile_or_fail(const Graph& g, int threads = 2) {
  auto exe = compile_cpu(g, {.threads = threads});
  EXPECT_TRUE(exe.ok()) << exe.status().message();
  return exe.ok() ? std::move(exe).value() : nullptr;
}

std::vector<Tensor> run(Executable& exe, std::span<const Tensor> inputs, size_t output_count) {
  std::vector<Tensor> outputs(output_count);
  for (const Status& s : {exe.copy_inputs(inputs), exe.execute(), exe.copy_outputs(outputs), exe.synchronize()})
    EXPECT_TRUE(s.ok()) << s.message();
  return outputs;
}

size_t count_layers(Executable& exe, std::string_view op) {
  auto layers = exe.profile_layers();
  EXPECT_TRUE(layers.ok()) << layers.status().message();
  if (!layers.ok()) return 0;
  return std::count_if(layers->begin(), layers->end(), [&](const LayerTime& l) { return l.op == op; });
}

// Runs `g` on the CPU backend and on the reference kernels with the same random inputs.
void expect_matches_reference(const Graph& g, double tolerance = 1e-5) {
  const std::vector<Tensor> inputs = random_inputs(g, 7);
  auto expected = ref::run_graph(g, inputs);
  ASSERT_TRUE(expected.ok()) << expected.status().message();
  auto exe = compile_or_fail(g);
  ASSERT_NE(exe, nullptr);
  const std::vector<Tensor> actual = run(*exe, inputs, g.outputs.size());
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const std::string& name = g.value(g.outputs[i]).name;
    ASSERT_EQ(actual[i].shape(), (*expected)[i].shape()) << name;
    EXPECT_LE(relative_l2((*expected)[i], actual[i]), tolerance) << name;
  }
}

struct ActivationCase {
  std::string name;
  Floats params;
};

class CpuFusedActivation : public testing::TestWithParam<ActivationCase> {};

TEST_P(CpuFusedActivation, MatchesReference) {
  // Two fused convolutions, so the second reads the blocked layout the first wrote.
  GraphBuilder b("fused");
  ValueId x = b.input("x", DType::f32, {1, 8, 12, 12});
  Attributes a = attrs({{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"activation", GetParam().name}});
  if (!GetParam().params.empty()) a.set("activation_params", GetParam().params);
  ValueId y = conv(b, x, 8, 16, a, OpKind::FusedConv);
  b.output(conv(b, y, 16, 16, a, OpKind::FusedConv));
  expect_matches_reference(build_inferred(b));
}

INSTANTIATE_TEST_SUITE_P(
    Activations, CpuFusedActivation,
    testing::Values(ActivationCase{"", {}}, ActivationCase{"Relu", {}}, ActivationCase{"Clip", {0.0f, 6.0f}},
                    ActivationCase{"Clip", {-std::numeric_limits<float>::infinity(), 0.5f}},
                    ActivationCase{"LeakyRelu", {0.1f}}, ActivationCase{"Sigmoid", {}},
                    ActivationCase{"HardSigmoid", {0.3f, 0.4f}}, ActivationCase{"HardSwish", {}},
                    ActivationCase{"Tanh", {}}),
    [](const auto& info) { return info.param.name.empty() ? std::string("None") : info.param.name + std::to_string(info.index); });

TEST(CpuBackend, ResidualSumTakesTheDeadInputsBuffer) {
  // a is read for the last time by the fused conv: its output reuses a's buffer (no copy).
  GraphBuilder b("residual");
  ValueId x = b.input("x", DType::f32, {1, 16, 10, 10});
  ValueId a = conv(b, x, 16, 16, attrs({{"kernel_shape", Ints{1, 1}}}));
  ValueId c = conv(b, a, 16, 16, attrs({{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}}));
  b.output(conv(b, c, 16, 16, attrs({{"kernel_shape", Ints{1, 1}}, {"activation", std::string("Relu")}}),
                OpKind::FusedConv, a));
  expect_matches_reference(build_inferred(b));
}

TEST(CpuBackend, ResidualSumOfALiveInputIsCopied) {
  // a is still read after the fused conv, so the sum must not overwrite it; the sum input comes from a
  // reference kernel (plain layout) for the second fused conv.
  GraphBuilder b("residual_live");
  ValueId x = b.input("x", DType::f32, {1, 16, 10, 10});
  ValueId a = conv(b, x, 16, 16, attrs({{"kernel_shape", Ints{1, 1}}}));
  ValueId s = conv(b, a, 16, 16, attrs({{"kernel_shape", Ints{1, 1}}}), OpKind::FusedConv, a);
  ValueId plain = node(b, OpKind::Neg, {a});
  ValueId t = conv(b, s, 16, 16, attrs({{"kernel_shape", Ints{1, 1}}}), OpKind::FusedConv, plain, false);
  b.output(node(b, OpKind::Add, {t, a}));
  expect_matches_reference(build_inferred(b));
}

TEST(CpuBackend, DepthwiseConvolutions) {
  GraphBuilder b("depthwise");
  ValueId x = b.input("x", DType::f32, {1, 32, 14, 14});
  Attributes dw = attrs({{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"group", int64_t{32}},
                         {"activation", std::string("Clip")}, {"activation_params", Floats{0.0f, 6.0f}}});
  ValueId y = conv(b, x, 32, 32, dw, OpKind::FusedConv);
  dw.set("strides", Ints{2, 2});
  b.output(conv(b, y, 32, 32, dw, OpKind::FusedConv));
  expect_matches_reference(build_inferred(b));
}

TEST(CpuBackend, WinogradForThreeByThreeConvolutionsWithManyChannels) {
  // ResNet's 3x3 stride-1 convolutions (64+ channels) take oneDNN's Winograd kernels, with the fused
  // activation and residual sum; a 32-channel one and a strided one stay direct. Winograd's transforms round
  // differently from a direct sum; 1e-5 relative L2 bounds the difference at these sizes.
  GraphBuilder b("winograd");
  ValueId x = b.input("x", DType::f32, {1, 64, 14, 14});
  const Attributes relu3x3 = attrs({{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Relu")}});
  ValueId y = conv(b, x, 64, 64, relu3x3, OpKind::FusedConv);
  ValueId z = conv(b, y, 64, 64, relu3x3, OpKind::FusedConv, /*sum=*/x);
  ValueId narrow = conv(b, z, 64, 32, relu3x3, OpKind::FusedConv);
  Attributes strided = relu3x3;
  strided.set("strides", Ints{2, 2});
  b.output(conv(b, narrow, 32, 32, relu3x3, OpKind::FusedConv));
  b.output(conv(b, z, 64, 64, strided, OpKind::FusedConv));
  const Graph g = build_inferred(b);
  expect_matches_reference(g);

  auto steps = compiled_steps(g, {.threads = 2});
  ASSERT_TRUE(steps.ok()) << steps.status().message();
  std::vector<bool> winograd;
  for (const CompiledStep& step : *steps)
    if (step.op == "FusedConv") winograd.push_back(step.implementation.find("wino") != std::string::npos);
  EXPECT_EQ(winograd, (std::vector<bool>{true, true, false, false, false}));
}

TEST(CpuBackend, InvertedResidualBlocksRunAsOneFusedStep) {
  // MobileNetV2-style blocks (expand 1x1 -> depthwise 3x3 -> project 1x1 [+ residual]) become one step each.
  // Batch 2 (a thread's rows cross images), an odd width (both padded borders), channel counts that are not
  // multiples of 16 (masked tails), stride 1 and 2, ReLU6/ReLU/no activation. A depthwise + pointwise pair
  // without expansion stays with oneDNN.
  GraphBuilder b("inverted_residual");
  ValueId x = b.input("x", DType::f32, {2, 24, 30, 29});
  auto pointwise = [](const std::string& activation, Floats params) {
    return attrs({{"kernel_shape", Ints{1, 1}}, {"activation", activation}, {"activation_params", params}});
  };
  auto depthwise = [](int64_t channels, int64_t stride, const std::string& activation, Floats params) {
    return attrs({{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{stride, stride}},
                  {"group", channels}, {"activation", activation}, {"activation_params", params}});
  };
  const Floats relu6 = {0.0f, 6.0f};
  ValueId e1 = conv(b, x, 24, 136, pointwise("Clip", relu6), OpKind::FusedConv);
  ValueId d1 = conv(b, e1, 136, 136, depthwise(136, 1, "Clip", relu6), OpKind::FusedConv);
  ValueId y1 = conv(b, d1, 136, 24, pointwise("", {}), OpKind::FusedConv, /*sum=*/x);
  ValueId e2 = conv(b, y1, 24, 40, pointwise("Relu", {}), OpKind::FusedConv);
  ValueId d2 = conv(b, e2, 40, 40, depthwise(40, 2, "Relu", {}), OpKind::FusedConv);
  ValueId y2 = conv(b, d2, 40, 20, pointwise("Relu", {}), OpKind::FusedConv);
  ValueId d3 = conv(b, y2, 20, 20, depthwise(20, 1, "Clip", relu6), OpKind::FusedConv);
  b.output(conv(b, d3, 20, 36, pointwise("", {}), OpKind::FusedConv));
  // An expansion that is also a graph output must stay a value of its own: no fusion there.
  ValueId e4 = conv(b, y1, 24, 48, pointwise("Clip", relu6), OpKind::FusedConv);
  b.output(e4);
  b.output(conv(b, conv(b, e4, 48, 48, depthwise(48, 1, "Clip", relu6), OpKind::FusedConv), 48, 24,
                pointwise("", {}), OpKind::FusedConv));
  const Graph g = build_inferred(b);
  expect_matches_reference(g);

  if (!irb::supported()) GTEST_SKIP() << "the fused kernels need AVX-512; outputs checked on oneDNN's path";
  auto steps = compiled_steps(g, {.threads = 2});
  ASSERT_TRUE(steps.ok()) << steps.status().message();
  std::vector<std::string> ops;
  std::vector<size_t> node_counts;
  for (const CompiledStep& step : *steps)
    if (step.op != "Reorder") {
      ops.push_back(step.op);
      node_counts.push_back(step.nodes.size());
    }
  // Two fused blocks; the pair without expansion and the block whose expansion is a graph output stay separate.
  EXPECT_EQ(ops, (std::vector<std::string>{"InvertedResidual", "InvertedResidual", "FusedConv", "FusedConv",
                                           "FusedConv", "FusedConv", "FusedConv"}));
  EXPECT_EQ(node_counts, (std::vector<size_t>{3, 3, 1, 1, 1, 1, 1}));
}

TEST(CpuBackend, StridedPaddedDilatedConvolutions) {
  GraphBuilder b("geometry");
  ValueId x = b.input("x", DType::f32, {1, 4, 17, 15});
  ValueId asym = conv(b, x, 4, 8, attrs({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{0, 1, 2, 0}}}));
  ValueId dilated = conv(b, x, 4, 8, attrs({{"kernel_shape", Ints{3, 3}}, {"dilations", Ints{2, 3}}, {"pads", Ints{2, 3, 2, 3}}}));
  ValueId same_upper = conv(b, x, 4, 8, attrs({{"kernel_shape", Ints{4, 4}}, {"strides", Ints{2, 2}}, {"auto_pad", std::string("SAME_UPPER")}}));
  ValueId same_lower = conv(b, x, 4, 8, attrs({{"kernel_shape", Ints{4, 4}}, {"auto_pad", std::string("SAME_LOWER")}}));
  ValueId valid = conv(b, x, 4, 8, attrs({{"kernel_shape", Ints{5, 2}}, {"strides", Ints{3, 1}}, {"auto_pad", std::string("VALID")}}));
  for (ValueId v : {asym, dilated, same_upper, same_lower, valid}) b.output(v);
  expect_matches_reference(build_inferred(b));
}

TEST(CpuBackend, OneAndThreeDimensionalConvolutions) {
  GraphBuilder b("conv1d3d");
  ValueId x1 = b.input("x1", DType::f32, {2, 4, 20});
  ValueId x3 = b.input("x3", DType::f32, {1, 3, 6, 7, 8});
  b.output(conv(b, x1, 4, 6, attrs({{"kernel_shape", Ints{5}}, {"pads", Ints{2, 2}}, {"strides", Ints{2}}})));
  b.output(conv(b, x3, 3, 8, attrs({{"kernel_shape", Ints{3, 3, 3}}, {"pads", Ints{1, 1, 1, 1, 1, 1}}})));
  expect_matches_reference(build_inferred(b));
}

TEST(CpuBackend, GroupedConvolution) {
  GraphBuilder b("grouped");
  ValueId x = b.input("x", DType::f32, {1, 16, 9, 9});
  b.output(conv(b, x, 16, 32, attrs({{"kernel_shape", Ints{3, 3}}, {"group", int64_t{4}}, {"pads", Ints{1, 1, 1, 1}}})));
  expect_matches_reference(build_inferred(b));
}

TEST(CpuBackend, ConvTranspose) {
  GraphBuilder b("deconv");
  ValueId x = b.input("x", DType::f32, {1, 8, 7, 7});
  ValueId up = conv(b, x, 8, 4,
                    attrs({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}},
                           {"output_padding", Ints{1, 1}}}),
                    OpKind::ConvTranspose);
  ValueId grouped = conv(b, x, 8, 6, attrs({{"kernel_shape", Ints{4, 4}}, {"strides", Ints{2, 2}}, {"group", int64_t{2}}}),
                         OpKind::ConvTranspose, kNoValue, false);
  ValueId dilated = conv(b, x, 8, 4, attrs({{"kernel_shape", Ints{3, 3}}, {"dilations", Ints{2, 2}}}), OpKind::ConvTranspose);
  ValueId shaped = conv(b, x, 8, 4, attrs({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"output_shape", Ints{14, 14}}}),
                        OpKind::ConvTranspose);
  for (ValueId v : {up, grouped, dilated, shaped}) b.output(v);
  expect_matches_reference(build_inferred(b));
}

TEST(CpuBackend, Pools) {
  GraphBuilder b("pools");
  ValueId x = b.input("x", DType::f32, {1, 3, 13, 13});
  ValueId y = conv(b, x, 3, 16, attrs({{"kernel_shape", Ints{1, 1}}}));  // blocked input for the pools
  const Ints k3{3, 3}, s2{2, 2}, p1{1, 1, 1, 1};
  b.output(node(b, OpKind::MaxPool, {y}, attrs({{"kernel_shape", k3}, {"strides", s2}, {"ceil_mode", int64_t{1}}})));
  b.output(node(b, OpKind::MaxPool, {y}, attrs({{"kernel_shape", k3}, {"dilations", Ints{2, 2}}, {"pads", p1}})));
  b.output(node(b, OpKind::AveragePool, {y}, attrs({{"kernel_shape", k3}, {"strides", s2}, {"pads", p1}, {"ceil_mode", int64_t{1}}})));
  b.output(node(b, OpKind::AveragePool, {y}, attrs({{"kernel_shape", k3}, {"strides", s2}, {"pads", p1}, {"count_include_pad", int64_t{1}}})));
  b.output(node(b, OpKind::AveragePool, {y},
                attrs({{"kernel_shape", Ints{2, 2}}, {"strides", s2}, {"ceil_mode", int64_t{1}}, {"count_include_pad", int64_t{1}}})));
  b.output(node(b, OpKind::GlobalAveragePool, {y}));
  b.output(node(b, OpKind::GlobalMaxPool, {y}));
  b.output(node(b, OpKind::MaxPool, {x}, attrs({{"kernel_shape", Ints{2, 2}}, {"auto_pad", std::string("SAME_UPPER")}})));
  expect_matches_reference(build_inferred(b));
}

TEST(CpuBackend, GemmAndMatMul) {
  GraphBuilder b("linalg");
  ValueId a = b.input("a", DType::f32, {4, 32});
  ValueId at = b.input("at", DType::f32, {32, 4});
  ValueId rhs = b.input("rhs", DType::f32, {32, 5});
  ValueId batched = b.input("batched", DType::f32, {3, 4, 32});
  ValueId batched_rhs = b.input("batched_rhs", DType::f32, {3, 32, 6});
  ValueId wt = b.initializer("wt", random_tensor({10, 32}, 1));
  ValueId w = b.initializer("w", random_tensor({32, 10}, 2));
  ValueId c = b.initializer("c", random_tensor({10}, 3));
  ValueId c2 = b.initializer("c2", random_tensor({4, 1}, 4));
  b.output(node(b, OpKind::Gemm, {a, wt, c}, attrs({{"transB", int64_t{1}}})));
  b.output(node(b, OpKind::Gemm, {a, wt, c2}, attrs({{"transB", int64_t{1}}, {"alpha", 0.5f}, {"beta", 2.0f}})));
  b.output(node(b, OpKind::Gemm, {at, rhs}, attrs({{"transA", int64_t{1}}})));
  b.output(node(b, OpKind::MatMul, {a, w}));
  b.output(node(b, OpKind::MatMul, {batched, w}));
  b.output(node(b, OpKind::MatMul, {batched, batched_rhs}));
  expect_matches_reference(build_inferred(b));
}

TEST(CpuBackend, ProductsOfFewRowsWithConstantWeightsRunOnTheSkinnyKernel) {
  // A classifier at batch 1-4: edgescope's panel kernel, over several 64-column panels and a masked tail, with
  // B plain or transposed, a bias per column or one for all, alpha and beta folded. Five rows go to oneDNN.
  GraphBuilder b("skinny");
  ValueId w = b.initializer("w", random_tensor({100, 130}, 1));
  ValueId wt = b.initializer("wt", random_tensor({130, 100}, 2));
  ValueId per_column = b.initializer("c", random_tensor({130}, 3));
  ValueId row = b.initializer("c_row", random_tensor({1, 130}, 4));
  ValueId one = b.initializer("c_one", random_tensor({1}, 5));
  auto x = [&](int64_t rows) { return b.input("x" + std::to_string(rows), DType::f32, {rows, 100}); };
  b.output(node(b, OpKind::Gemm, {x(1), wt, per_column},
                attrs({{"transB", int64_t{1}}, {"alpha", 0.5f}, {"beta", 2.0f}})));
  b.output(node(b, OpKind::Gemm, {x(2), w, row}));
  b.output(node(b, OpKind::Gemm, {x(3), w, one}));
  b.output(node(b, OpKind::MatMul, {x(4), w}));
  b.output(node(b, OpKind::Gemm, {x(5), w, per_column}));
  const Graph g = build_inferred(b);
  expect_matches_reference(g);

  if (!SkinnyGemmStep::supported()) GTEST_SKIP() << "the skinny kernel needs AVX-512; outputs checked on oneDNN's";
  auto steps = compiled_steps(g, {.threads = 2});
  ASSERT_TRUE(steps.ok()) << steps.status().message();
  std::vector<bool> skinny;
  for (const CompiledStep& step : *steps) skinny.push_back(step.implementation == "edgescope:avx512");
  EXPECT_EQ(skinny, (std::vector<bool>{true, true, true, true, false}));
}

TEST(CpuBackend, ClassifierTailNeedsNoReorder) {
  // MobileNet's end: conv -> GlobalAveragePool -> Reshape -> Gemm. The pooled 1xCx1x1 tensor has the same
  // bytes in oneDNN's channels-last layout and in the plain one, so Reshape reads it as is.
  GraphBuilder b("tail");
  ValueId x = b.input("x", DType::f32, {1, 32, 7, 7});
  ValueId y = conv(b, x, 32, 64, attrs({{"kernel_shape", Ints{1, 1}}, {"activation", std::string("Relu")}}), OpKind::FusedConv);
  ValueId pooled = node(b, OpKind::GlobalAveragePool, {y});
  ValueId flat = node(b, OpKind::Reshape, {pooled, b.initializer("shape", Tensor::from_vector<int64_t>({2}, {1, -1}))});
  b.output(node(b, OpKind::Gemm, {flat, b.initializer("fc", random_tensor({10, 64}, 5)), b.initializer("fc_b", random_tensor({10}, 6))},
                attrs({{"transB", int64_t{1}}})));
  Graph g = build_inferred(b);
  expect_matches_reference(g);
  auto exe = compile_or_fail(g);
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(count_layers(*exe, "Reorder"), 0u);
}

TEST(CpuBackend, ReferenceKernelsBetweenOneDnnOps) {
  // Softmax and Transpose run on reference kernels: their inputs are reordered to plain and the next
  // convolution reorders back to its blocked layout.
  GraphBuilder b("mixed");
  ValueId x = b.input("x", DType::f32, {1, 16, 8, 8});
  ValueId y = conv(b, x, 16, 16, attrs({{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}}));
  ValueId s = node(b, OpKind::Softmax, {y}, attrs({{"axis", int64_t{1}}}));
  ValueId z = conv(b, s, 16, 16, attrs({{"kernel_shape", Ints{1, 1}}}));
  ValueId t = node(b, OpKind::Transpose, {z}, attrs({{"perm", Ints{0, 1, 3, 2}}}));
  ValueId u = conv(b, t, 16, 8, attrs({{"kernel_shape", Ints{3, 3}}}));
  b.output(u);
  b.output(y);  // also a graph output while a reference kernel reads it
  Graph g = build_inferred(b);
  expect_matches_reference(g);
  auto exe = compile_or_fail(g);
  ASSERT_NE(exe, nullptr);
  EXPECT_GE(count_layers(*exe, "Reorder"), 2u);
}

TEST(CpuBackend, UnfusedGraph) {
  // What --passes none leaves: BatchNormalization, activations and Add/Mul as separate nodes.
  GraphBuilder b("unfused");
  ValueId x = b.input("x", DType::f32, {1, 16, 10, 10});
  ValueId c = conv(b, x, 16, 16, attrs({{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}}));
  auto channel = [&](uint32_t seed, float offset) {
    Tensor t = random_tensor({16}, seed);
    for (float& v : t.values<float>()) v += offset;
    return b.initializer("bn", t);
  };
  ValueId bn = node(b, OpKind::BatchNormalization, {c, channel(11, 1.5f), channel(12, 0), channel(13, 0), channel(14, 2.0f)},
                    attrs({{"epsilon", 1e-3f}}));
  ValueId r = node(b, OpKind::Relu, {bn});
  ValueId clip = node(b, OpKind::Clip, {r, b.initializer("lo", Tensor::scalar(0.0f)), b.initializer("hi", Tensor::scalar(0.8f))});
  ValueId d = conv(b, clip, 16, 16, attrs({{"kernel_shape", Ints{1, 1}}}));
  ValueId sum = node(b, OpKind::Add, {d, r});
  ValueId scaled = node(b, OpKind::Mul, {b.initializer("scale", random_tensor({1, 16, 1, 1}, 15)), sum});
  ValueId shifted = node(b, OpKind::Sub, {scaled, b.initializer("shift", random_tensor({10}, 16))});
  ValueId act = node(b, OpKind::LeakyRelu, {shifted}, attrs({{"alpha", 0.2f}}));
  b.output(node(b, OpKind::Sigmoid, {act}));
  expect_matches_reference(build_inferred(b));
}

TEST(CpuBackend, BufferReuseShrinksActivations) {
  GraphBuilder b("chain");
  ValueId v = b.input("x", DType::f32, {1, 16, 16, 16});
  constexpr int kLength = 8;
  for (int i = 0; i < kLength; ++i) v = conv(b, v, 16, 16, attrs({{"kernel_shape", Ints{1, 1}}}));
  b.output(v);
  Graph g = build_inferred(b);
  auto exe = compile_or_fail(g);
  ASSERT_NE(exe, nullptr);
  const size_t tensor_bytes = 16 * 16 * 16 * sizeof(float);
  // Input and output stay; the intermediates alternate between two buffers.
  EXPECT_LE(exe->activation_bytes(), 4 * tensor_bytes);
  EXPECT_GE(exe->activation_bytes(), 2 * tensor_bytes);
  expect_matches_reference(g);
}

TEST(CpuBackend, InPlaceActivationsShareOneBuffer) {
  GraphBuilder b("relus");
  ValueId v = b.input("x", DType::f32, {1, 8, 8, 8});
  for (int i = 0; i < 6; ++i) v = node(b, i % 2 ? OpKind::Relu : OpKind::Tanh, {v});
  b.output(v);
  Graph g = build_inferred(b);
  auto exe = compile_or_fail(g);
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->activation_bytes(), 2 * 8 * 8 * 8 * sizeof(float));
  expect_matches_reference(g);
}

Graph small_conv_graph() {
  GraphBuilder b("small");
  ValueId x = b.input("image", DType::f32, {1, 3, 8, 8});
  b.output(conv(b, x, 3, 16, attrs({{"kernel_shape", Ints{3, 3}}})));
  return build_inferred(b);
}

TEST(CpuBackend, ValidatesInputs) {
  auto exe = compile_or_fail(small_conv_graph());
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->copy_inputs({}).code(), StatusCode::invalid_argument);

  std::vector<Tensor> wrong_shape = {Tensor(DType::f32, {1, 3, 9, 9})};
  Status s = exe->copy_inputs(wrong_shape);
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  for (const char* part : {"image", "1x3x9x9", "1x3x8x8"}) EXPECT_NE(s.message().find(part), std::string::npos) << s.message();

  std::vector<Tensor> wrong_dtype = {Tensor(DType::f16, {1, 3, 8, 8})};
  s = exe->copy_inputs(wrong_dtype);
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  EXPECT_NE(s.message().find("f16"), std::string::npos) << s.message();

  std::vector<Tensor> too_many_outputs(2);
  EXPECT_EQ(exe->copy_outputs(too_many_outputs).code(), StatusCode::invalid_argument);
}

TEST(CpuBackend, OutputsAreCopiesAndInputsSurviveExecution) {
  Graph g = small_conv_graph();
  auto exe = compile_or_fail(g);
  ASSERT_NE(exe, nullptr);
  const std::vector<Tensor> first_input = {random_tensor({1, 3, 8, 8}, 1)};
  std::vector<Tensor> first = run(*exe, first_input, 1);
  const Tensor kept = first[0].clone();

  // Executing again without new inputs gives the same result: the memory plan never reuses inputs.
  std::vector<Tensor> again(1);
  ASSERT_TRUE(exe->execute().ok());
  ASSERT_TRUE(exe->copy_outputs(again).ok());
  EXPECT_EQ(relative_l2(kept, again[0]), 0.0);

  // New inputs do not change what an earlier copy_outputs returned; a fitting tensor is reused.
  const void* reused = first[0].raw();
  const std::vector<Tensor> second_input = {random_tensor({1, 3, 8, 8}, 2)};
  ASSERT_TRUE(exe->copy_inputs(second_input).ok());
  ASSERT_TRUE(exe->execute().ok());
  EXPECT_EQ(relative_l2(kept, again[0]), 0.0);
  ASSERT_TRUE(exe->copy_outputs(first).ok());
  EXPECT_EQ(first[0].raw(), reused);
  EXPECT_GT(relative_l2(kept, first[0]), 0.1);
}

TEST(CpuBackend, ProfileNamesFusedLayersByOrigin) {
  GraphBuilder b("profile");
  ValueId x = b.input("x", DType::f32, {1, 3, 8, 8});
  b.output(conv(b, x, 3, 8, attrs({{"kernel_shape", Ints{3, 3}}, {"activation", std::string("Relu")}}), OpKind::FusedConv));
  b.graph().nodes.back().origin = {"Conv_0", "Relu_1"};
  auto exe = compile_or_fail(build_inferred(b));
  ASSERT_NE(exe, nullptr);
  auto layers = exe->profile_layers();
  ASSERT_TRUE(layers.ok()) << layers.status().message();
  ASSERT_EQ(layers->size(), 1u);
  EXPECT_EQ((*layers)[0].name, "Conv_0+Relu_1");
  EXPECT_EQ((*layers)[0].op, "FusedConv");
  EXPECT_EQ((*layers)[0].device, "cpu");
  EXPECT_FALSE((*layers)[0].implementation.empty());  // oneDNN's implementation of the convolution
  EXPECT_GE((*layers)[0].milliseconds, 0.0);
  EXPECT_EQ(exe->device_name(), "cpu");
  EXPECT_EQ(exe->layer_timing(), "host");
}

TEST(CpuBackend, ThreadOption) {
  Graph g = small_conv_graph();
  auto bad = compile_cpu(g, {.threads = -1});
  EXPECT_EQ(bad.status().code(), StatusCode::invalid_argument);
  auto one = compile_or_fail(g, 1);
  ASSERT_NE(one, nullptr);
  const std::vector<Tensor> inputs = {random_tensor({1, 3, 8, 8}, 3)};
  auto expected = ref::run_graph(g, inputs);
  ASSERT_TRUE(expected.ok());
  EXPECT_LE(relative_l2((*expected)[0], run(*one, inputs, 1)[0]), 1e-5);
}

TEST(CpuBackend, IntegerGraphsRunOnReferenceKernels) {
  GraphBuilder b("ints");
  ValueId x = b.input("x", DType::f32, {2, 3, 4});
  ValueId shape = node(b, OpKind::Shape, {x});
  b.output(shape);
  b.output(node(b, OpKind::Reshape, {x, b.initializer("s", Tensor::from_vector<int64_t>({2}, {6, 4}))}));
  Graph g = build_inferred(b);
  auto exe = compile_or_fail(g);
  ASSERT_NE(exe, nullptr);
  const std::vector<Tensor> inputs = {random_tensor({2, 3, 4}, 9)};
  std::vector<Tensor> out = run(*exe, inputs, 2);
  EXPECT_EQ(out[0].to_int64_vector(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(relative_l2(inputs[0].reshaped({6, 4}), out[1]), 0.0);
}

}  // namespace
}  // namespace es::cpu
