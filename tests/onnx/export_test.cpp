// The exporter: checker-clean files that import back to the same graph, at opset 17 and older opsets.
#include "ir/builder.h"
#include "onnx/onnx_export.h"
#include "onnx/onnx_import.h"
#include "onnx/proto_attribute.h"

#include <gtest/gtest.h>
#include <onnx/checker.h>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace es::onnx_io {
namespace {

onnx::ModelProto parse(const std::string& bytes) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(bytes));
  return model;
}

// Exports, runs the ONNX checker on the bytes and imports them back.
Graph round_trip(const Graph& graph, const ExportOptions& options = {}, onnx::ModelProto* exported = nullptr) {
  auto bytes = export_bytes(graph, options);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  if (!bytes.ok()) return Graph();
  onnx::ModelProto model = parse(*bytes);
  EXPECT_NO_THROW(onnx::checker::check_model(model));
  if (exported) *exported = model;
  ImportOptions import;
  import.run_checker = true;
  auto back = import_bytes(*bytes, ".", import, "exported.onnx");
  EXPECT_TRUE(back.ok()) << back.status().message();
  return back.ok() ? std::move(back).value() : Graph();
}

ExportOptions at_opset(int64_t opset) {
  ExportOptions options;
  options.opset = opset;
  return options;
}

ExportOptions batch_named(const std::string& name) {
  ExportOptions options;
  options.symbolic_batch_name = name;
  return options;
}

void set_output(Graph& g, ValueId id, DType dtype, Shape shape) {
  g.value(id).dtype = dtype;
  g.value(id).shape = std::move(shape);
  g.value(id).shape_known = true;
}

// Conv -> Relu -> Unsqueeze(axes input) -> Squeeze -> Clip(min,max inputs) -> Softmax(last axis), plus a
// Constant node; covers ints/float/string/tensor attributes and optional inputs.
Graph sample_graph(int64_t opset) {
  GraphBuilder b("sample", opset);
  ValueId x = b.input("x", DType::f32, {1, 3, 8, 8});
  ValueId w = b.initializer("w", Tensor::from_vector<float>({4, 3, 1, 1}, std::vector<float>(12, 0.5f)));
  ValueId conv = b.op(OpKind::Conv, {x, w, kNoValue}, {{"kernel_shape", std::vector<int64_t>{1, 1}},
                                                        {"auto_pad", std::string("NOTSET")}});
  ValueId relu = b.op(OpKind::LeakyRelu, {conv}, {{"alpha", 0.25f}});
  ValueId axes = b.initializer("axes", Tensor::from_vector<int64_t>({1}, {0}));
  ValueId un = b.op(OpKind::Unsqueeze, {relu, axes});
  ValueId sq = b.op(OpKind::Squeeze, {un, axes});
  ValueId lo = b.initializer("lo", Tensor::scalar(0.0f));
  ValueId hi = b.op(OpKind::Constant, {}, {{"value", Tensor::scalar(6.0f)}});
  ValueId clip = b.op(OpKind::Clip, {sq, lo, hi});
  ValueId sm = b.op(OpKind::Softmax, {clip}, {{"axis", int64_t{3}}});
  b.output(sm);
  Graph g = b.build();
  set_output(g, sm, DType::f32, {1, 4, 8, 8});
  set_output(g, clip, DType::f32, {1, 4, 8, 8});  // Softmax's input rank decides its legacy form
  return g;
}

// Name, op, input names (omitted trailing inputs dropped) and attributes of every node.
std::vector<std::string> node_signatures(const Graph& g) {
  std::vector<std::string> out;
  for (const Node& n : g.nodes) {
    std::string s = n.name + " " + std::string(op_name(n.op)) + "(";
    size_t count = n.inputs.size();
    while (count > 0 && n.inputs[count - 1] == kNoValue) --count;
    for (size_t i = 0; i < count; ++i) s += (n.inputs[i] == kNoValue ? "_" : g.value(n.inputs[i]).name) + ",";
    s += ")";
    for (const auto& [key, value] : n.attrs.all()) {
      s += " " + key + "=";
      std::visit([&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, Tensor>) {
          s += fmt::format("tensor{}", shape_str(v.shape()));
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, float> || std::is_same_v<T, std::string>) {
          s += fmt::format("{}", v);
        } else {
          s += fmt::format("{}", fmt::join(v, ","));
        }
      }, value);
    }
    out.push_back(s);
  }
  return out;
}

// Elements in the initializers that some node reads (the exporter leaves unused ones out).
int64_t used_parameters(const Graph& g) {
  std::set<ValueId> used;
  for (const Node& n : g.nodes)
    for (ValueId in : n.inputs)
      if (in != kNoValue && g.value(in).is_initializer()) used.insert(in);
  int64_t total = 0;
  for (ValueId id : used) total += g.value(id).data->numel();
  return total;
}

std::vector<OpKind> ops_of(const Graph& g) {
  std::vector<OpKind> ops;
  for (const Node& n : g.nodes) ops.push_back(n.op);
  return ops;
}

TEST(Export, Opset17PassesCheckerAndRoundTrips) {
  Graph g = sample_graph(17);
  onnx::ModelProto model;
  Graph back = round_trip(g, {}, &model);
  EXPECT_EQ(model.ir_version(), 8);
  EXPECT_EQ(model.opset_import(0).version(), 17);
  EXPECT_EQ(model.graph().initializer_size(), 3);
  EXPECT_TRUE(model.graph().initializer(0).has_raw_data());
  EXPECT_EQ(ops_of(back), ops_of(g));
  EXPECT_EQ(node_signatures(back), node_signatures(g));
  EXPECT_EQ(back.parameter_count(), g.parameter_count());
}

TEST(Export, OlderOpsetsMoveInputsBackToAttributes) {
  for (int64_t opset : {7, 9, 10, 11, 12, 13}) {
    SCOPED_TRACE(opset);
    Graph g = sample_graph(17);
    onnx::ModelProto model;
    Graph back = round_trip(g, at_opset(opset), &model);
    EXPECT_EQ(model.ir_version(), 7);
    EXPECT_EQ(ops_of(back), ops_of(g));
    for (const auto& node : model.graph().node()) {
      if (node.op_type() == "Unsqueeze" && opset < 13) {
        EXPECT_EQ(node.input_size(), 1);
        EXPECT_EQ(node.attribute(0).name(), "axes");
      }
      if (node.op_type() == "Clip" && opset < 11) {
        EXPECT_EQ(node.input_size(), 1);
      }
    }
    // Imported back, the graph is in opset-17 form again: same nodes, same constant inputs.
    const Node& unsqueeze = back.node(back.find_node("Unsqueeze"));
    ASSERT_EQ(unsqueeze.inputs.size(), 2u);
    EXPECT_EQ(back.value(unsqueeze.inputs[1]).data->to_int64_vector(), (std::vector<int64_t>{0}));
    EXPECT_EQ(back.node(back.find_node("Softmax")).attrs.get_int("axis", 0), opset < 13 ? -1 : 3);
  }
}

TEST(Export, ResizeAndSliceInOldOpsets) {
  GraphBuilder b("resize", 17);
  ValueId x = b.input("x", DType::f32, {1, 2, 4, 4});
  ValueId scales = b.initializer("scales", Tensor::from_vector<float>({4}, {1, 1, 2, 2}));
  ValueId r = b.op(OpKind::Resize, {x, kNoValue, scales},
                   {{"mode", std::string("nearest")}, {"coordinate_transformation_mode", std::string("asymmetric")},
                    {"nearest_mode", std::string("floor")}});
  ValueId starts = b.initializer("starts", Tensor::from_vector<int64_t>({1}, {1}));
  ValueId ends = b.initializer("ends", Tensor::from_vector<int64_t>({1}, {7}));
  ValueId s = b.op(OpKind::Slice, {r, starts, ends});
  b.output(s);
  Graph g = b.build();
  set_output(g, s, DType::f32, {1, 2, 6, 8});
  for (int64_t opset : {7, 9, 10, 11}) {
    SCOPED_TRACE(opset);
    onnx::ModelProto model;
    Graph back = round_trip(g, at_opset(opset), &model);
    EXPECT_EQ(model.graph().node(0).op_type(), opset < 10 ? "Upsample" : "Resize");
    EXPECT_EQ(ops_of(back), ops_of(g));
    const Node& resize = back.nodes.at(0);
    EXPECT_EQ(resize.attrs.get_string("coordinate_transformation_mode"), "asymmetric");
    EXPECT_EQ(back.value(resize.inputs.at(2)).data->to_float_vector(), (std::vector<float>{1, 1, 2, 2}));
  }
}

TEST(Export, UnrepresentableNodesAreReported) {
  Graph g = sample_graph(17);
  auto too_old = export_bytes(g, at_opset(6));
  EXPECT_EQ(too_old.status().code(), StatusCode::unsupported);

  GraphBuilder b("hs", 17);
  ValueId x = b.input("x", DType::f32, {1, 4});
  ValueId y = b.op(OpKind::HardSwish, {x}, {}, "hswish");
  b.output(y);
  Graph h = b.build();
  set_output(h, y, DType::f32, {1, 4});
  auto status = export_bytes(h, at_opset(13)).status();
  EXPECT_EQ(status.code(), StatusCode::unsupported);
  EXPECT_NE(status.message().find("node 'hswish' (HardSwish) at opset 13: the op needs opset 14"), std::string::npos)
      << status.message();

  h.nodes[0].op = OpKind::FusedConv;
  EXPECT_NE(export_bytes(h).status().message().find("internal op"), std::string::npos);

  Graph untyped = sample_graph(17);
  untyped.value(untyped.outputs[0]).dtype = DType::undefined;
  EXPECT_NE(export_bytes(untyped).status().message().find("dtype is unknown"), std::string::npos);
}

TEST(Export, SymbolicBatchName) {
  Graph g = sample_graph(17);
  onnx::ModelProto model;
  round_trip(g, batch_named("batch_size"), &model);
  EXPECT_EQ(model.graph().input(0).type().tensor_type().shape().dim(0).dim_param(), "batch_size");
  EXPECT_EQ(model.graph().input(0).type().tensor_type().shape().dim(1).dim_value(), 3);
  EXPECT_EQ(model.graph().output(0).type().tensor_type().shape().dim(0).dim_param(), "batch_size");
}

TEST(Export, FileWriteAndErrors) {
  const std::string path = testing::TempDir() + "/es_export_test.onnx";
  ASSERT_TRUE(export_file(sample_graph(17), path).ok());
  auto back = import_file(path, {});
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->nodes.size(), sample_graph(17).nodes.size());
  std::filesystem::remove(path);
  Status bad = export_file(sample_graph(17), "/nonexistent-dir/x.onnx");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("/nonexistent-dir/x.onnx"), std::string::npos);
}

TEST(Export, EveryAttributeKindRoundTrips) {
  const std::vector<AttrValue> values = {
      int64_t{-3}, 2.5f, std::string("text"), std::vector<int64_t>{1, -2}, std::vector<float>{0.5f, 1.5f},
      std::vector<std::string>{"a", "b"}, Tensor::from_vector<int32_t>({2}, {7, 8})};
  for (const AttrValue& v : values) {
    onnx::AttributeProto proto;
    attribute_to_proto("a", v, proto);
    auto back = attribute_from_proto(proto, ".", "node 'n'");
    ASSERT_TRUE(back.ok()) << back.status().message();
    ASSERT_EQ(back->index(), v.index());
    if (const auto* t = std::get_if<Tensor>(&v)) {
      EXPECT_EQ(std::get<Tensor>(*back).to_int64_vector(), t->to_int64_vector());
    } else {
      EXPECT_TRUE(std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, Tensor>) return false;
            else return x == std::get<T>(*back);
          },
          v))
          << proto.DebugString();
    }
  }
}

// Real models: import, export (opset 12 and 11 forms; UltraFace at 13 because its opset-9 Softmax needs
// the input's rank, which only shape inference gives), check, import again. The outputs get the shapes
// the model declares (symbolic batch = 1), standing in for shape inference.
TEST(Export, RealModelsRoundTrip) {
  const std::filesystem::path dir = std::filesystem::path(ES_SHARED_DIR) / "models";
  int tested = 0;
  const std::pair<const char*, int64_t> models[] = {
      {"mobilenetv2-12-fp32-dequantized.onnx", 12}, {"version-RFB-320.onnx", 13}, {"yolox_nano.onnx", 11}};
  for (const auto& [file, opset] : models) {
    SCOPED_TRACE(file);
    if (!std::filesystem::exists(dir / file)) continue;
    auto graph = import_file((dir / file).string(), {});
    ASSERT_TRUE(graph.ok()) << graph.status().message();
    onnx::ModelProto original;
    std::ifstream in(dir / file, std::ios::binary);
    ASSERT_TRUE(original.ParseFromIstream(&in));
    for (const auto& out : original.graph().output()) {
      Shape shape;
      for (const auto& d : out.type().tensor_type().shape().dim()) shape.push_back(d.has_dim_value() ? d.dim_value() : 1);
      set_output(*graph, graph->find_value(out.name()), DType::f32, shape);
    }
    Graph back = round_trip(*graph, at_opset(opset));
    EXPECT_EQ(node_signatures(back), node_signatures(*graph));
    EXPECT_EQ(used_parameters(back), used_parameters(*graph));
    ++tested;
  }
  if (tested == 0) GTEST_SKIP() << "no ../shared/models";
}

}  // namespace
}  // namespace es::onnx_io
