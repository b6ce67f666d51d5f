#include "support/graph_test_util.h"
#include "passes/pass.h"

#include <gtest/gtest.h>

namespace es {
namespace {

using test::add_conv;
using test::count_ops;
using test::expect_same_outputs;

ValueId add_batchnorm(GraphBuilder& b, ValueId x, int64_t channels, const std::string& name) {
  Tensor var = test::random_tensor(DType::f32, {channels}, 24);
  for (float& v : var.values<float>()) v = v * v + 0.1f;
  return b.op(OpKind::BatchNormalization,
              {x, b.initializer(name + "_scale", test::random_tensor(DType::f32, {channels}, 21)),
               b.initializer(name + "_shift", test::random_tensor(DType::f32, {channels}, 22)),
               b.initializer(name + "_mean", test::random_tensor(DType::f32, {channels}, 23)),
               b.initializer(name + "_var", std::move(var))},
              {}, name);
}

// A ResNet basic block tail: Conv -> BN -> Add(shortcut) -> Relu, plus an Identity before the output.
// Shapes are left for run_pipeline to infer.
Graph resnet_block() {
  GraphBuilder b("resnet_block");
  ValueId x = b.input("x", DType::f32, {1, 4, 6, 6});
  ValueId bn = add_batchnorm(b, add_conv(b, x, 4, 4, false, "conv", 1), 4, "bn");
  ValueId relu = b.op(OpKind::Relu, {b.op(OpKind::Add, {bn, x}, {}, "add")}, {}, "relu");
  b.output(b.op(OpKind::Identity, {relu}, {}, "y"));
  return b.build();
}

PipelineOptions with_passes(std::string passes, std::string dump_ir_after = "") {
  PipelineOptions options;
  options.passes = std::move(passes);
  options.dump_ir_after = std::move(dump_ir_after);
  return options;
}

Graph inferred(Graph g) {
  EXPECT_TRUE(run_pipeline(g, with_passes("none")).ok());
  return g;
}

TEST(Pipeline, DefaultFusesResNetBlockIntoOneFusedConv) {
  Graph before = inferred(resnet_block());
  Graph after = resnet_block();
  Status status = run_pipeline(after, {});
  ASSERT_TRUE(status.ok()) << status.message();

  ASSERT_EQ(after.nodes.size(), 1u);
  const Node& fused = after.nodes[0];
  EXPECT_EQ(fused.op, OpKind::FusedConv);
  EXPECT_EQ(fused.name, "conv");
  EXPECT_EQ(fused.origin, (std::vector<std::string>{"conv", "bn", "add", "relu"}));
  EXPECT_EQ(fused.attrs.get_string("activation"), "Relu");
  ASSERT_EQ(fused.inputs.size(), 4u);
  EXPECT_EQ(after.value(fused.inputs[3]).name, "x");
  EXPECT_EQ(after.value(after.outputs[0]).name, "y");
  expect_same_outputs(before, after);
}

TEST(Pipeline, MobileNetV2Patterns) {
  // Expansion Conv+BN+Clip(0,6), then a projection Conv+BN added to the block input.
  GraphBuilder b("mobilenet_block");
  ValueId x = b.input("x", DType::f32, {1, 4, 6, 6});
  ValueId expand = add_batchnorm(b, add_conv(b, x, 4, 8, false, "expand", 1), 8, "expand_bn");
  ValueId clip = b.op(OpKind::Clip, {expand, b.initializer("zero", Tensor::scalar<float>(0)),
                                     b.initializer("six", Tensor::scalar<float>(6))}, {}, "relu6");
  ValueId project = add_batchnorm(b, add_conv(b, clip, 8, 4, false, "project", 3), 4, "project_bn");
  b.output(b.op(OpKind::Add, {x, project}, {}, "residual"));
  Graph before = b.build();
  Graph after = before;
  before = inferred(std::move(before));
  ASSERT_TRUE(run_pipeline(after, {}).ok());

  ASSERT_EQ(after.nodes.size(), 2u);
  EXPECT_EQ(count_ops(after, OpKind::FusedConv), 2);
  EXPECT_EQ(after.nodes[0].attrs.get_string("activation"), "Clip");
  EXPECT_EQ(after.nodes[0].attrs.get_floats("activation_params"), (std::vector<float>{0, 6}));
  EXPECT_TRUE(after.nodes[1].has_input(3));
  EXPECT_EQ(after.nodes[1].origin, (std::vector<std::string>{"project", "project_bn", "residual"}));
  expect_same_outputs(before, after);
}

TEST(Pipeline, NoneOnlyInfersShapes) {
  Graph g = resnet_block();
  ASSERT_TRUE(run_pipeline(g, with_passes("none")).ok());
  EXPECT_EQ(g.nodes.size(), 5u);
  EXPECT_TRUE(verify(g).ok());
}

TEST(Pipeline, ExplicitListRunsInTheGivenOrder) {
  // Activation fusion before batchnorm folding finds BN, not Conv, in front of the Relu.
  Graph g = resnet_block();
  ASSERT_TRUE(run_pipeline(g, with_passes("fuse_conv_activation, fuse_conv_batchnorm,eliminate_identity")).ok());
  std::vector<OpKind> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  EXPECT_EQ(ops, (std::vector<OpKind>{OpKind::Conv, OpKind::Add, OpKind::Relu}));
}

TEST(Pipeline, UnknownPassNameListsTheValidOnes) {
  Graph g = resnet_block();
  Status status = run_pipeline(g, with_passes("fold_constants,fuse_everything"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::invalid_argument);
  EXPECT_NE(status.message().find("'fuse_everything'"), std::string::npos) << status.message();
  for (const Pass& p : all_passes()) EXPECT_NE(status.message().find(p.name), std::string::npos) << p.name;
}

TEST(Pipeline, DumpsIrAfterTheNamedPass) {
  Graph g = resnet_block();
  testing::internal::CaptureStderr();
  Status status = run_pipeline(g, with_passes("default", "fuse_conv_batchnorm"));
  std::string dumped = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_NE(dumped.find("# IR after pass fuse_conv_batchnorm"), std::string::npos) << dumped;
  EXPECT_NE(dumped.find("= Conv("), std::string::npos) << dumped;
  EXPECT_EQ(dumped.find("BatchNormalization"), std::string::npos) << dumped;
  EXPECT_NE(dumped.find("= Add("), std::string::npos) << "dumped before conv+add fusion:\n" << dumped;
}

TEST(Pipeline, DumpIrAfterAnUnselectedPassIsAnError) {
  Graph g = resnet_block();
  Status status = run_pipeline(g, with_passes("none", "fold_constants"));
  EXPECT_EQ(status.code(), StatusCode::invalid_argument);
  EXPECT_NE(status.message().find("not among the selected passes"), std::string::npos) << status.message();
  status = run_pipeline(g, with_passes("default", "no_such_pass"));
  EXPECT_EQ(status.code(), StatusCode::invalid_argument);
  EXPECT_NE(status.message().find("unknown pass 'no_such_pass'"), std::string::npos) << status.message();
}

Result<bool> drop_first_node(Graph& graph) {
  graph.nodes.erase(graph.nodes.begin());
  graph.refresh_producers();
  return true;
}

Result<bool> fail_with_status(Graph&) { return error(StatusCode::unsupported, "no can do"); }

TEST(Pipeline, NamesThePassThatBrokeTheGraph) {
  const std::vector<Pass> passes = {{"drop_first_node", "test only: breaks the graph", drop_first_node}};
  Graph g = resnet_block();
  Status status = run_pipeline(g, {}, passes);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("after pass 'drop_first_node'"), std::string::npos) << status.message();
}

TEST(Pipeline, NamesThePassThatFailed) {
  const std::vector<Pass> passes = {{"fail_with_status", "test only", fail_with_status}};
  Graph g = resnet_block();
  Status status = run_pipeline(g, with_passes("fail_with_status"), passes);
  EXPECT_EQ(status.code(), StatusCode::unsupported);
  EXPECT_EQ(status.message(), "pass 'fail_with_status': no can do");
}

}  // namespace
}  // namespace es
