#include "support/graph_test_util.h"
#include "passes/passes.h"

#include <gtest/gtest.h>

namespace es {
namespace {

using test::add_conv;
using test::build_inferred;
using test::expect_same_outputs;
using test::random_tensor;

// BatchNormalization with random constant parameters (variance kept positive).
ValueId add_batchnorm(GraphBuilder& b, ValueId x, int64_t channels, const std::string& name) {
  Tensor var = random_tensor(DType::f32, {channels}, 14);
  for (float& v : var.values<float>()) v = v * v + 0.1f;
  return b.op(OpKind::BatchNormalization,
              {x, b.initializer(name + "_scale", random_tensor(DType::f32, {channels}, 11)),
               b.initializer(name + "_shift", random_tensor(DType::f32, {channels}, 12)),
               b.initializer(name + "_mean", random_tensor(DType::f32, {channels}, 13)),
               b.initializer(name + "_var", std::move(var))},
              {{"epsilon", 1e-3f}}, name);
}

class FuseConvBatchnorm : public testing::TestWithParam<bool> {};

TEST_P(FuseConvBatchnorm, FoldsParametersIntoTheConv) {
  const bool with_bias = GetParam();
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 6, 6});
  b.output(add_batchnorm(b, add_conv(b, x, 3, 4, with_bias, "conv", 1), 4, "bn"));
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::fuse_conv_batchnorm(after));

  ASSERT_EQ(after.nodes.size(), 1u);
  const Node& conv = after.nodes[0];
  EXPECT_EQ(conv.op, OpKind::Conv);
  EXPECT_EQ(conv.name, "conv");
  EXPECT_EQ(conv.origin, (std::vector<std::string>{"conv", "bn"}));
  ASSERT_EQ(conv.inputs.size(), 3u);
  EXPECT_TRUE(after.value(conv.inputs[2]).is_initializer());
  EXPECT_EQ(after.value(conv.outputs[0]).name, "bn");
  EXPECT_EQ(after.find_value("bn_scale"), kNoValue);
  EXPECT_TRUE(verify(after).ok());
  expect_same_outputs(before, after);
}

INSTANTIATE_TEST_SUITE_P(Bias, FuseConvBatchnorm, testing::Bool(),
                         [](const auto& info) { return info.param ? "WithBias" : "WithoutBias"; });

TEST(FuseConvBatchnormNegative, ConvOutputWithTwoReaders) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 6, 6});
  ValueId c = add_conv(b, x, 3, 4, true, "conv", 1);
  b.output(add_batchnorm(b, c, 4, "bn"));
  b.output(b.op(OpKind::Relu, {c}));
  Graph g = build_inferred(b);
  EXPECT_FALSE(*passes::fuse_conv_batchnorm(g));
  EXPECT_EQ(g.nodes.size(), 3u);
}

TEST(FuseConvBatchnormNegative, ConvOutputIsAGraphOutput) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 6, 6});
  ValueId c = add_conv(b, x, 3, 4, true, "conv", 1);
  b.output(c);
  b.output(add_batchnorm(b, c, 4, "bn"));
  Graph g = build_inferred(b);
  EXPECT_FALSE(*passes::fuse_conv_batchnorm(g));
  EXPECT_EQ(g.nodes.size(), 2u);
}

TEST(FuseConvBatchnormNegative, NonConstantParameters) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 6, 6});
  ValueId scale = b.input("scale", DType::f32, {4});
  ValueId c = add_conv(b, x, 3, 4, true, "conv", 1);
  auto param = [&](const char* name) { return b.initializer(name, random_tensor(DType::f32, {4}, 5)); };
  b.output(b.op(OpKind::BatchNormalization, {c, scale, param("shift"), param("mean"), b.initializer("var", Tensor::from_vector<float>({4}, {1, 1, 1, 1}))}));
  Graph g = build_inferred(b);
  EXPECT_FALSE(*passes::fuse_conv_batchnorm(g));
  EXPECT_EQ(g.nodes.size(), 2u);
}

}  // namespace
}  // namespace es
