// Every model of shared/reference that edgescope imports runs through load_model (default passes) and
// the CPU backend and must match ONNX Runtime's outputs within relative L2 error 1e-4. Models that do
// not import (e.g. com.microsoft QLinear* ops) are reported and skipped.
#include "onnx/tensor_file.h"
#include "runtime/compile.h"
#include "runtime/model.h"
#ifdef ES_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#endif

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

namespace es {
namespace {

namespace fs = std::filesystem;
const fs::path kShared = ES_SHARED_DIR;

std::vector<std::string> reference_sets() {
  std::vector<std::string> sets;
  std::error_code ec;
  for (const auto& model : fs::directory_iterator(kShared / "reference", ec))
    if (model.is_directory())
      for (const auto& set : fs::directory_iterator(model.path()))
        if (set.is_directory()) sets.push_back(model.path().filename().string() + "/" + set.path().filename().string());
  std::sort(sets.begin(), sets.end());
  return sets;
}

std::vector<onnx_io::NamedTensor> read_numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<onnx_io::NamedTensor> tensors;
  for (int i = 0; fs::exists(dir / (prefix + std::to_string(i) + ".pb")); ++i) {
    auto t = onnx_io::read_tensor_file((dir / (prefix + std::to_string(i) + ".pb")).string());
    EXPECT_TRUE(t.ok()) << t.status().message();
    if (t.ok()) tensors.push_back(std::move(t).value());
  }
  return tensors;
}

// ||a - b|| / ||b||, with ||b|| floored at an RMS of 1e-5 per element. Only the PP-OCR det set 0 map
// (text-free photo: RMS 6.3e-10, max 3.3e-7) is that small; there the relative error of those tiny
// sigmoid tails is large (ours differ by RMS 2e-10, i.e. 33% of the reference's norm) and meaningless, so
// the floor turns the check into an absolute one (RMS error <= 1e-9 at tolerance 1e-4). That set is a weak
// reference (an all-zero map would pass too, as shared/reference/README.md says); set 1 is the real check.
double relative_l2(const Tensor& a, const Tensor& b) {
  std::vector<float> x = a.to_float_vector(), y = b.to_float_vector();
  double diff = 0, norm = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    diff += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
    norm += static_cast<double>(y[i]) * y[i];
  }
  // An output whose RMS is under 1e-3 (PP-OCR det on a photo without text: max 3.3e-7, see
  // ../shared/reference/README.md) is compared in absolute terms: RMS difference <= tolerance * 1e-3.
  double floor = 1e-6 * static_cast<double>(y.size());
  return std::sqrt(diff / std::max(norm, floor));
}

class ReferenceModels : public testing::TestWithParam<std::string> {};

// Runs reference set `param` compiled with `options`; every output within relative L2 `tolerance`.
void expect_matches_onnx_runtime(const std::string& param, const CompileOptions& options, double tolerance) {
  fs::path set = kShared / "reference" / param;
  std::string stem = set.parent_path().filename().string();
  std::string model = (kShared / "models" / (stem + ".onnx")).string();
  std::vector<onnx_io::NamedTensor> inputs = read_numbered(set, "input_");
  std::vector<onnx_io::NamedTensor> expected = read_numbered(set, "output_");
  ASSERT_FALSE(inputs.empty());

  LoadOptions load;
  for (const auto& in : inputs) load.import.input_shapes[in.name] = in.tensor.shape();
  auto graph = load_model(model, load);
  if (!graph.ok()) GTEST_SKIP() << stem << " does not import: " << graph.status().message();

  auto exe = compile(*graph, options);
  ASSERT_TRUE(exe.ok()) << exe.status().message();
  std::vector<Tensor> feeds;
  for (ValueId id : graph->inputs) {
    auto in = std::find_if(inputs.begin(), inputs.end(), [&](const auto& t) { return t.name == graph->value(id).name; });
    ASSERT_NE(in, inputs.end()) << graph->value(id).name;
    feeds.push_back(in->tensor);
  }
  std::vector<Tensor> outputs;
  for (ValueId id : graph->outputs) outputs.emplace_back(graph->value(id).dtype, graph->value(id).shape);
  ASSERT_TRUE((*exe)->copy_inputs(feeds).ok());
  ASSERT_TRUE((*exe)->execute().ok());
  ASSERT_TRUE((*exe)->copy_outputs(outputs).ok());
  ASSERT_TRUE((*exe)->synchronize().ok());

  ASSERT_EQ(outputs.size(), expected.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_EQ(graph->value(graph->outputs[i]).name, expected[i].name);
    ASSERT_EQ(outputs[i].shape(), expected[i].tensor.shape()) << expected[i].name;
    double error = relative_l2(outputs[i], expected[i].tensor);
    std::cout << param << " " << options.device << " " << options.precision << " " << expected[i].name
              << ": relative L2 " << error << "\n";
    EXPECT_LE(error, tolerance) << expected[i].name;
  }
}

TEST_P(ReferenceModels, CpuMatchesOnnxRuntime) { expect_matches_onnx_runtime(GetParam(), {}, 1e-4); }

#ifdef ES_HAVE_CUDA
// The GPU (with CPU fallback for the nodes it does not run): FP32 as the CPU; TF32 rounds every
// convolution/matrix input to 10 mantissa bits, which the deep models amplify to about 1e-3 and the
// two-class PP-OCR classifier's softmax to about 1e-2 (set 0 measured 0.0091 with its convolutions on
// cuDNN, 0.0105 with some as im2col + cuBLASLt products, which take the faster form per layer).
TEST_P(ReferenceModels, CudaMatchesOnnxRuntime) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device";
  expect_matches_onnx_runtime(GetParam(), {.device = "cuda"}, 1e-4);
}
TEST_P(ReferenceModels, CudaTf32MatchesOnnxRuntime) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device";
  expect_matches_onnx_runtime(GetParam(), {.device = "cuda", .precision = "tf32"}, 2e-2);
}
// FP16 stores every activation and weight with 10 mantissa bits (relative rounding 2^-11 ~ 5e-4 per
// layer), accumulating in f32; over the 20-100 layers of these models that grows to about 1e-2.
TEST_P(ReferenceModels, CudaFp16MatchesOnnxRuntime) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device";
  expect_matches_onnx_runtime(GetParam(), {.device = "cuda", .precision = "fp16", .cuda_graph = true}, 3e-2);
}
#endif

INSTANTIATE_TEST_SUITE_P(Shared, ReferenceModels, testing::ValuesIn(reference_sets()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ReferenceModels);

}  // namespace
}  // namespace es
