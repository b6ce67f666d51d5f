// The zoo's models written as ONNX: they import (ONNX checker included), keep their names and symbolic
// batch, are byte-for-byte reproducible from a seed, and mobilenetv2-12 equals the real file node by node.
#include "onnx/onnx_export.h"
#include "onnx/onnx_import.h"
#include "zoo/zoo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace es::zoo {
namespace {

onnx_io::ExportOptions export_options(const ZooModel& m, bool symbolic) {
  onnx_io::ExportOptions o;
  o.opset = m.opset;
  if (symbolic) o.symbolic_batch_name = std::string(m.symbolic_batch);
  return o;
}

std::string export_model(const ZooModel& m, ZooOptions options, bool symbolic) {
  auto bytes = onnx_io::export_bytes(m.build(options), export_options(m, symbolic));
  EXPECT_TRUE(bytes.ok()) << m.name << ": " << bytes.status().message();
  return bytes.ok() ? *bytes : std::string();
}

Graph import_model(const std::string& bytes, const std::string& name, onnx_io::ImportOptions options = {}) {
  auto graph = onnx_io::import_bytes(bytes, ".", options, name);
  EXPECT_TRUE(graph.ok()) << name << ": " << graph.status().message();
  return graph.ok() ? std::move(graph).value() : Graph();
}

bool same_attribute(const AttrValue& a, const AttrValue& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, Tensor>)
          return x.dtype() == y.dtype() && x.shape() == y.shape() && std::memcmp(x.raw(), y.raw(), x.nbytes()) == 0;
        else
          return x == y;
      },
      a);
}

std::vector<std::string> value_names(const Graph& g, const std::vector<ValueId>& ids) {
  std::vector<std::string> names;
  for (ValueId id : ids) names.push_back(id == kNoValue ? "" : g.value(id).name);
  return names;
}

TEST(ZooExport, EveryModelImportsWithItsNamesAndSymbolicBatch) {
  for (const ZooModel& m : zoo_models()) {
    Graph built = m.build({});
    onnx_io::ImportOptions batch4;
    batch4.input_shapes[built.value(built.inputs.at(0)).name] = {4, 3, 224, 224};
    Graph g = import_model(export_model(m, {}, true), std::string(m.name), batch4);
    ASSERT_EQ(g.nodes.size(), built.nodes.size()) << m.name;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      EXPECT_EQ(g.nodes[i].name, built.nodes[i].name) << m.name;
      EXPECT_EQ(g.nodes[i].op, built.nodes[i].op) << m.name;
    }
    // The batch stayed symbolic, so the importer accepted 4.
    EXPECT_EQ(g.value(g.inputs.at(0)).shape, (Shape{4, 3, 224, 224})) << m.name;
    EXPECT_EQ(g.opset, m.opset);
  }
}

TEST(ZooExport, StaticBatchIsWrittenAsIs) {
  const ZooModel& m = *find_zoo_model("mobilenetv2-12");
  std::string bytes = export_model(m, {0, 2}, false);
  Graph g = import_model(bytes, "mobilenetv2-12");
  EXPECT_EQ(g.value(g.inputs.at(0)).shape, (Shape{2, 3, 224, 224}));
  onnx_io::ImportOptions batch4;
  batch4.input_shapes["input"] = {4, 3, 224, 224};
  EXPECT_FALSE(onnx_io::import_bytes(bytes, ".", batch4).ok());
}

// Exports are byte-for-byte reproducible (checked on the smallest model; the builders share the generator).
TEST(ZooExport, SameSeedSameBytesOtherSeedOtherWeights) {
  const ZooModel& m = *find_zoo_model("mobilenetv2-12");
  std::string a = export_model(m, {5, 1}, true);
  EXPECT_EQ(a, export_model(m, {5, 1}, true));
  std::string b = export_model(m, {6, 1}, true);
  EXPECT_EQ(a.size(), b.size());
  EXPECT_NE(a, b);
}

// Node by node against the real topology: op, node name, input/output value names, attributes, and the
// initializers' names, dtypes and shapes.
TEST(ZooExport, MobileNetV2MatchesTheSharedFileNodeByNode) {
  std::string path = ES_SHARED_DIR "/models/mobilenetv2-12-fp32-dequantized.onnx";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  auto real = onnx_io::import_file(path, {});
  ASSERT_TRUE(real.ok()) << real.status().message();
  Graph zoo = import_model(export_model(*find_zoo_model("mobilenetv2-12"), {}, true), "mobilenetv2-12");
  ASSERT_EQ(zoo.nodes.size(), real->nodes.size());
  for (size_t i = 0; i < zoo.nodes.size(); ++i) {
    const Node& a = zoo.nodes[i];
    const Node& b = real->nodes[i];
    SCOPED_TRACE(b.name);
    EXPECT_EQ(a.op, b.op);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(value_names(zoo, a.inputs), value_names(*real, b.inputs));
    EXPECT_EQ(value_names(zoo, a.outputs), value_names(*real, b.outputs));
    ASSERT_EQ(a.attrs.all().size(), b.attrs.all().size());
    for (const auto& [key, value] : b.attrs.all()) {
      ASSERT_TRUE(a.attrs.has(key)) << key;
      EXPECT_TRUE(same_attribute(a.attrs.all().at(key), value)) << key;
    }
  }
  auto initializers = [](const Graph& g) {
    return std::count_if(g.values.begin(), g.values.end(), [](const Value& v) { return v.is_initializer(); });
  };
  EXPECT_EQ(initializers(zoo), initializers(*real));
  for (const Value& v : real->values) {
    if (!v.is_initializer()) continue;
    ValueId id = zoo.find_value(v.name);
    ASSERT_NE(id, kNoValue) << "initializer " << v.name;
    EXPECT_TRUE(zoo.value(id).is_initializer()) << v.name;
    EXPECT_EQ(zoo.value(id).dtype, v.dtype) << v.name;
    EXPECT_EQ(zoo.value(id).shape, v.shape) << v.name;
  }
  EXPECT_EQ(value_names(zoo, zoo.inputs), value_names(*real, real->inputs));
  EXPECT_EQ(value_names(zoo, zoo.outputs), value_names(*real, real->outputs));
}

}  // namespace
}  // namespace es::zoo
