#include "support/graph_test_util.h"
#include "passes/passes.h"

#include <gtest/gtest.h>

namespace es {
namespace {

using test::build_inferred;
using test::count_ops;
using test::expect_same_outputs;

Tensor i64s(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }

TEST(FoldConstants, FoldsShapeChainOfGraphInputIntoReshapeTarget) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {2, 3, 4});
  ValueId shape = b.op(OpKind::Shape, {x});
  ValueId first = b.op(OpKind::Gather, {shape, b.initializer("zero", Tensor::scalar<int64_t>(0))});
  ValueId unsq = b.op(OpKind::Unsqueeze, {first, b.initializer("axes", i64s({0}))});
  ValueId target = b.op(OpKind::Concat, {unsq, b.initializer("rest", i64s({-1}))}, {{"axis", int64_t{0}}});
  b.output(b.op(OpKind::Reshape, {x, target}, {}, "reshape"));
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::fold_constants(after));

  ASSERT_EQ(after.nodes.size(), 1u);
  const Node& reshape = after.nodes[0];
  EXPECT_EQ(reshape.op, OpKind::Reshape);
  ASSERT_TRUE(after.value(reshape.inputs[1]).is_initializer());
  EXPECT_EQ(after.value(reshape.inputs[1]).data->to_int64_vector(), (std::vector<int64_t>{2, -1}));
  EXPECT_TRUE(verify(after).ok());
  expect_same_outputs(before, after);
  EXPECT_FALSE(*passes::fold_constants(after)) << "one sweep reaches the fixpoint";
}

TEST(FoldConstants, EvaluatesLargeConstantArithmeticWithTheReferenceKernels) {
  // 10000 elements: more than shape inference propagates, so the pass itself evaluates the Add.
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {100, 100});
  ValueId sum = b.op(OpKind::Add, {b.initializer("a", test::random_tensor(DType::f32, {100, 100}, 1)),
                                   b.initializer("b", test::random_tensor(DType::f32, {100, 100}, 2))});
  b.output(b.op(OpKind::Mul, {x, sum}));
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::fold_constants(after));

  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.nodes[0].op, OpKind::Mul);
  EXPECT_TRUE(after.value(after.nodes[0].inputs[1]).is_initializer());
  EXPECT_EQ(after.find_value("a"), kNoValue) << "inputs of folded nodes that nothing reads are dropped";
  expect_same_outputs(before, after);
}

TEST(FoldConstants, NeverFoldsAGraphInputEvenWithADefaultValue) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {4});
  b.graph().value(x).data = std::make_shared<const Tensor>(test::random_tensor(DType::f32, {4}, 3));
  b.output(b.op(OpKind::Neg, {b.op(OpKind::Relu, {x})}));
  Graph g = build_inferred(b);

  EXPECT_FALSE(*passes::fold_constants(g));
  EXPECT_EQ(g.nodes.size(), 2u);
}

TEST(FoldConstants, LeavesHugeConstantsUnmaterialised) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {10000, 10000});
  ValueId huge = b.op(OpKind::ConstantOfShape, {b.initializer("huge_shape", i64s({10000, 10000}))}, {}, "huge");
  ValueId small = b.op(OpKind::ConstantOfShape, {b.initializer("small_shape", i64s({1, 10000}))}, {}, "small");
  b.output(b.op(OpKind::Add, {b.op(OpKind::Mul, {x, huge}), small}));
  Graph g = build_inferred(b);

  ASSERT_TRUE(*passes::fold_constants(g));

  EXPECT_EQ(count_ops(g, OpKind::ConstantOfShape), 1);
  EXPECT_NE(g.find_node("huge"), kNoNode);
  EXPECT_EQ(g.find_node("small"), kNoNode);
  EXPECT_TRUE(g.value(g.find_value("small")).is_initializer());
}

TEST(FoldConstants, KeepsTheNodeThatWritesAGraphOutput) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {3});
  b.output(b.op(OpKind::Relu, {x}));
  ValueId c = b.op(OpKind::Neg, {b.initializer("c", test::random_tensor(DType::f32, {3}, 4))}, {}, "neg");
  b.output(b.op(OpKind::Abs, {c}, {}, "abs"));
  Graph before = build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::fold_constants(after));

  EXPECT_EQ(after.find_node("neg"), kNoNode);
  EXPECT_NE(after.find_node("abs"), kNoNode);
  EXPECT_TRUE(verify(after).ok());
  expect_same_outputs(before, after);
}

}  // namespace
}  // namespace es
