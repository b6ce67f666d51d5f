#include "support/graph_test_util.h"
#include "passes/passes.h"

#include <gtest/gtest.h>

namespace es {
namespace {

using test::add_conv;
using test::build_inferred;
using test::expect_same_outputs;

struct AddCase {
  const char* name;
  bool conv_on_left;
  bool with_bias;
};

class FuseConvAdd : public testing::TestWithParam<AddCase> {};

TEST_P(FuseConvAdd, MovesTheResidualIntoTheSumInput) {
  const AddCase& param = GetParam();
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 4, 5, 5});
  ValueId residual = b.op(OpKind::Relu, {x}, {}, "shortcut");
  ValueId c = add_conv(b, x, 4, 4, param.with_bias, "conv", 3);
  b.output(b.op(OpKind::Add, param.conv_on_left ? std::vector{c, residual} : std::vector{residual, c}, {}, "add"));
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::fuse_conv_add(after));

  ASSERT_EQ(after.nodes.size(), 2u);
  const Node& fused = after.nodes[1];
  EXPECT_EQ(fused.op, OpKind::FusedConv);
  EXPECT_EQ(fused.name, "conv");
  EXPECT_EQ(fused.origin, (std::vector<std::string>{"conv", "add"}));
  ASSERT_EQ(fused.inputs.size(), 4u);
  EXPECT_EQ(fused.has_input(2), param.with_bias);
  EXPECT_EQ(after.value(fused.inputs[3]).name, "shortcut");
  EXPECT_EQ(fused.attrs.get_string("activation"), "");
  EXPECT_TRUE(verify(after).ok());
  expect_same_outputs(before, after);
}

INSTANTIATE_TEST_SUITE_P(Operands, FuseConvAdd,
                         testing::Values(AddCase{"ConvLeftWithBias", true, true}, AddCase{"ConvRightNoBias", false, false}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(FuseConvAddNegative, BroadcastOperand) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 4, 5, 5});
  ValueId c = add_conv(b, x, 4, 4, true, "conv", 3);
  b.output(b.op(OpKind::Add, {c, b.initializer("per_channel", test::random_tensor(DType::f32, {1, 4, 1, 1}, 9))}));
  Graph g = build_inferred(b);
  EXPECT_FALSE(*passes::fuse_conv_add(g));
}

TEST(FuseConvAddNegative, ConvOutputWithTwoReadersOrAddingItself) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 4, 5, 5});
  ValueId c = add_conv(b, x, 4, 4, true, "conv", 3);
  b.output(b.op(OpKind::Add, {c, x}));
  b.output(b.op(OpKind::Relu, {c}));
  ValueId d = add_conv(b, x, 4, 4, true, "conv2", 5);
  b.output(b.op(OpKind::Add, {d, d}));
  Graph g = build_inferred(b);
  EXPECT_FALSE(*passes::fuse_conv_add(g));
}

TEST(FuseConvAddNegative, ConvWithActivationAlready) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {1, 4, 5, 5});
  ValueId c = b.op(OpKind::FusedConv, {x, b.initializer("w", test::random_tensor(DType::f32, {4, 4, 1, 1}, 3))},
                   {{"activation", std::string("Relu")}});
  b.output(b.op(OpKind::Add, {c, x}));
  Graph g = build_inferred(b);
  EXPECT_FALSE(*passes::fuse_conv_add(g));
}

}  // namespace
}  // namespace es
