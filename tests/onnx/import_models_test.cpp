// Imports every real model in ../shared/models and compares with onnx_summary.txt (made by python onnx).
#include "onnx/onnx_import.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

namespace es::onnx_io {
namespace {

namespace fs = std::filesystem;

struct SummaryEntry {
  int64_t nodes = 0;
  int64_t initializers = 0;
  std::map<std::string, int64_t> op_counts;  // "domain::Op" for other domains
};

std::map<std::string, SummaryEntry> read_summary(const fs::path& path) {
  std::map<std::string, SummaryEntry> entries;
  std::ifstream in(path);
  std::string line, current;
  const std::regex header(R"(^(\S+\.onnx) size)");
  const std::regex counts(R"(^nodes (\d+) \| initializers (\d+))");
  const std::regex op(R"(([A-Za-z0-9_.:]+)=(\d+))");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, header)) {
      current = m[1];
    } else if (std::regex_search(line, m, counts)) {
      entries[current].nodes = std::stoll(m[1]);
      entries[current].initializers = std::stoll(m[2]);
    } else if (line.rfind("op counts:", 0) == 0) {
      for (auto it = std::sregex_iterator(line.begin(), line.end(), op); it != std::sregex_iterator(); ++it)
        entries[current].op_counts[(*it)[1]] = std::stoll((*it)[2]);
    }
  }
  return entries;
}

fs::path models_dir() { return fs::path(ES_SHARED_DIR) / "models"; }

bool has_other_domain(const SummaryEntry& e) {
  for (const auto& [op, count] : e.op_counts)
    if (op.find("::") != std::string::npos) return true;
  return false;
}

TEST(ImportModels, EveryDefaultDomainModelMatchesTheSummary) {
  if (!fs::exists(models_dir() / "onnx_summary.txt")) GTEST_SKIP() << "no ../shared/models";
  auto summary = read_summary(models_dir() / "onnx_summary.txt");
  ASSERT_GE(summary.size(), 7u);
  // The PP-OCR models have dynamic height/width, which must be bound.
  const std::map<std::string, std::pair<std::string, Shape>> bindings = {
      {"ch_PP-OCRv4_det_infer.onnx", {"x", {1, 3, 640, 640}}},
      {"ch_PP-OCRv4_rec_infer.onnx", {"x", {1, 3, 48, 320}}},
      {"ch_ppocr_mobile_v2.0_cls_infer.onnx", {"x", {1, 3, 48, 192}}},
  };
  int imported = 0;
  for (const auto& [file, expected] : summary) {
    SCOPED_TRACE(file);
    if (has_other_domain(expected) || expected.op_counts.count("QLinearConv")) continue;
    ImportOptions options;
    if (auto it = bindings.find(file); it != bindings.end()) options.input_shapes[it->second.first] = it->second.second;
    auto graph = import_file((models_dir() / file).string(), options);
    ASSERT_TRUE(graph.ok()) << graph.status().message();
    // Every IR node names the ONNX node it came from; helper nodes (legacy Softmax) share it.
    std::set<std::string> origins;
    std::map<std::string, int64_t> op_counts;
    for (const Node& n : graph->nodes) {
      ASSERT_EQ(n.origin.size(), 1u);
      origins.insert(n.origin[0]);
      if (n.name == n.origin[0]) ++op_counts[std::string(op_name(n.op))];
    }
    EXPECT_EQ(static_cast<int64_t>(origins.size()), expected.nodes);
    EXPECT_EQ(op_counts, expected.op_counts);
    int64_t initializers = 0;
    for (const Value& v : graph->values) initializers += v.is_initializer();
    EXPECT_GE(initializers, expected.initializers);
    EXPECT_EQ(verify(*graph, {.require_shapes = false}).message(), "");
    for (ValueId in : graph->inputs) {
      EXPECT_TRUE(graph->value(in).shape_known);
      for (int64_t d : graph->value(in).shape) EXPECT_GT(d, 0);
    }
    ++imported;
  }
  EXPECT_GE(imported, 6);
}

TEST(ImportModels, QOperatorModelFailsOnItsFirstNonStandardOp) {
  const fs::path path = models_dir() / "mobilenetv2-12-int8.onnx";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path;
  auto graph = import_file(path.string(), {});
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), StatusCode::unsupported);
  const std::string& message = graph.status().message();
  EXPECT_TRUE(message.find("QLinearConv") != std::string::npos || message.find("com.microsoft") != std::string::npos)
      << message;
  EXPECT_NE(message.find("at node '"), std::string::npos) << message;
  EXPECT_NE(message.find("mobilenetv2-12-int8.onnx"), std::string::npos) << message;
}

// The derived FP32 MobileNetV2 is an opset-12 model whose Unsqueeze carries axes as an attribute.
TEST(ImportModels, Opset12UnsqueezeAxesBecomeAnInput) {
  const fs::path path = models_dir() / "mobilenetv2-12-fp32-dequantized.onnx";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path;
  auto graph = import_file(path.string(), {});
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->nodes.size(), 105u);
  EXPECT_EQ(graph->opset, 12);
  int unsqueezes = 0;
  for (const Node& n : graph->nodes) {
    if (n.op != OpKind::Unsqueeze) continue;
    ++unsqueezes;
    EXPECT_FALSE(n.attrs.has("axes"));
    ASSERT_EQ(n.inputs.size(), 2u);
    const Value& axes = graph->value(n.inputs[1]);
    ASSERT_TRUE(axes.is_initializer());
    EXPECT_EQ(axes.data->dtype(), DType::i64);
    EXPECT_EQ(axes.data->to_int64_vector(), std::vector<int64_t>{0});
  }
  EXPECT_EQ(unsqueezes, 1);
  const Value& input = graph->value(graph->inputs.at(0));
  EXPECT_EQ(input.shape, (Shape{1, 3, 224, 224}));  // symbolic batch_size bound to 1
}

// PP-OCR rec: opset 9 with dynamic batch and width; the width must be bound explicitly.
TEST(ImportModels, DynamicWidthNeedsAShape) {
  const fs::path path = models_dir() / "ch_PP-OCRv4_rec_infer.onnx";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path;
  auto unbound = import_file(path.string(), {});
  ASSERT_FALSE(unbound.ok());
  EXPECT_EQ(unbound.status().code(), StatusCode::invalid_argument);
  EXPECT_NE(unbound.status().message().find("input 'x' dimension 3 ('p2o.DynamicDimension.1') is not bound"),
            std::string::npos)
      << unbound.status().message();
  ImportOptions options;
  options.input_shapes["x"] = {2, 3, 48, 320};
  auto bound = import_file(path.string(), options);
  ASSERT_TRUE(bound.ok()) << bound.status().message();
  EXPECT_EQ(bound->value(bound->inputs.at(0)).shape, (Shape{2, 3, 48, 320}));
}

}  // namespace
}  // namespace es::onnx_io
