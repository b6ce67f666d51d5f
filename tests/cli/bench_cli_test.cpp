// `edgescope bench` end to end through the built binary: a short real bench of a zoo model with every
// output file checked against its format, accuracy over labelled photos, and one-line errors.
#include "cli_test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace {

using namespace es::cli_test;

namespace fs = std::filesystem;
using nlohmann::json;
const std::string kShared = ES_SHARED_DIR;
const std::string kMobileNet = kShared + "/models/mobilenetv2-12-fp32-dequantized.onnx";
const std::string kPhotos = kShared + "/images/imagenet-sample-images";
const std::string kLabels = kShared + "/images/imagenet_sample_labels.tsv";

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::path(testing::TempDir()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// The short real bench of CI: the zoo's MobileNetV2, 20 study-mode iterations, every output format.
TEST(BenchCli, ShortRealBenchWritesEveryFormat) {
  fs::path dir = fresh_dir("bench_cli_formats");
  std::string model = (dir / "mobilenetv2-12.onnx").string();
  ASSERT_EQ(run_cli("zoo mobilenetv2-12 -o " + model).exit_code, 0);
  Outcome o = run_cli("bench " + model + " --threads 1 --iterations 20 --warmup-iterations 2 --profile-layers 2 --json " +
                      (dir / "r.json").string() + " --csv " + (dir / "r.csv").string() + " --trace " +
                      (dir / "t.json").string() + " --export-times " + (dir / "times.json").string() +
                      " --export-profile " + (dir / "profile.json").string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("20 timed iterations"), std::string::npos) << o.output;

  json r = read_json(dir / "r.json");
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r["provenance"]["model_sha256"].get<std::string>().size(), 64u);
  EXPECT_FALSE(r["provenance"]["version"].get<std::string>().empty());
  EXPECT_EQ(r["provenance"]["device"], "cpu");
  EXPECT_EQ(r["options"]["iterations"], "20");
  EXPECT_EQ(r["options"]["host_memory"], "pageable");  // the CPU has no pinned memory: the default gives way
  ASSERT_EQ(r["iterations"].size(), 20u);
  for (const json& it : r["iterations"]) EXPECT_GT(it["latency_ms"].get<double>(), 0);
  EXPECT_GT(r["summary"]["latency_ms"]["median"].get<double>(), 0);
  EXPECT_FALSE(r["layers"].empty());

  std::ifstream csv(dir / "r.csv");
  int lines = 0;
  for (std::string line; std::getline(csv, line);) ++lines;
  EXPECT_EQ(lines, 21);  // header + one row per iteration

  // Chrome trace event format: complete events ("X") with name, ts, dur, pid, tid.
  json trace = read_json(dir / "t.json");
  ASSERT_TRUE(trace.contains("traceEvents"));
  int complete = 0;
  for (const json& e : trace["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("name")) << e.dump();
    if (e["ph"] == "X") {
      ++complete;
      EXPECT_TRUE(e["ts"].is_number() && e["dur"].is_number() && e.contains("tid")) << e.dump();
    }
  }
  EXPECT_GE(complete, 20);

  // trtexec's --exportTimes keys and --exportProfile layout (a count record, then one record per layer).
  json times = read_json(dir / "times.json");
  ASSERT_EQ(times.size(), 20u);
  for (const char* key : {"startEnqMs", "endEnqMs", "startH2dMs", "endH2dMs", "startComputeMs", "endComputeMs", "startD2hMs", "endD2hMs",
                          "h2dMs", "computeMs", "d2hMs", "latencyMs"})
    EXPECT_TRUE(times[0].contains(key)) << key;
  json profile = read_json(dir / "profile.json");
  ASSERT_GE(profile.size(), 2u);
  EXPECT_TRUE(profile[0].contains("count"));
  for (const char* key : {"name", "timeMs", "averageMs", "medianMs", "percentage"}) EXPECT_TRUE(profile[1].contains(key)) << key;
}

// Twenty labelled ImageNet photos: top-1/top-5 counted once per photo, as JSON and console say.
TEST(BenchCli, ImagesWithLabelsGiveAccuracy) {
  if (!fs::exists(kMobileNet) || !fs::exists(kPhotos)) GTEST_SKIP() << "shared models/images absent";
  fs::path dir = fresh_dir("bench_cli_images");
  std::vector<fs::path> photos;
  for (const auto& e : fs::directory_iterator(kPhotos))
    if (e.path().extension() == ".JPEG") photos.push_back(e.path());
  std::sort(photos.begin(), photos.end());
  ASSERT_GE(photos.size(), 20u);
  for (size_t i = 0; i < 20; ++i) fs::copy_file(photos[i], dir / photos[i].filename());

  Outcome o = run_cli("bench " + kMobileNet + " --threads 1 --iterations 20 --warmup-iterations 1 --images " +
                      dir.string() + " --labels " + kLabels + " --json " + (dir / "r.json").string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("over 20 images"), std::string::npos) << o.output;
  json r = read_json(dir / "r.json");
  EXPECT_EQ(r["accuracy"]["images"], 20);
  // The first 20 classes (fish, birds, amphibians) are easy for MobileNetV2: wrong preprocessing (channel
  // order, normalisation, crop) or a mislabelled feed drops top-1 far below this.
  EXPECT_GE(r["accuracy"]["top1"].get<int>(), 14) << o.output;
  EXPECT_GE(r["accuracy"]["top5"].get<int>(), r["accuracy"]["top1"].get<int>());
  // Photo by photo, in file order, so two runs can be compared: the first class of each and its label.
  const json& predictions = r["accuracy"]["predictions"];
  ASSERT_EQ(predictions.size(), 20u);
  int correct = 0;
  for (size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(predictions[i]["image"], photos[i].filename().string());
    correct += predictions[i]["top1"] == predictions[i]["label"];
  }
  EXPECT_EQ(correct, r["accuracy"]["top1"].get<int>());

  // Fewer iterations than photos: the accuracy says how many it covers.
  Outcome partial = run_cli("bench " + kMobileNet + " --threads 1 --iterations 5 --warmup-iterations 0 --images " +
                            dir.string() + " --labels " + kLabels);
  ASSERT_EQ(partial.exit_code, 0) << partial.output;
  EXPECT_NE(partial.output.find("accuracy covers 5 of the 20 images"), std::string::npos) << partial.output;
}

TEST(BenchCli, BadImageOptionsAreOneLineErrors) {
  if (!fs::exists(kMobileNet)) GTEST_SKIP() << "shared models absent";
  fs::path dir = fresh_dir("bench_cli_errors");
  expect_one_line_error(run_cli("bench " + kMobileNet + " --labels " + kLabels), "needs --images");
  expect_one_line_error(run_cli("bench " + kMobileNet + " --host-memory locked"), "--host-memory");
  expect_one_line_error(run_cli("bench " + kMobileNet + " --images " + (dir / "missing").string()), "not a folder");
  expect_one_line_error(run_cli("bench " + kMobileNet + " --images " + dir.string()), "no image files");

  std::ofstream(dir / "broken.jpg") << "not a jpeg";
  expect_one_line_error(run_cli("bench " + kMobileNet + " --iterations 1 --images " + dir.string()), "broken.jpg");

  fs::remove(dir / "broken.jpg");
  fs::copy_file(kShared + "/images/skimage/chelsea.png", dir / "chelsea.png");
  expect_one_line_error(run_cli("bench " + kMobileNet + " --iterations 1 --images " + dir.string() + " --labels " + kLabels),
                        "no label for image 'chelsea.png'");
  expect_one_line_error(run_cli("bench " + kMobileNet + " --iterations 1 --images " + dir.string() + " --crop 200"),
                        "chelsea.png");
}

// --restrict prints the nodes it moves and the rule that decided each before the run (which needs a GPU: here
// either it runs or it fails for want of one); its bad values are one-line errors.
TEST(BenchCli, RestrictSaysWhatMovesAndWhy) {
  fs::path dir = fresh_dir("bench_cli_restrict");
  std::string model = (dir / "mobilenetv2-12.onnx").string();
  ASSERT_EQ(run_cli("zoo mobilenetv2-12 -o " + model).exit_code, 0);
  Outcome o = run_cli("bench " + model + " --device cuda --restrict cuda=dla --iterations 2 --warmup-iterations 0");
  EXPECT_NE(o.output.find("restrict    cuda:0 to the DLA rules of orin-agx-32gb dla0 (fp16, TensorRT 8.5): 1 of 55 "
                          "nodes go to cpu\n  GlobalAveragePool_97"),
            std::string::npos)
      << o.output;
  EXPECT_NE(o.output.find("<- layer.type: layer type not supported on the DLA"), std::string::npos) << o.output;

  expect_one_line_error(run_cli("bench " + model + " --device cuda --restrict cuda=nope"), "rule set 'nope': expected dla");
  expect_one_line_error(run_cli("bench " + model + " --device cuda --restrict tpu=dla"), "device 'tpu' cannot be restricted");
  expect_one_line_error(run_cli("bench " + model + " --restrict cuda=dla"), "the model runs on --device cpu, not cuda");
  expect_one_line_error(run_cli("run " + model + " --device cuda --restrict cuda=h100-sxm"), "target 'h100-sxm' has no DLA");
  expect_one_line_error(run_cli("bench " + model + " --device cuda --restrict cuda=dla --fallback none"),
                        "node 'GlobalAveragePool_97': its rule set keeps it off cuda:0 (layer.type");
}

}  // namespace
