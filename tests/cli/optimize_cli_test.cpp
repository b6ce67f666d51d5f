// `edgescope optimize` end to end, through the built binary: before/after placement, verification, a written
// file that imports again, and one-line errors for bad options.
#include "onnx/onnx_import.h"
#include "passes/pass.h"

#include "cli_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>

namespace {

using namespace es::cli_test;

namespace fs = std::filesystem;

// The zoo's MobileNetV2, written once per test process under a name of its own (ctest may run the tests of
// this binary as parallel processes).
const std::string& mobilenet() {
  static const std::string path = [] {
    std::string test = testing::UnitTest::GetInstance()->current_test_info()->name();
    std::string p = (fs::path(testing::TempDir()) / ("optimize_cli_" + test + "_mobilenetv2.onnx")).string();
    Outcome o = run_cli("zoo mobilenetv2-12 -o " + p);
    EXPECT_EQ(o.exit_code, 0) << o.output;
    return p;
  }();
  return path;
}

// "DLA loadables   2   1" -> {2, 1}
std::pair<int, int> row(const std::string& output, const std::string& label) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex(label + R"( +(\d+) +(\d+))"))) return {-1, -1};
  return {std::stoi(m[1]), std::stoi(m[2])};
}

// Imports a written file (onnx::checker runs on import) and infers its shapes.
es::Result<es::Graph> reimport(const std::string& path) {
  ES_ASSIGN_OR_RETURN(es::Graph g, es::onnx_io::import_file(path, {}));
  es::PipelineOptions none;
  none.passes = "none";
  ES_TRY(es::run_pipeline(g, none));
  return g;
}

TEST(OptimizeCli, MobileNetBecomesOneLoadableAndIsWrittenAsValidOnnx) {
  std::string out = (fs::path(testing::TempDir()) / "optimize_cli_out.onnx").string();
  Outcome o = run_cli("optimize " + mobilenet() + " --target orin-agx-32gb --symbolic-batch -o " + out);
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(row(o.output, "DLA loadables"), std::make_pair(2, 1)) << o.output;
  EXPECT_EQ(row(o.output, "  on the GPU").second, 1) << o.output;
  EXPECT_LT(row(o.output, "  falling back to the GPU").second, row(o.output, "  falling back to the GPU").first);
  EXPECT_NE(o.output.find("global_pool_to_average_pool"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("predicted latency (ms)"), std::string::npos) << o.output;
  EXPECT_TRUE(std::regex_search(o.output, std::regex(R"(verify +output 'output': relative L2 )"))) << o.output;
  es::Result<es::Graph> reread = reimport(out);
  ASSERT_TRUE(reread.ok()) << reread.status().message();
  EXPECT_EQ(reread->value(reread->outputs[0]).shape, (es::Shape{1, 1000}));
}

TEST(OptimizeCli, Keep4dOutputLeavesNothingOnTheGpu) {
  std::string out = (fs::path(testing::TempDir()) / "optimize_cli_4d.onnx").string();
  Outcome o = run_cli("optimize " + mobilenet() + " --target orin-agx-32gb --keep-4d-output --no-verify -o " + out);
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(row(o.output, "  on the GPU").second, 0) << o.output;
  EXPECT_NE(o.output.find("left on the GPU after optimisation: nothing"), std::string::npos) << o.output;
  EXPECT_EQ(o.output.find("verify "), std::string::npos) << o.output;
  es::Result<es::Graph> reread = reimport(out);
  ASSERT_TRUE(reread.ok()) << reread.status().message();
  EXPECT_EQ(reread->value(reread->outputs[0]).shape, (es::Shape{1, 1000, 1, 1}));
}

TEST(OptimizeCli, ChosenPassesOnly) {
  std::string out = (fs::path(testing::TempDir()) / "optimize_cli_some.onnx").string();
  Outcome o = run_cli("optimize " + mobilenet() + " --target orin-agx-32gb --passes fold_constants -o " + out);
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_EQ(o.output.find("fc_to_conv"), std::string::npos) << o.output;
  EXPECT_EQ(row(o.output, "DLA loadables").second, 2) << o.output;  // the head still falls back
}

TEST(OptimizeCli, BadOptionsAreOneLineErrors) {
  std::string out = (fs::path(testing::TempDir()) / "optimize_cli_bad.onnx").string();
  expect_one_line_error(run_cli("optimize " + mobilenet() + " --target orin-agx-32gb --passes fc_to_conv,nope -o " + out),
                        "unknown pass 'nope'");
  expect_one_line_error(run_cli("optimize " + mobilenet() + " --target host -o " + out), "no DLA");
  expect_one_line_error(run_cli("optimize " + mobilenet() + " --target orin-agx-32gb --device dla7 -o " + out), "dla7");
  expect_one_line_error(run_cli("optimize " + mobilenet() + " --target orin-agx-32gb --device gpu -o " + out),
                        "--device 'gpu'");
  expect_one_line_error(run_cli("optimize " + mobilenet() + " --target orin-agx-32gb --precision fp8 -o " + out),
                        "--precision");
  expect_one_line_error(run_cli("optimize /nonexistent.onnx --target orin-agx-32gb -o " + out), "/nonexistent.onnx");
  Outcome missing = run_cli("optimize " + mobilenet() + " -o " + out);
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("--target"), std::string::npos) << missing.output;
}

}  // namespace
