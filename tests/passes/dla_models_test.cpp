// `optimize`'s goal on real topologies: the study's two models become one DLA loadable on Orin with TensorRT 8.5
// rules, with nothing on the GPU but the reshape that restores the classifier's [N, C] output (nothing with
// keep_4d_outputs); the written ONNX file imports again (onnx::checker) and keeps that placement; and every
// optimised model in ../shared computes what the original computes on every input of ../shared/reference.
#include "onnx/onnx_export.h"
#include "onnx/onnx_import.h"
#include "onnx/tensor_file.h"
#include "passes/dla/dla_passes.h"
#include "passes/dla/verify_outputs.h"
#include "placement/placement.h"
#include "zoo/zoo.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cctype>

#include <filesystem>

namespace es {
namespace {

namespace fs = std::filesystem;

Status optimize(Graph& graph, bool keep_4d) {
  PipelineOptions options;
  options.passes = passes::dla::dla_pass_list("default", keep_4d);
  return run_pipeline(graph, options, passes::dla::dla_passes());
}

placement::PlacementReport orin_dla(const Graph& graph, bool symbolic_batch) {
  Result<placement::Target> target = placement::find_target("orin-agx-32gb");
  EXPECT_TRUE(target.ok()) << target.status().message();
  placement::PlacementOptions options;  // dla0, fp16, TensorRT 8.5
  options.allow_gpu_fallback = true;
  options.dynamic_batch = symbolic_batch;
  Result<placement::PlacementReport> report = placement::analyze_placement(graph, *target, options);
  EXPECT_TRUE(report.ok()) << report.status().message();
  return report.ok() ? std::move(report).value() : placement::PlacementReport{};
}

// One loadable; on the GPU at most one engine layer, a Shuffle writing a graph output (none when keep_4d).
void expect_one_loadable(const Graph& graph, bool keep_4d) {
  placement::PlacementReport r = orin_dla(graph, false);
  EXPECT_EQ(r.engine.dla_loadables(), 1);
  std::vector<const placement::EngineLayer*> gpu;
  for (const placement::EngineLayer& l : r.engine.layers)
    if (!l.on_dla) gpu.push_back(&l);
  ASSERT_LE(gpu.size(), keep_4d ? 0u : 1u);
  for (const placement::EngineLayer* l : gpu) {
    ASSERT_EQ(l->members.size(), 1u);
    const placement::LayerPlacement& layer = r.layers[static_cast<size_t>(l->members[0])];
    EXPECT_EQ(layer.type, "Shuffle") << l->name;
    EXPECT_EQ(layer.rule, "shuffle.4d") << l->name;
    const Value& out = graph.value(graph.outputs[0]);
    EXPECT_EQ(layer.output, fmt::format("{}[{}]", dtype_name(out.dtype), shape_str(out.shape))) << l->name;
  }
}

struct GoalCase {
  const char* name;
  bool keep_4d;
};

class OptimizeGoal : public testing::TestWithParam<GoalCase> {
 protected:
  Graph model() {
    std::string name = GetParam().name;
    if (name == "mobilenetv2-12-fp32-dequantized") {
      std::string path = std::string(ES_SHARED_DIR) + "/models/" + name + ".onnx";
      if (!fs::exists(path)) return {};
      Result<Graph> g = onnx_io::import_file(path, {});
      EXPECT_TRUE(g.ok()) << g.status().message();
      return g.ok() ? std::move(g).value() : Graph{};
    }
    const zoo::ZooModel* zm = zoo::find_zoo_model(name);
    EXPECT_NE(zm, nullptr) << name;
    return zm ? zm->build({}) : Graph{};
  }
};

TEST_P(OptimizeGoal, BecomesOneDlaLoadableAndStaysEqual) {
  const GoalCase& c = GetParam();
  Graph original = model();
  if (original.nodes.empty()) GTEST_SKIP() << c.name << " not available";
  PipelineOptions none;
  none.passes = "none";
  ASSERT_TRUE(run_pipeline(original, none).ok());
  // As the ONNX files declare it (symbolic batch), the classifier head falls back.
  EXPECT_GT(orin_dla(original, true).engine.dla_loadables() + orin_dla(original, true).engine.gpu_layers(), 1);

  Graph optimized = original;
  Status status = optimize(optimized, c.keep_4d);
  ASSERT_TRUE(status.ok()) << status.message();
  for (const Node& n : optimized.nodes) EXPECT_TRUE(n.op != OpKind::GlobalAveragePool && n.op != OpKind::Gemm) << n.name;
  expect_one_loadable(optimized, c.keep_4d);

  Result<std::vector<passes::dla::OutputComparison>> same =
      passes::dla::compare_outputs(original, optimized, passes::dla::seeded_inputs(original, 3), 1e-5);
  EXPECT_TRUE(same.ok()) << same.status().message();

  // The written file passes onnx::checker on import and keeps the placement.
  fs::path file = fs::path(testing::TempDir()) / (std::string(c.name) + (c.keep_4d ? "-4d" : "") + "-dla.onnx");
  Status written = onnx_io::export_file(optimized, file.string());
  ASSERT_TRUE(written.ok()) << written.message();
  Result<Graph> reread = onnx_io::import_file(file.string(), {});
  ASSERT_TRUE(reread.ok()) << reread.status().message();
  ASSERT_TRUE(run_pipeline(*reread, none).ok());
  expect_one_loadable(*reread, c.keep_4d);
  fs::remove(file);
}

INSTANTIATE_TEST_SUITE_P(Models, OptimizeGoal,
                         testing::Values(GoalCase{"mobilenetv2-12", false}, GoalCase{"mobilenetv2-12", true},
                                         GoalCase{"resnet50-v1-12", false}, GoalCase{"resnet50-v1-12", true},
                                         GoalCase{"mobilenetv2-12-fp32-dequantized", false}),
                         [](const auto& info) {
                           std::string n = std::string(info.param.name) + (info.param.keep_4d ? "_keep4d" : "");
                           for (char& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

// Every reference input set of every model present in ../shared: the optimised model's outputs equal the
// original's (both on the reference kernels) within relative L2 1e-5.
class OptimizeKeepsReferenceOutputs : public testing::TestWithParam<std::string> {};

TEST_P(OptimizeKeepsReferenceOutputs, OnEveryReferenceInput) {
  const std::string stem = GetParam();
  const std::string model = std::string(ES_SHARED_DIR) + "/models/" + stem + ".onnx";
  const fs::path sets = fs::path(ES_SHARED_DIR) / "reference" / stem;
  if (!fs::exists(model) || !fs::exists(sets)) GTEST_SKIP() << stem << " not in ../shared";
  int checked = 0;
  for (const fs::directory_entry& set : fs::directory_iterator(sets)) {
    Result<onnx_io::NamedTensor> input = onnx_io::read_tensor_file((set.path() / "input_0.pb").string());
    ASSERT_TRUE(input.ok()) << input.status().message();
    onnx_io::ImportOptions import;
    import.input_shapes[input->name] = input->tensor.shape();
    Result<Graph> original = onnx_io::import_file(model, import);
    ASSERT_TRUE(original.ok()) << original.status().message();
    PipelineOptions none;
    none.passes = "none";
    ASSERT_TRUE(run_pipeline(*original, none).ok());
    Graph optimized = *original;
    Status status = optimize(optimized, false);
    ASSERT_TRUE(status.ok()) << status.message();
    Result<std::vector<passes::dla::OutputComparison>> same =
        passes::dla::compare_outputs(*original, optimized, {input->tensor}, 1e-5);
    EXPECT_TRUE(same.ok()) << set.path() << ": " << same.status().message();
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Shared, OptimizeKeepsReferenceOutputs,
                         testing::Values("mobilenetv2-12-fp32-dequantized", "version-RFB-320", "version-RFB-640",
                                         "yolox_nano", "ch_PP-OCRv4_det_infer", "ch_PP-OCRv4_rec_infer",
                                         "ch_ppocr_mobile_v2.0_cls_infer", "shufflenet-v2-12-qdq"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace es
