#include "ir/builder.h"
#include "ir/graph.h"

#include <gtest/gtest.h>

namespace es {
namespace {

Graph relu_chain() {
  GraphBuilder b("chain");
  ValueId x = b.input("x", DType::f32, {1, 4});
  ValueId y = b.op(OpKind::Relu, {x});
  ValueId z = b.op(OpKind::Sigmoid, {y});
  b.output(z);
  Graph g = b.build();
  for (Value& v : g.values) { v.dtype = DType::f32; v.shape = {1, 4}; v.shape_known = true; }
  return g;
}

TEST(Graph, VerifyAcceptsWellFormedGraph) { EXPECT_TRUE(verify(relu_chain()).ok()); }

TEST(Graph, VerifyRejectsUseBeforeDefinition) {
  Graph g = relu_chain();
  std::swap(g.nodes[0], g.nodes[1]);
  g.refresh_producers();
  Status s = verify(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("before it is defined"), std::string::npos) << s.message();
  ASSERT_TRUE(g.sort_topologically().ok());
  EXPECT_TRUE(verify(g).ok());
}

TEST(Graph, VerifyRejectsMissingShape) {
  Graph g = relu_chain();
  g.value(g.nodes[0].outputs[0]).shape_known = false;
  EXPECT_FALSE(verify(g).ok());
  EXPECT_TRUE(verify(g, {.require_shapes = false}).ok());
}

TEST(Graph, ReplaceUsesAndRemoveNodes) {
  Graph g = relu_chain();
  // Drop the Relu: Sigmoid reads x directly.
  g.replace_uses(g.nodes[0].outputs[0], g.inputs[0]);
  g.remove_nodes({true, false});
  g.remove_unused_values();
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].op, OpKind::Sigmoid);
  EXPECT_TRUE(verify(g).ok());
}

TEST(Graph, PrintIsStable) {
  EXPECT_EQ(print_graph(relu_chain()),
            "graph \"chain\" opset 17\n"
            "input %x: f32[1x4]\n"
            "%Relu: f32[1x4] = Relu(%x)  # Relu\n"
            "%Sigmoid: f32[1x4] = Sigmoid(%Relu)  # Sigmoid\n"
            "output %Sigmoid\n");
}

TEST(OpKind, NamesRoundTrip) {
  EXPECT_EQ(op_from_onnx_name("Conv"), OpKind::Conv);
  EXPECT_EQ(op_name(OpKind::GlobalAveragePool), "GlobalAveragePool");
  EXPECT_FALSE(op_from_onnx_name("FusedConv").has_value());
  EXPECT_FALSE(op_from_onnx_name("NoSuchOp").has_value());
}

}  // namespace
}  // namespace es
