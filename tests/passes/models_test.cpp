// The default pipeline on real models from ../shared/models: the fusions it must find, and outputs
// unchanged (reference kernels, random inputs). Skipped when ../shared is absent.
#include "support/graph_test_util.h"
#include "onnx/onnx_import.h"
#include "passes/pass.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace es {
namespace {

struct ModelCase {
  const char* name;
  const char* file;
  std::vector<std::pair<OpKind, int>> expected_ops;  // op counts after the default pipeline
};

class DefaultPipelineOnModel : public testing::TestWithParam<ModelCase> {};

TEST_P(DefaultPipelineOnModel, FusesAndKeepsOutputs) {
  const ModelCase& param = GetParam();
  std::string path = std::string(ES_SHARED_DIR) + "/models/" + param.file;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not found";
  Result<Graph> imported = onnx_io::import_file(path, {});
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  Graph before = *imported;
  Graph after = *imported;
  PipelineOptions none;
  none.passes = "none";
  Status status = run_pipeline(before, none);
  ASSERT_TRUE(status.ok()) << status.message();
  status = run_pipeline(after, {});
  ASSERT_TRUE(status.ok()) << status.message();

  for (const auto& [op, count] : param.expected_ops) EXPECT_EQ(test::count_ops(after, op), count) << op_name(op);
  test::expect_same_outputs(before, after);
}

INSTANTIATE_TEST_SUITE_P(
    Models, DefaultPipelineOnModel,
    testing::Values(
        // Conv+Clip(0,6) and Conv+Add(residual) of MobileNetV2; the Shape->Gather->Unsqueeze->Concat
        // chain feeding the classifier's Reshape is folded.
        ModelCase{"MobileNetV2", "mobilenetv2-12-fp32-dequantized.onnx",
                  {{OpKind::FusedConv, 45}, {OpKind::Conv, 7}, {OpKind::Clip, 0}, {OpKind::Add, 0},
                   {OpKind::Shape, 0}, {OpKind::Concat, 0}}},
        // Conv+BatchNormalization+Relu throughout (opset 9, Constant nodes).
        ModelCase{"RFB320", "version-RFB-320.onnx",
                  {{OpKind::FusedConv, 37}, {OpKind::BatchNormalization, 0}, {OpKind::Relu, 0},
                   {OpKind::Constant, 0}, {OpKind::Shape, 0}}}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace es
