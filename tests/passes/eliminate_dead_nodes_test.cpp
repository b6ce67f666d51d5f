#include "support/graph_test_util.h"
#include "passes/passes.h"

#include <gtest/gtest.h>

namespace es {
namespace {

TEST(EliminateDeadNodes, RemovesBranchesThatReachNoOutputAndTheirValues) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {4});
  ValueId unused_weight = b.initializer("unused_weight", test::random_tensor(DType::f32, {4}, 1));
  ValueId dead = b.op(OpKind::Mul, {b.op(OpKind::Relu, {x}, {}, "dead_relu"), unused_weight}, {}, "dead_mul");
  b.op(OpKind::Neg, {dead}, {}, "dead_neg");
  b.output(b.op(OpKind::Sigmoid, {x}, {}, "live"));
  Graph before = test::build_inferred(b);
  Graph after = before;

  ASSERT_TRUE(*passes::eliminate_dead_nodes(after));

  ASSERT_EQ(after.nodes.size(), 1u);
  EXPECT_EQ(after.nodes[0].name, "live");
  EXPECT_EQ(after.find_value("unused_weight"), kNoValue);
  EXPECT_EQ(after.inputs.size(), 1u) << "graph inputs stay even when unused";
  EXPECT_TRUE(verify(after).ok());
  test::expect_same_outputs(before, after);
  EXPECT_FALSE(*passes::eliminate_dead_nodes(after));
}

TEST(EliminateDeadNodes, KeepsMultiOutputNodesWithOneLiveOutput) {
  GraphBuilder b;
  ValueId x = b.input("x", DType::f32, {4, 2});
  std::vector<ValueId> halves = b.ops(OpKind::Split, {x}, 2, {{"axis", int64_t{0}}}, "split");
  b.output(halves[1]);
  Graph g = test::build_inferred(b);

  EXPECT_FALSE(*passes::eliminate_dead_nodes(g));
  EXPECT_EQ(g.nodes.size(), 1u);
}

}  // namespace
}  // namespace es
