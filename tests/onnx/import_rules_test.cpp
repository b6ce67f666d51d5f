// How nodes are normalised to opset-17 form, how names are made unique and how dynamic dims are bound.
#include "onnx/handlers/handler.h"
#include "onnx/onnx_import.h"
#include "proto_builder.h"

#include <gtest/gtest.h>

namespace es::onnx_io {
namespace {

using onnx_test::ProtoModel;

Graph import_ok(const ProtoModel& m, const ImportOptions& options = {}) {
  auto graph = import_bytes(m.bytes(), ".", options, "model.onnx");
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  return graph.ok() ? std::move(graph).value() : Graph();
}

const Node& only_node(const Graph& g, OpKind op) {
  const Node* found = nullptr;
  for (const Node& n : g.nodes)
    if (n.op == op) {
      EXPECT_EQ(found, nullptr) << "two " << op_name(op) << " nodes";
      found = &n;
    }
  EXPECT_NE(found, nullptr) << "no " << op_name(op) << " node";
  return *found;
}

std::vector<int64_t> constant_ints(const Graph& g, const Node& n, size_t input) {
  EXPECT_TRUE(n.has_input(input));
  if (!n.has_input(input)) return {};
  const Value& v = g.value(n.inputs[input]);
  EXPECT_TRUE(v.is_initializer()) << v.name;
  return v.is_initializer() ? v.data->to_int64_vector() : std::vector<int64_t>{};
}

float constant_float(const Graph& g, const Node& n, size_t input) {
  const Value& v = g.value(n.inputs.at(input));
  EXPECT_TRUE(v.is_initializer());
  return v.data->to_float_vector().at(0);
}

ImportOptions no_checker() {
  ImportOptions options;
  options.run_checker = false;
  return options;
}

TEST(HandlerTable, CoversEveryImportableOpInVersionOrder) {
  for (int i = 0; i < op_kind_count; ++i) {
    const auto op = static_cast<OpKind>(i);
    if (op_is_internal(op)) continue;
    EXPECT_NE(first_opset_of(op_name(op)), 0) << op_name(op) << " has no import handler";
  }
  auto table = handler_table();
  for (size_t i = 1; i < table.size(); ++i) {
    EXPECT_LE(table[i - 1].op_type, table[i].op_type);
    if (table[i - 1].op_type == table[i].op_type) {
      EXPECT_LT(table[i - 1].since_version, table[i].since_version);
    }
  }
  EXPECT_EQ(find_handler("Clip", 10)->handle, &clip_v6);
  EXPECT_EQ(find_handler("Clip", 11)->handle, &pass_through);
  EXPECT_EQ(find_handler("HardSwish", 13), nullptr);
  EXPECT_EQ(find_handler("Upsample", 9)->op, OpKind::Resize);
}

TEST(ImportRules, AttributesBecomeInputsInOldOpsets) {
  ProtoModel m(9);
  m.input("x", {"1", "4", "1", "6"});
  auto& clip = m.node("Clip", {"x"}, {"c"}, "clip");
  onnx_test::set_float(clip, "min", 0.0f);
  onnx_test::set_float(clip, "max", 6.0f);
  auto& squeeze = m.node("Squeeze", {"c"}, {"s"}, "squeeze");
  onnx_test::set_ints(squeeze, "axes", {2});
  auto& slice = m.node("Slice", {"s"}, {"sl"}, "slice");
  onnx_test::set_ints(slice, "starts", {1});
  onnx_test::set_ints(slice, "ends", {3});
  onnx_test::set_ints(slice, "axes", {1});
  auto& split = m.node("Split", {"sl"}, {"a", "b"}, "split");
  onnx_test::set_int(split, "axis", 2);
  onnx_test::set_ints(split, "split", {2, 4});
  auto& pad = m.node("Pad", {"a"}, {"p"}, "pad");
  onnx_test::set_ints(pad, "pads", {0, 0, 1, 0, 0, 1});
  onnx_test::set_float(pad, "value", 0.5f);
  auto& sum = m.node("ReduceSum", {"p"}, {"r"}, "sum");
  onnx_test::set_ints(sum, "axes", {1});
  auto& unsqueeze = m.node("Unsqueeze", {"r"}, {"u"}, "unsqueeze");
  onnx_test::set_ints(unsqueeze, "axes", {0});
  auto& topk = m.node("TopK", {"b"}, {"tv", "ti"}, "topk");
  onnx_test::set_int(topk, "k", 2);
  auto& dropout = m.node("Dropout", {"u"}, {"d"}, "dropout");
  onnx_test::set_float(dropout, "ratio", 0.25f);
  m.output("d");
  m.output("tv");
  Graph g = import_ok(m);

  const Node& c = only_node(g, OpKind::Clip);
  EXPECT_TRUE(c.attrs.all().empty());
  EXPECT_EQ(constant_float(g, c, 1), 0.0f);
  EXPECT_EQ(constant_float(g, c, 2), 6.0f);
  EXPECT_EQ(g.value(c.inputs[1]).data->dtype(), DType::f32);  // the input's dtype
  EXPECT_EQ(constant_ints(g, only_node(g, OpKind::Squeeze), 1), (std::vector<int64_t>{2}));
  const Node& sl = only_node(g, OpKind::Slice);
  EXPECT_EQ(constant_ints(g, sl, 1), (std::vector<int64_t>{1}));
  EXPECT_EQ(constant_ints(g, sl, 2), (std::vector<int64_t>{3}));
  EXPECT_EQ(constant_ints(g, sl, 3), (std::vector<int64_t>{1}));
  EXPECT_EQ(sl.inputs.size(), 4u);
  const Node& sp = only_node(g, OpKind::Split);
  EXPECT_EQ(constant_ints(g, sp, 1), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(sp.attrs.get_int("axis", 0), 2);
  const Node& p = only_node(g, OpKind::Pad);
  EXPECT_EQ(constant_ints(g, p, 1), (std::vector<int64_t>{0, 0, 1, 0, 0, 1}));
  EXPECT_EQ(constant_float(g, p, 2), 0.5f);
  EXPECT_EQ(p.attrs.get_string("mode", "constant"), "constant");
  EXPECT_EQ(constant_ints(g, only_node(g, OpKind::ReduceSum), 1), (std::vector<int64_t>{1}));
  EXPECT_EQ(constant_ints(g, only_node(g, OpKind::Unsqueeze), 1), (std::vector<int64_t>{0}));
  EXPECT_EQ(constant_ints(g, only_node(g, OpKind::TopK), 1), (std::vector<int64_t>{2}));
  const Node& d = only_node(g, OpKind::Dropout);
  EXPECT_EQ(constant_float(g, d, 1), 0.25f);
  EXPECT_FALSE(d.attrs.has("ratio"));
  EXPECT_EQ(g.nodes.size(), 9u);
}

TEST(ImportRules, ReduceMeanKeepsAxesAttribute) {
  ProtoModel m(13);
  m.input("x", {"1", "4"});
  onnx_test::set_ints(m.node("ReduceMean", {"x"}, {"y"}, "mean"), "axes", {1});
  m.output("y");
  Graph g = import_ok(m);
  EXPECT_EQ(only_node(g, OpKind::ReduceMean).attrs.get_ints("axes"), (std::vector<int64_t>{1}));
  EXPECT_EQ(only_node(g, OpKind::ReduceMean).inputs.size(), 1u);
}

TEST(ImportRules, UpsampleAndOldResizeBecomeResize13) {
  ProtoModel m(7);
  m.input("x", {"1", "2", "4", "4"});
  auto& up = m.node("Upsample", {"x"}, {"y"}, "up");
  onnx_test::set_floats(up, "scales", {1, 1, 2, 2});
  m.output("y");
  Graph g = import_ok(m);
  const Node& r = only_node(g, OpKind::Resize);
  ASSERT_EQ(r.inputs.size(), 3u);
  EXPECT_EQ(r.inputs[1], kNoValue);
  EXPECT_EQ(g.value(r.inputs[2]).data->to_float_vector(), (std::vector<float>{1, 1, 2, 2}));
  EXPECT_EQ(r.attrs.get_string("coordinate_transformation_mode"), "asymmetric");
  EXPECT_EQ(r.attrs.get_string("nearest_mode"), "floor");

  ProtoModel r11(11);
  r11.input("x", {"1", "2", "4", "4"});
  r11.initializer("roi", {0}, {});
  r11.initializer("scales", {4}, {1, 1, 2, 2});
  onnx_test::set_string(r11.node("Resize", {"x", "roi", "scales"}, {"y"}, "resize"), "mode", "linear");
  r11.output("y");
  Graph g11 = import_ok(r11);
  const Node& r2 = only_node(g11, OpKind::Resize);
  EXPECT_EQ(r2.inputs[1], kNoValue);  // an unused empty roi is omitted, as opset 13 allows
  EXPECT_EQ(g11.value(r2.inputs[2]).name, "scales");
}

TEST(ImportRules, LegacySoftmaxOnLastAxisStaysOneNode) {
  ProtoModel m(9);
  m.input("x", {"1", "5", "7"});
  onnx_test::set_int(m.node("Softmax", {"x"}, {"y"}, "sm"), "axis", 2);
  m.output("y");
  Graph g = import_ok(m);
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].attrs.get_int("axis", 0), -1);
}

TEST(ImportRules, LegacySoftmaxOnInnerAxisFlattens) {
  ProtoModel m(11);
  m.input("x", {"1", "5", "7"});
  m.node("LogSoftmax", {"x"}, {"y"}, "lsm");  // axis defaults to 1: normalise over 5x7 = 35 values
  m.output("y");
  Graph g = import_ok(m);
  ASSERT_EQ(g.nodes.size(), 4u);
  EXPECT_EQ(g.nodes[0].op, OpKind::Shape);
  EXPECT_EQ(g.nodes[1].op, OpKind::Flatten);
  EXPECT_EQ(g.nodes[1].attrs.get_int("axis", 0), 1);
  EXPECT_EQ(g.nodes[2].op, OpKind::LogSoftmax);
  EXPECT_EQ(g.nodes[2].name, "lsm");
  EXPECT_EQ(g.nodes[2].attrs.get_int("axis", 0), 1);
  EXPECT_EQ(g.nodes[3].op, OpKind::Reshape);
  EXPECT_EQ(g.value(g.nodes[3].outputs[0]).name, "y");
  for (const Node& n : g.nodes) EXPECT_EQ(n.origin, (std::vector<std::string>{"lsm"}));
}

TEST(ImportRules, ConstantValuesBecomeATensorAttribute) {
  ProtoModel m(13);
  m.input("x", {"3"});
  onnx_test::set_floats(m.node("Constant", {}, {"c"}, "k"), "value_floats", {1, 2, 3});
  onnx_test::set_int(m.node("Constant", {}, {"i"}, "k2"), "value_int", 7);
  m.node("Add", {"x", "c"}, {"y"}, "add");
  m.output("y");
  m.output("i", onnx::TensorProto::INT64);
  Graph g = import_ok(m);
  const Tensor* floats = g.node(g.find_node("k")).attrs.get_tensor("value");
  ASSERT_NE(floats, nullptr);
  EXPECT_EQ(floats->shape(), (Shape{3}));
  EXPECT_EQ(floats->to_float_vector(), (std::vector<float>{1, 2, 3}));
  const Tensor* scalar = g.node(g.find_node("k2")).attrs.get_tensor("value");
  ASSERT_NE(scalar, nullptr);
  EXPECT_EQ(scalar->rank(), 0);
  EXPECT_EQ(scalar->to_int64_vector(), (std::vector<int64_t>{7}));
  EXPECT_EQ(g.node(g.find_node("k2")).attrs.all().size(), 1u);
}

TEST(ImportRules, NodeNamesAreUniqueAndTraceable) {
  ProtoModel m(13);
  m.input("x", {"1"});
  m.node("Relu", {"x"}, {"a"});
  m.node("Relu", {"a"}, {"b"}, "same");
  m.node("Relu", {"b"}, {"c"}, "same");
  m.node("Relu", {"c"}, {"d"}, "Relu_0");
  m.output("d");
  Graph g = import_ok(m, no_checker());
  ASSERT_EQ(g.nodes.size(), 4u);
  EXPECT_EQ(g.nodes[0].name, "Relu_0");
  EXPECT_EQ(g.nodes[1].name, "same");
  EXPECT_EQ(g.nodes[2].name, "Relu_2");
  EXPECT_EQ(g.nodes[3].name, "Relu_3");
}

TEST(ImportRules, InitializersListedAsInputsAreInitializers) {
  ProtoModel m(9, 3);
  m.input("x", {"2"});
  m.input("w", {"2"});
  m.initializer("w", {2}, {1, 2});
  m.node("Add", {"x", "w"}, {"y"}, "add");
  m.output("y");
  Graph g = import_ok(m);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.value(g.inputs[0]).name, "x");
  EXPECT_TRUE(g.value(g.find_value("w")).is_initializer());
}

TEST(ImportRules, DynamicDimensionBinding) {
  ProtoModel m(13);
  m.input("x", {"batch", "3", "", "8"});
  m.node("Relu", {"x"}, {"y"}, "r");
  m.output("y");
  ImportOptions bound;
  bound.input_shapes["x"] = {4, 3, 16, 8};
  Graph g = import_ok(m, bound);
  const Value& x = g.value(g.inputs[0]);
  EXPECT_TRUE(x.shape_known);
  EXPECT_EQ(x.shape, (Shape{4, 3, 16, 8}));
  EXPECT_EQ(x.dtype, DType::f32);
  EXPECT_FALSE(g.value(g.outputs[0]).shape_known);  // left to shape inference

  ProtoModel batch_only(13);
  batch_only.input("x", {"N", "3"});
  batch_only.input("s", {});  // a scalar input
  batch_only.node("Mul", {"x", "s"}, {"y"}, "m");
  batch_only.output("y");
  Graph one = import_ok(batch_only);
  EXPECT_EQ(one.value(one.inputs[0]).shape, (Shape{1, 3}));
  EXPECT_EQ(one.value(one.inputs[1]).shape, Shape{});
  ImportOptions batch8;
  batch8.batch = 8;
  Graph eight = import_ok(batch_only, batch8);
  EXPECT_EQ(eight.value(eight.inputs[0]).shape, (Shape{8, 3}));
}

TEST(ImportRules, ValueInfoDtypesAreKept) {
  ProtoModel m(13);
  m.input("x", {"2"}, onnx::TensorProto::INT64);
  m.node("Neg", {"x"}, {"n"}, "neg");
  m.node("Abs", {"n"}, {"y"}, "abs");
  auto& info = *m.graph().add_value_info();
  info.set_name("n");
  info.mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::INT64);
  m.output("y", onnx::TensorProto::INT64);
  Graph g = import_ok(m);
  EXPECT_EQ(g.value(g.find_value("n")).dtype, DType::i64);
  EXPECT_EQ(g.value(g.find_value("y")).dtype, DType::i64);
}

}  // namespace
}  // namespace es::onnx_io
