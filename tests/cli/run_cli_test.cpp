// `edgescope run` and `edgescope zoo` end to end, through the built binary.
#include "onnx/tensor_file.h"

#include "cli_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace {

using namespace es::cli_test;

namespace fs = std::filesystem;
const std::string kShared = ES_SHARED_DIR;
const std::string kMobileNet = kShared + "/models/mobilenetv2-12-fp32-dequantized.onnx";

bool has_shared() { return fs::exists(kMobileNet); }

TEST(RunCli, ClassifiesChelseaAsAnEgyptianCat) {
  if (!has_shared()) GTEST_SKIP() << "shared models absent";
  Outcome o = run_cli("run " + kMobileNet + " --input input=" + kShared + "/images/skimage/chelsea.png --top 5 --labels " +
                      kShared + "/images/imagenet_classes.txt");
  ASSERT_EQ(o.exit_code, 0) << o.output;
  size_t top = o.output.find("top-5 of output 'output'");
  ASSERT_NE(top, std::string::npos) << o.output;
  std::string first_row = o.output.substr(o.output.find('\n', top) + 1);
  first_row = first_row.substr(0, first_row.find('\n'));
  EXPECT_NE(first_row.find("285"), std::string::npos) << o.output;
  EXPECT_NE(first_row.find("Egyptian_cat"), std::string::npos) << o.output;
}

TEST(RunCli, WritesOutputsAsTensorProtos) {
  if (!has_shared()) GTEST_SKIP() << "shared models absent";
  const std::string set = kShared + "/reference/mobilenetv2-12-fp32-dequantized/test_data_set_0";
  fs::path dir = fs::path(testing::TempDir()) / "run_cli_outputs";
  fs::remove_all(dir);
  Outcome o = run_cli("run " + kMobileNet + " --input input=" + set + "/input_0.pb --output " + dir.string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  auto ours = es::onnx_io::read_tensor_file((dir / "output.pb").string());
  auto reference = es::onnx_io::read_tensor_file(set + "/output_0.pb");
  ASSERT_TRUE(ours.ok()) << ours.status().message();
  ASSERT_TRUE(reference.ok()) << reference.status().message();
  EXPECT_EQ(ours->name, "output");
  ASSERT_EQ(ours->tensor.shape(), reference->tensor.shape());
  std::vector<float> a = ours->tensor.to_float_vector(), b = reference->tensor.to_float_vector();
  double diff = 0, norm = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (a[i] - b[i]) * (a[i] - b[i]);
    norm += b[i] * b[i];
  }
  EXPECT_LE(std::sqrt(diff / norm), 1e-4);
}

TEST(RunCli, WithoutInputsSaysItUsesRandomData) {
  if (!has_shared()) GTEST_SKIP() << "shared models absent";
  Outcome o = run_cli("run " + kMobileNet);
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("seeded random data"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("output output f32[1x1000]"), std::string::npos) << o.output;
}

TEST(RunCli, UnknownInputNameListsTheModelsInputs) {
  if (!has_shared()) GTEST_SKIP() << "shared models absent";
  expect_one_line_error(run_cli("run " + kMobileNet + " --input image=" + kShared + "/images/skimage/chelsea.png"),
                        "the model has no input 'image' (inputs: input)");
}

TEST(RunCli, UnreadableImageIsAnError) {
  if (!has_shared()) GTEST_SKIP() << "shared models absent";
  fs::path junk = fs::path(testing::TempDir()) / "not_an_image.png";
  std::ofstream(junk) << "definitely not a PNG";
  expect_one_line_error(run_cli("run " + kMobileNet + " --input input=" + junk.string()), "not_an_image.png");
  expect_one_line_error(run_cli("run " + kMobileNet + " --input input=/nonexistent/cat.jpg"), "/nonexistent/cat.jpg");
}

TEST(RunCli, RawFileOfTheWrongSizeIsAnError) {
  if (!has_shared()) GTEST_SKIP() << "shared models absent";
  fs::path raw = fs::path(testing::TempDir()) / "short.bin";
  std::ofstream(raw, std::ios::binary) << std::string(400, '\0');
  expect_one_line_error(run_cli("run " + kMobileNet + " --input input=" + raw.string()),
                        "'" + raw.string() + "' has 400 bytes, but float32 1x3x224x224 needs 602112 bytes");
}

TEST(ZooCli, ListsAndWritesModels) {
  Outcome list = run_cli("zoo --list");
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("mobilenetv2-12"), std::string::npos);
  EXPECT_NE(list.output.find("resnet50-v1-12"), std::string::npos);
  EXPECT_NE(list.output.find("resnet50-v1.5"), std::string::npos);
  fs::path file = fs::path(testing::TempDir()) / "zoo_mobilenet.onnx";
  Outcome written = run_cli("zoo mobilenetv2-12 -o " + file.string() + " --seed 3");
  ASSERT_EQ(written.exit_code, 0) << written.output;
  Outcome ran = run_cli("run " + file.string() + " --shape input:2x3x224x224 --top 1");
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_NE(ran.output.find("output output f32[2x1000]"), std::string::npos) << ran.output;
  Outcome unknown = run_cli("zoo resnet18 -o " + file.string());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("unknown model 'resnet18'"), std::string::npos) << unknown.output;
}

}  // namespace
