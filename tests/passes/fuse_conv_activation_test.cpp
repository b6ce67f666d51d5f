#include "support/graph_test_util.h"
#include "passes/passes.h"

#include <gtest/gtest.h>

#include <limits>

namespace es {
namespace {

using test::add_conv;
using test::build_inferred;
using test::expect_same_outputs;

struct ActivationCase {
  OpKind op;
  std::vector<std::pair<const char*, AttrValue>> attrs;
  std::vector<float> clip_bounds;  // Clip's min/max inputs
  std::vector<float> expected_params;
};

class FuseConvActivation : public testing::TestWithParam<ActivationCase> {};

TEST_P(FuseConvActivation, BecomesFusedConvWithActivation) {
  const ActivationCase& param = GetParam();
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 5, 5});
  std::vector<ValueId> inputs = {add_conv(b, x, 3, 4, true, "conv", 2)};
  for (float bound : param.clip_bounds) inputs.push_back(b.initializer("bound", Tensor::scalar<float>(bound)));
  ValueId act = b.op(param.op, inputs, {}, "act");
  for (const auto& [key, value] : param.attrs) b.graph().nodes.back().attrs.set(key, value);
  b.output(act);
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::fuse_conv_activation(after));

  ASSERT_EQ(after.nodes.size(), 1u);
  const Node& fused = after.nodes[0];
  EXPECT_EQ(fused.op, OpKind::FusedConv);
  EXPECT_EQ(fused.name, "conv");
  EXPECT_EQ(fused.origin, (std::vector<std::string>{"conv", "act"}));
  EXPECT_EQ(fused.attrs.get_string("activation"), op_name(param.op));
  EXPECT_EQ(fused.attrs.get_floats("activation_params"), param.expected_params);
  EXPECT_EQ(fused.attrs.get_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(after.value(after.outputs[0]).name, "act");
  EXPECT_TRUE(verify(after).ok());
  expect_same_outputs(before, after);
}

INSTANTIATE_TEST_SUITE_P(
    Activations, FuseConvActivation,
    testing::Values(ActivationCase{OpKind::Relu, {}, {}, {}},
                    ActivationCase{OpKind::Clip, {}, {0.0f, 6.0f}, {0.0f, 6.0f}},
                    ActivationCase{OpKind::LeakyRelu, {{"alpha", 0.2f}}, {}, {0.2f}},
                    ActivationCase{OpKind::LeakyRelu, {}, {}, {0.01f}},
                    ActivationCase{OpKind::Sigmoid, {}, {}, {}},
                    ActivationCase{OpKind::HardSigmoid, {{"alpha", 0.25f}}, {}, {0.25f, 0.5f}},
                    ActivationCase{OpKind::HardSwish, {}, {}, {}},
                    ActivationCase{OpKind::Tanh, {}, {}, {}}));

TEST(FuseConvActivationClip, OmittedMaxBecomesInfinity) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 5, 5});
  ValueId lo = b.initializer("lo", Tensor::scalar<float>(-0.5f));
  b.output(b.op(OpKind::Clip, {add_conv(b, x, 3, 4, false, "conv", 2), lo}));
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::fuse_conv_activation(after));

  EXPECT_EQ(after.nodes[0].attrs.get_floats("activation_params"),
            (std::vector<float>{-0.5f, std::numeric_limits<float>::infinity()}));
  expect_same_outputs(before, after);
}

TEST(FuseConvActivationClip, NonConstantMinIsNotFused) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 5, 5});
  ValueId lo = b.input("lo", DType::f32, {});
  b.output(b.op(OpKind::Clip, {add_conv(b, x, 3, 4, true, "conv", 2), lo}));
  Graph g = build_inferred(b);
  EXPECT_FALSE(*passes::fuse_conv_activation(g));
  EXPECT_EQ(g.nodes.size(), 2u);
}

TEST(FuseConvActivationNegative, ConvOutputIsAGraphOutputOrReadTwice) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 5, 5});
  ValueId c = add_conv(b, x, 3, 4, true, "conv", 2);
  b.output(c);
  b.output(b.op(OpKind::Relu, {c}));
  ValueId d = add_conv(b, x, 3, 4, true, "conv2", 4);
  b.output(b.op(OpKind::Relu, {d}));
  b.output(b.op(OpKind::Sigmoid, {d}));
  Graph g = build_inferred(b);
  EXPECT_FALSE(*passes::fuse_conv_activation(g));
}

TEST(FuseConvActivationNegative, OnlyOneActivationPerConv) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 3, 5, 5});
  b.output(b.op(OpKind::Tanh, {b.op(OpKind::Relu, {add_conv(b, x, 3, 4, true, "conv", 2)})}, {}, "tanh"));
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::fuse_conv_activation(after));

  ASSERT_EQ(after.nodes.size(), 2u);
  EXPECT_EQ(after.nodes[0].attrs.get_string("activation"), "Relu");
  EXPECT_EQ(after.nodes[1].op, OpKind::Tanh);
  expect_same_outputs(before, after);
}

}  // namespace
}  // namespace es
