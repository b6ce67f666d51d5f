#include "support/graph_test_util.h"
#include "passes/passes.h"

#include <gtest/gtest.h>

namespace es {
namespace {

using test::build_inferred;
using test::count_ops;
using test::expect_same_outputs;

Tensor i64s(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }

TEST(EliminateIdentity, RemovesIdentityAndInferenceDropoutChains) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {2, 8});
  ValueId r = b.op(OpKind::Relu, {x}, {}, "relu");
  ValueId d = b.op(OpKind::Dropout, {b.op(OpKind::Identity, {r})});
  b.output(b.op(OpKind::Sigmoid, {b.op(OpKind::Identity, {d})}, {}, "sigmoid"));
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::eliminate_identity(after));

  ASSERT_EQ(after.nodes.size(), 2u);
  EXPECT_EQ(after.nodes[0].op, OpKind::Relu);
  EXPECT_EQ(after.nodes[1].op, OpKind::Sigmoid);
  EXPECT_EQ(after.nodes[1].inputs[0], after.nodes[0].outputs[0]);
  EXPECT_TRUE(verify(after).ok());
  expect_same_outputs(before, after);
}

TEST(EliminateIdentity, KeepsTheGraphOutputName) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {4});
  b.output(b.op(OpKind::Identity, {b.op(OpKind::Relu, {x}, {}, "relu")}, {}, "y"));
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::eliminate_identity(after));

  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.value(after.outputs[0]).name, "y");
  EXPECT_EQ(after.value(after.outputs[0]).producer, 0);
  EXPECT_TRUE(verify(after).ok());
  expect_same_outputs(before, after);
}

TEST(EliminateIdentity, KeepsIdentityFromGraphInputToGraphOutput) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {4});
  ValueId r = b.op(OpKind::Relu, {x});
  b.output(r);
  b.output(b.op(OpKind::Identity, {x}, {}, "copy_of_input"));
  b.output(b.op(OpKind::Identity, {r}, {}, "copy_of_output"));
  Graph g = build_inferred(b);

  EXPECT_FALSE(*passes::eliminate_identity(g));
  EXPECT_EQ(count_ops(g, OpKind::Identity), 2);
}

TEST(EliminateIdentity, RemovesOnlyProvableNoOps) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {3, 3});
  ValueId v = b.op(OpKind::Reshape, {x, b.initializer("same", i64s({3, -1}))}, {}, "noop_reshape");
  v = b.op(OpKind::Reshape, {v, b.initializer("flat", i64s({9, 1}))}, {}, "real_reshape");
  v = b.op(OpKind::Reshape, {v, b.initializer("back", i64s({3, 3}))}, {}, "reshape_back");
  v = b.op(OpKind::Transpose, {v}, {{"perm", std::vector<int64_t>{0, 1}}}, "noop_transpose");
  v = b.op(OpKind::Transpose, {v}, {{"perm", std::vector<int64_t>{1, 0}}}, "real_transpose");
  v = b.op(OpKind::Transpose, {v}, {}, "reversing_transpose");
  v = b.op(OpKind::Cast, {v}, {{"to", int64_t{1}}}, "noop_cast");
  v = b.op(OpKind::Pad, {v, b.initializer("zeros", i64s({0, 0, 0, 0}))}, {}, "noop_pad");
  v = b.op(OpKind::Pad, {v, b.initializer("ones", i64s({0, 1, 0, 1}))}, {}, "real_pad");
  v = b.op(OpKind::Expand, {v, b.initializer("same_shape", i64s({1, 5}))}, {}, "noop_expand");
  b.output(v);
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::eliminate_identity(after));

  std::vector<std::string> kept;
  for (const Node& n : after.nodes) kept.push_back(n.name);
  EXPECT_EQ(kept, (std::vector<std::string>{"real_reshape", "reshape_back", "real_transpose", "reversing_transpose",
                                            "real_pad"}));
  EXPECT_TRUE(verify(after).ok());
  expect_same_outputs(before, after);
}

TEST(EliminateIdentity, KeepsDropoutInTrainingModeOrWithAUsedMask) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {4});
  ValueId training = b.initializer("training", Tensor::scalar<bool>(true));
  ValueId ratio = b.initializer("ratio", Tensor::scalar<float>(0.0f));
  b.output(b.op(OpKind::Dropout, {x, ratio, training}, {}, "training_dropout"));
  std::vector<ValueId> outs = b.ops(OpKind::Dropout, {b.op(OpKind::Relu, {x})}, 2, {}, "masked_dropout");
  b.output(outs[0]);
  b.output(outs[1]);
  Graph g = build_inferred(b);

  EXPECT_FALSE(*passes::eliminate_identity(g));
  EXPECT_EQ(count_ops(g, OpKind::Dropout), 2);
}

}  // namespace
}  // namespace es
