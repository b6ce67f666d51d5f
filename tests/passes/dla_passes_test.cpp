// The DLA rewrite passes of `edgescope optimize`: the structure each produces, and unchanged outputs on the
// reference kernels (relative L2 <= 1e-5 on random inputs).
#include "support/graph_test_util.h"
#include "passes/dla/dla_passes.h"
#include "passes/dla/verify_outputs.h"

#include <gtest/gtest.h>

namespace es {
namespace {

using test::build_inferred;
using test::count_ops;
using test::expect_same_outputs;
using test::random_tensor;

// Runs `passes` (names from dla_passes()) through the pipeline, which verifies the graph after each.
Graph optimized(const Graph& before, const std::string& passes) {
  Graph after = before;
  PipelineOptions options;
  options.passes = passes;
  Status status = run_pipeline(after, options, passes::dla::dla_passes());
  EXPECT_TRUE(status.ok()) << status.message();
  return after;
}

std::vector<const Node*> nodes_of(const Graph& g, OpKind op) {
  std::vector<const Node*> result;
  for (const Node& n : g.nodes)
    if (n.op == op) result.push_back(&n);
  return result;
}

// ---- global_pool_to_average_pool --------------------------------------------------------------------------

struct PoolCase {
  const char* name;
  int64_t h, w;
  std::vector<std::vector<int64_t>> windows;  // kernel of each AveragePool stage
  bool unpad;                                  // ends with the Mul that undoes zero padding
};

class GlobalPoolToAveragePool : public testing::TestWithParam<PoolCase> {};

TEST_P(GlobalPoolToAveragePool, PoolsWithDlaSizedWindows) {
  const PoolCase& c = GetParam();
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {2, 3, c.h, c.w});
  b.output(b.op(OpKind::GlobalAveragePool, {x}, {}, "gap"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "global_pool_to_average_pool");

  EXPECT_EQ(count_ops(after, OpKind::GlobalAveragePool), 0);
  std::vector<const Node*> pools = nodes_of(after, OpKind::AveragePool);
  ASSERT_EQ(pools.size(), c.windows.size());
  for (size_t i = 0; i < pools.size(); ++i) {
    EXPECT_EQ(pools[i]->attrs.get_ints("kernel_shape"), c.windows[i]) << "stage " << i;
    for (int64_t k : pools[i]->attrs.get_ints("kernel_shape")) EXPECT_LE(k, 8);
  }
  EXPECT_EQ(pools.front()->name, "gap");  // the first stage keeps the ONNX node's name
  EXPECT_EQ(count_ops(after, OpKind::Mul), c.unpad ? 1 : 0);
  expect_same_outputs(before, after);
}

INSTANTIATE_TEST_SUITE_P(
    Windows, GlobalPoolToAveragePool,
    testing::Values(PoolCase{"ResNetHead7x7", 7, 7, {{7, 7}}, false},
                    PoolCase{"Window8", 8, 8, {{8, 8}}, false},
                    PoolCase{"Cascade16x12", 16, 12, {{8, 6}, {2, 2}}, false},
                    PoolCase{"Cascade20x1", 20, 1, {{5, 1}, {4, 1}}, false},
                    PoolCase{"Padded13", 13, 13, {{8, 8}, {2, 2}}, true}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(GlobalPoolToAveragePool, ReduceMeanOverHwWithoutKeepdimsEndsWithAReshape) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 4, 6, 5});
  b.output(b.op(OpKind::ReduceMean, {x}, {{"axes", std::vector<int64_t>{-1, 2}}, {"keepdims", int64_t{0}}}, "mean"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "global_pool_to_average_pool");
  EXPECT_EQ(count_ops(after, OpKind::ReduceMean), 0);
  ASSERT_EQ(count_ops(after, OpKind::AveragePool), 1);
  EXPECT_EQ(nodes_of(after, OpKind::AveragePool)[0]->attrs.get_ints("kernel_shape"), (std::vector<int64_t>{6, 5}));
  EXPECT_EQ(count_ops(after, OpKind::Reshape), 1);
  EXPECT_EQ(after.value(after.outputs[0]).shape, (Shape{1, 4}));
  expect_same_outputs(before, after);
}

TEST(GlobalPoolToAveragePool, ReduceMeanOverWOnlyPoolsAlongW) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 4, 3, 6});
  b.output(b.op(OpKind::ReduceMean, {x}, {{"axes", std::vector<int64_t>{3}}}, "mean"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "global_pool_to_average_pool");
  ASSERT_EQ(count_ops(after, OpKind::AveragePool), 1);
  EXPECT_EQ(nodes_of(after, OpKind::AveragePool)[0]->attrs.get_ints("kernel_shape"), (std::vector<int64_t>{1, 6}));
  expect_same_outputs(before, after);
}

TEST(GlobalPoolToAveragePool, LeavesReduceMeanOverChannelsAlone) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 4, 3, 6});
  b.output(b.op(OpKind::ReduceMean, {x}, {{"axes", std::vector<int64_t>{1}}}, "mean"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "global_pool_to_average_pool");
  EXPECT_EQ(count_ops(after, OpKind::ReduceMean), 1);
  EXPECT_EQ(count_ops(after, OpKind::AveragePool), 0);
}

// ---- fc_to_conv --------------------------------------------------------------------------------------------

TEST(FcToConv, FlattenGemmBecomesOneByOneConvAndReshape) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {2, 8, 1, 1});
  ValueId flat = b.op(OpKind::Flatten, {x}, {{"axis", int64_t{1}}}, "flatten");
  ValueId w = b.initializer("fc_w", random_tensor(DType::f32, {5, 8}, 3));
  ValueId bias = b.initializer("fc_b", random_tensor(DType::f32, {5}, 4));
  b.output(b.op(OpKind::Gemm, {flat, w, bias}, {{"transB", int64_t{1}}}, "fc"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "fc_to_conv,eliminate_dead_nodes");

  EXPECT_EQ(count_ops(after, OpKind::Gemm), 0);
  EXPECT_EQ(count_ops(after, OpKind::Flatten), 0);
  std::vector<const Node*> convs = nodes_of(after, OpKind::Conv);
  ASSERT_EQ(convs.size(), 1u);
  EXPECT_EQ(convs[0]->name, "fc");
  EXPECT_EQ(convs[0]->inputs[0], after.inputs[0]);  // reads the feature map itself
  EXPECT_EQ(after.value(convs[0]->inputs[1]).shape, (Shape{5, 8, 1, 1}));
  EXPECT_EQ(count_ops(after, OpKind::Reshape), 1);
  EXPECT_EQ(after.value(after.outputs[0]).shape, (Shape{2, 5}));
  expect_same_outputs(before, after);
}

TEST(FcToConv, ReshapeMatMulAddOnASpatialMapBecomesAFullKernelConv) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {2, 4, 3, 3});
  ValueId flat = b.op(OpKind::Reshape, {x, b.initializer("shape", Tensor::from_vector<int64_t>({2}, {2, 36}))}, {}, "flatten");
  ValueId mm = b.op(OpKind::MatMul, {flat, b.initializer("w", random_tensor(DType::f32, {36, 6}, 5))}, {}, "mm");
  b.output(b.op(OpKind::Add, {mm, b.initializer("bias", random_tensor(DType::f32, {6}, 6))}, {}, "add"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "fc_to_conv,eliminate_dead_nodes");

  EXPECT_EQ(count_ops(after, OpKind::MatMul), 0);
  EXPECT_EQ(count_ops(after, OpKind::Add), 0);  // the bias moved into the Conv
  std::vector<const Node*> convs = nodes_of(after, OpKind::Conv);
  ASSERT_EQ(convs.size(), 1u);
  EXPECT_EQ(convs[0]->attrs.get_ints("kernel_shape"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(convs[0]->origin, (std::vector<std::string>{"mm", "add"}));
  expect_same_outputs(before, after);
}

TEST(FcToConv, FoldsAlphaAndBetaAndChainsThroughAClassifier) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 6, 1, 1});
  ValueId flat = b.op(OpKind::Squeeze, {x, b.initializer("axes", Tensor::from_vector<int64_t>({2}, {2, 3}))}, {}, "squeeze");
  ValueId h = b.op(OpKind::Gemm, {flat, b.initializer("w1", random_tensor(DType::f32, {6, 7}, 7)),
                                  b.initializer("b1", random_tensor(DType::f32, {1, 7}, 8))},
                   {{"alpha", 0.5f}, {"beta", 2.0f}}, "fc1");
  ValueId r = b.op(OpKind::Relu, {h}, {}, "relu");
  b.output(b.op(OpKind::Gemm, {r, b.initializer("w2", random_tensor(DType::f32, {3, 7}, 9))}, {{"transB", int64_t{1}}}, "fc2"));
  Graph before = build_inferred(b);
  // fc2 reads a 2-D Relu output, not a flattened map: only fc1 becomes a convolution.
  Graph after = optimized(before, "fc_to_conv,eliminate_dead_nodes");
  EXPECT_EQ(count_ops(after, OpKind::Conv), 1);
  EXPECT_EQ(count_ops(after, OpKind::Gemm), 1);
  expect_same_outputs(before, after);
}

TEST(FcToConv, ConvertsStackedFullyConnectedLayers) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 6, 1, 1});
  ValueId flat = b.op(OpKind::Flatten, {x}, {}, "flatten");
  ValueId h = b.op(OpKind::Gemm, {flat, b.initializer("w1", random_tensor(DType::f32, {6, 7}, 7))}, {}, "fc1");
  b.output(b.op(OpKind::Gemm, {h, b.initializer("w2", random_tensor(DType::f32, {7, 3}, 9))}, {}, "fc2"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "fc_to_conv,eliminate_dead_nodes");
  EXPECT_EQ(count_ops(after, OpKind::Conv), 2);
  EXPECT_EQ(count_ops(after, OpKind::Gemm), 0);
  EXPECT_EQ(count_ops(after, OpKind::Reshape), 1);  // only the one that restores the output shape
  expect_same_outputs(before, after);
}

TEST(FcToConv, LeavesGemmOnATwoDimensionalInputAlone) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {2, 8});
  b.output(b.op(OpKind::Gemm, {x, b.initializer("w", random_tensor(DType::f32, {8, 3}, 3))}, {}, "fc"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "fc_to_conv");
  EXPECT_EQ(count_ops(after, OpKind::Gemm), 1);
  EXPECT_EQ(count_ops(after, OpKind::Conv), 0);
}

// ---- keep_4d_outputs ---------------------------------------------------------------------------------------

TEST(Keep4dOutputs, DropsTheFinalReshapeKeepingValuesAndName) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 8, 1, 1});
  ValueId flat = b.op(OpKind::Flatten, {x}, {}, "flatten");
  b.output(b.op(OpKind::Gemm, {flat, b.initializer("w", random_tensor(DType::f32, {8, 4}, 3))}, {}, "fc"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "fc_to_conv,eliminate_dead_nodes,keep_4d_outputs");
  EXPECT_EQ(count_ops(after, OpKind::Reshape), 0);
  EXPECT_EQ(after.value(after.outputs[0]).name, before.value(before.outputs[0]).name);
  EXPECT_EQ(after.value(after.outputs[0]).shape, (Shape{1, 4, 1, 1}));
  std::vector<Tensor> in = {random_tensor(DType::f32, {1, 8, 1, 1}, 1)};
  std::vector<Tensor> expected = test::run_reference(before, in), actual = test::run_reference(after, in);
  ASSERT_EQ(actual.size(), 1u);
  EXPECT_LE(test::relative_l2(expected[0], actual[0].reshaped({1, 4})), 1e-5);
}

// ---- batchnorm_to_conv -------------------------------------------------------------------------------------

TEST(BatchnormToConv, StandaloneBatchnormBecomesDepthwiseConv) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 4, 4});
  ValueId y = b.input("y", DType::f32, {1, 3, 4, 4});
  ValueId sum = b.op(OpKind::Add, {x, y}, {}, "add");
  Tensor var = random_tensor(DType::f32, {3}, 14);
  for (float& v : var.values<float>()) v = v * v + 0.1f;
  b.output(b.op(OpKind::BatchNormalization,
                {sum, b.initializer("s", random_tensor(DType::f32, {3}, 11)), b.initializer("t", random_tensor(DType::f32, {3}, 12)),
                 b.initializer("m", random_tensor(DType::f32, {3}, 13)), b.initializer("v", std::move(var))},
                {{"epsilon", 1e-3f}}, "bn"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "batchnorm_to_conv");
  EXPECT_EQ(count_ops(after, OpKind::BatchNormalization), 0);
  std::vector<const Node*> convs = nodes_of(after, OpKind::Conv);
  ASSERT_EQ(convs.size(), 1u);
  EXPECT_EQ(convs[0]->attrs.get_int("group", 1), 3);
  EXPECT_EQ(after.value(convs[0]->inputs[1]).shape, (Shape{3, 1, 1, 1}));
  expect_same_outputs(before, after);
}

// ---- hard_activations_to_clip ------------------------------------------------------------------------------

class HardActivations : public testing::TestWithParam<Shape> {};

TEST_P(HardActivations, BecomeAffineClipAndMul) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, GetParam());
  // Values well past the clip points on both sides.
  ValueId wide = b.op(OpKind::Mul, {x, b.initializer("k", Tensor::scalar<float>(8.0f))}, {}, "wide");
  ValueId hs = b.op(OpKind::HardSigmoid, {wide}, {{"alpha", 0.3f}, {"beta", 0.4f}}, "hsig");
  b.output(b.op(OpKind::HardSwish, {hs}, {}, "hswish"));
  b.output(b.op(OpKind::HardSwish, {wide}, {}, "hswish_wide"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "hard_activations_to_clip");
  EXPECT_EQ(count_ops(after, OpKind::HardSigmoid), 0);
  EXPECT_EQ(count_ops(after, OpKind::HardSwish), 0);
  EXPECT_EQ(count_ops(after, OpKind::Clip), 3);
  const bool four_d = GetParam().size() == 4;
  EXPECT_EQ(count_ops(after, OpKind::Conv), four_d ? 3 : 0);
  EXPECT_EQ(count_ops(after, OpKind::Add), four_d ? 0 : 3);
  for (const Node* clip : nodes_of(after, OpKind::Clip)) {
    EXPECT_EQ(after.value(clip->inputs[1]).data->to_float_vector(), std::vector<float>{0.0f});
    EXPECT_EQ(after.value(clip->inputs[2]).data->to_float_vector(), std::vector<float>{1.0f});
  }
  expect_same_outputs(before, after);
}

INSTANTIATE_TEST_SUITE_P(Ranks, HardActivations, testing::Values(Shape{1, 4, 5, 5}, Shape{2, 7}));

// ---- div_to_mul --------------------------------------------------------------------------------------------

TEST(DivToMul, DivisionByAConstantBecomesMultiplicationByItsReciprocal) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 4, 4});
  ValueId six = b.op(OpKind::Div, {x, b.initializer("six", Tensor::scalar<float>(6.0f))}, {}, "div6");
  b.output(b.op(OpKind::Div, {six, b.initializer("c", Tensor::from_vector<float>({1, 3, 1, 1}, {2.0f, 3.0f, -0.5f}))}, {}, "divc"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "div_to_mul");
  EXPECT_EQ(count_ops(after, OpKind::Div), 0);
  EXPECT_EQ(count_ops(after, OpKind::Mul), 2);
  EXPECT_EQ(after.nodes[0].name, "div6");
  expect_same_outputs(before, after);
}

TEST(DivToMul, LeavesZeroAndRunTimeDivisorsAlone) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 2});
  ValueId y = b.input("y", DType::f32, {1, 2});
  ValueId q = b.op(OpKind::Div, {x, b.initializer("z", Tensor::from_vector<float>({2}, {1.0f, 0.0f}))}, {}, "divz");
  b.output(b.op(OpKind::Div, {q, y}, {}, "divy"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "div_to_mul");
  EXPECT_EQ(count_ops(after, OpKind::Div), 2);
}

// ---- split_max_pool ----------------------------------------------------------------------------------------

class SplitMaxPool : public testing::TestWithParam<int64_t> {};

TEST_P(SplitMaxPool, SameMaxPoolBecomesACascadeOfSmallWindows) {
  const int64_t k = GetParam(), half = (k - 1) / 2;
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 2, 11, 10});
  b.output(b.op(OpKind::MaxPool, {x},
                {{"kernel_shape", std::vector<int64_t>{k, k}}, {"pads", std::vector<int64_t>{half, half, half, half}}},
                "pool"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "split_max_pool");
  std::vector<const Node*> pools = nodes_of(after, OpKind::MaxPool);
  ASSERT_GE(pools.size(), 2u);
  int64_t reach = 0;
  for (const Node* p : pools) {
    int64_t w = p->attrs.get_ints("kernel_shape")[0];
    EXPECT_LE(w, 8);
    EXPECT_LE(p->attrs.get_ints("pads")[0], 7);
    reach += w - 1;
  }
  EXPECT_EQ(reach, k - 1);
  expect_same_outputs(before, after);
}

INSTANTIATE_TEST_SUITE_P(Windows, SplitMaxPool, testing::Values(9, 13, 15));

// ---- undilate_conv -----------------------------------------------------------------------------------------

struct DilationCase {
  int64_t dilation, pad;
  bool rewritten;
};

class UndilateConv : public testing::TestWithParam<DilationCase> {};

TEST_P(UndilateConv, WritesTheDilationIntoTheKernelOnlyWhereTheDlaRefusesIt) {
  const DilationCase& c = GetParam();
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 12, 10});
  b.output(b.op(OpKind::Conv, {x, b.initializer("w", random_tensor(DType::f32, {4, 3, 3, 3}, 2))},
                {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"dilations", std::vector<int64_t>{c.dilation, c.dilation}},
                 {"pads", std::vector<int64_t>{c.pad, c.pad, c.pad, c.pad}}},
                "conv"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "undilate_conv");
  const Node& conv = after.nodes.at(0);
  const int64_t k = c.rewritten ? 2 * c.dilation + 1 : 3;
  EXPECT_EQ(after.value(conv.inputs[1]).shape, (Shape{4, 3, k, k}));
  EXPECT_EQ(conv.attrs.get_ints("dilations"), (std::vector<int64_t>(2, c.rewritten ? 1 : c.dilation)));
  expect_same_outputs(before, after);
}

INSTANTIATE_TEST_SUITE_P(Dilations, UndilateConv,
                         testing::Values(DilationCase{3, 3, true}, DilationCase{5, 5, true}, DilationCase{2, 2, false}));

// ---- concat_to_channel_axis --------------------------------------------------------------------------------

class ConcatToChannelAxis : public testing::TestWithParam<int64_t> {};

TEST_P(ConcatToChannelAxis, ConcatenatesOnCBetweenTransposes) {
  const int64_t axis = GetParam();
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {2, 3, 4, 5});
  ValueId y = b.input("y", DType::f32, axis == 2 || axis == -2 ? Shape{2, 3, 2, 5} : Shape{2, 3, 4, 6});
  b.output(b.op(OpKind::Concat, {x, y}, {{"axis", axis}}, "cat"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "concat_to_channel_axis");
  std::vector<const Node*> cats = nodes_of(after, OpKind::Concat);
  ASSERT_EQ(cats.size(), 1u);
  EXPECT_EQ(cats[0]->attrs.get_int("axis", 0), 1);
  EXPECT_EQ(count_ops(after, OpKind::Transpose), 3);
  expect_same_outputs(before, after);
}

INSTANTIATE_TEST_SUITE_P(Axes, ConcatToChannelAxis, testing::Values(2, 3, -2, -1));

TEST(ConcatToChannelAxisRank, LeavesThreeDimensionalConcatAlone) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 5, 4});
  ValueId y = b.input("y", DType::f32, {1, 5, 2});
  b.output(b.op(OpKind::Concat, {x, y}, {{"axis", int64_t{2}}}, "cat"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "concat_to_channel_axis");
  EXPECT_EQ(count_ops(after, OpKind::Transpose), 0);
}

// ---- resize_sizes_to_scales --------------------------------------------------------------------------------

TEST(ResizeSizesToScales, ConstantSizesBecomeScales) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 2, 3, 5});
  ValueId sizes = b.initializer("sizes", Tensor::from_vector<int64_t>({4}, {1, 2, 6, 10}));
  b.output(b.op(OpKind::Resize, {x, kNoValue, kNoValue, sizes}, {{"mode", std::string("nearest")}}, "up"));
  Graph before = build_inferred(b);
  Graph after = optimized(before, "resize_sizes_to_scales");
  const Node& r = after.nodes[0];
  ASSERT_EQ(r.inputs.size(), 3u);
  EXPECT_EQ(after.value(r.inputs[2]).data->to_float_vector(), (std::vector<float>{1, 1, 2, 2}));
  expect_same_outputs(before, after);
}

// ---- the pass list -----------------------------------------------------------------------------------------

TEST(DlaPassList, Keep4dOutputsRunsOnlyWhenAskedForAndLast) {
  std::string plain = passes::dla::dla_pass_list("default", false);
  EXPECT_EQ(plain.find("keep_4d_outputs"), std::string::npos);
  EXPECT_EQ(plain.rfind("fold_constants", 0), 0u);
  std::string keep = passes::dla::dla_pass_list("default", true);
  EXPECT_EQ(keep, plain + ",keep_4d_outputs");
  EXPECT_EQ(passes::dla::dla_pass_list("fc_to_conv", true), "fc_to_conv,keep_4d_outputs");
  EXPECT_EQ(passes::dla::dla_pass_list("fc_to_conv,keep_4d_outputs", true), "fc_to_conv,keep_4d_outputs");
  // With the flag, the list names every pass optimize has.
  for (const Pass& p : passes::dla::dla_passes()) EXPECT_NE(keep.find(p.name), std::string::npos) << p.name;
}

// ---- compare_outputs (optimize --verify) -------------------------------------------------------------------

Graph unary_graph(OpKind op) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 4, 4});
  b.output(b.op(op, {x}, {}, "logits"));
  return build_inferred(b);
}

TEST(CompareOutputs, NamesTheOutputThatDiffers) {
  Graph relu = unary_graph(OpKind::Relu), sigmoid = unary_graph(OpKind::Sigmoid);
  std::vector<Tensor> inputs = passes::dla::seeded_inputs(relu, 1);
  Result<std::vector<passes::dla::OutputComparison>> same = passes::dla::compare_outputs(relu, relu, inputs, 1e-5);
  ASSERT_TRUE(same.ok()) << same.status().message();
  EXPECT_EQ(same->at(0).output, "logits");
  EXPECT_EQ(same->at(0).relative_l2, 0.0);
  Result<std::vector<passes::dla::OutputComparison>> differ = passes::dla::compare_outputs(relu, sigmoid, inputs, 1e-5);
  ASSERT_FALSE(differ.ok());
  EXPECT_NE(differ.status().message().find("output 'logits'"), std::string::npos) << differ.status().message();
}

TEST(CompareOutputs, NearZeroOutputsAreComparedAbsolutely) {
  // Both outputs are far below 1e-3 RMS: the 20% relative difference (2e-7 absolute) counts as 2e-4.
  GraphBuilder a, b;
  ValueId xa = a.input("x", DType::f32, {1, 8});
  a.output(a.op(OpKind::Mul, {xa, a.initializer("k", Tensor::scalar<float>(1e-6f))}, {}, "y"));
  ValueId xb = b.input("x", DType::f32, {1, 8});
  b.output(b.op(OpKind::Mul, {xb, b.initializer("k", Tensor::scalar<float>(1.2e-6f))}, {}, "y"));
  Graph small = build_inferred(a), other = build_inferred(b);
  std::vector<Tensor> ones = {Tensor::from_vector<float>({1, 8}, std::vector<float>(8, 1.0f))};
  EXPECT_TRUE(passes::dla::compare_outputs(small, other, ones, 1e-3).ok());
  EXPECT_FALSE(passes::dla::compare_outputs(small, other, ones, 1e-5).ok());
}

}  // namespace
}  // namespace es
