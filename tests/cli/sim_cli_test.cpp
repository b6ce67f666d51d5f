// The simulator's commands end to end through the built binary: compare (Figure 3-5 of the study), study
// (one folder with Table 1, a local bench and the comparison), calibrate on the study's own bench JSON and
// simulate with the calibrated target; bad inputs give one-line errors.
#include "cli_test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <tuple>

namespace {

using namespace es::cli_test;

namespace fs = std::filesystem;

class SimCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("es_sim_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    Outcome zoo = run_cli("zoo mobilenetv2-12 -o " + (dir_ / "mb.onnx").string());
    ASSERT_EQ(zoo.exit_code, 0) << zoo.output;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static fs::path dir_;
};
fs::path SimCli::dir_;

TEST_F(SimCli, CompareWritesTableJsonAndTrace) {
  const fs::path json = dir_ / "cmp.json", trace = dir_ / "cmp.trace.json";
  Outcome o = run_cli("compare " + (dir_ / "mb.onnx").string() + " --target orin-agx-32gb --symbolic-batch --iterations 5 --json " +
                      json.string() + " --trace " + trace.string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  EXPECT_NE(o.output.find("DLA/GPU"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("GPU fallback kernels of the DLA run"), std::string::npos) << o.output;
  nlohmann::json j = read_json(json);
  ASSERT_FALSE(j.is_discarded());
  const double gpu = j["gpu"]["latency_mean_ms"], dla = j["dla"]["latency_mean_ms"];
  EXPECT_GT(gpu, 0);
  EXPECT_NEAR(j["dla_over_gpu"].get<double>(), dla / gpu, 1e-9);
  EXPECT_GT(j["placement"]["network_gpu_layers"].get<int>(), 0);
  nlohmann::json t = read_json(trace);
  ASSERT_FALSE(t.is_discarded());
  bool gpu_track = false, dla_track = false;
  for (const auto& e : t["traceEvents"]) {
    if (!e.contains("args") || !e["args"].contains("name")) continue;
    std::string name = e["args"]["name"].is_string() ? e["args"]["name"].get<std::string>() : "";
    gpu_track |= name == "GPU run: gpu";
    dla_track |= name == "DLA run: dla0";
  }
  EXPECT_TRUE(gpu_track && dla_track) << t.dump().substr(0, 2000);
}

// The CUDA backend's copies as bench makes them: by default from pinned host memory at the copy engine's rate,
// with --host-memory pageable staged first (slower for batch 32's 19 MB input), each recorded in the options.
TEST_F(SimCli, SimulateCudaCopiesFromPinnedOrPageableMemory) {
  std::map<std::string, double> h2d_ms;
  for (const char* memory : {"pinned", "pageable"}) {
    const fs::path json = dir_ / (std::string("h2d-") + memory + ".json");
    Outcome o = run_cli("simulate " + (dir_ / "mb.onnx").string() + " --target h100-sxm --device cuda --batch 32 --iterations 2 "
                        "--host-memory " + memory + " --json " + json.string());
    ASSERT_EQ(o.exit_code, 0) << o.output;
    nlohmann::json j = read_json(json);
    EXPECT_EQ(j["options"]["host_memory"], memory);
    h2d_ms[memory] = j["summary"]["h2d_ms"]["median"].get<double>();
  }
  EXPECT_GT(h2d_ms["pageable"], 1.2 * h2d_ms["pinned"]);
  expect_one_line_error(run_cli("simulate " + (dir_ / "mb.onnx").string() + " --target h100-sxm --device cuda --host-memory mapped"),
                        "--host-memory 'mapped'");
}

// Without --precision each device runs as its own tool would: the study's engines in FP16, edgescope's backends FP32.
// The options name the host memory only where copies come from it (edgescope's backends).
TEST_F(SimCli, SimulateDefaultsToEachDevicesOwnPrecision) {
  for (const auto& [target, device, precision] : {std::tuple{"epyc-zen5-2c", "cpu", "fp32"}, std::tuple{"h100-sxm", "cuda", "fp32"},
                                                 std::tuple{"orin-agx-32gb", "gpu", "fp16"}}) {
    const fs::path json = dir_ / (std::string("default-") + device + ".json");
    Outcome o = run_cli("simulate " + (dir_ / "mb.onnx").string() + " --target " + target + " --device " + device +
                        " --iterations 2 --json " + json.string());
    ASSERT_EQ(o.exit_code, 0) << o.output;
    nlohmann::json options = read_json(json)["options"];
    EXPECT_EQ(options["precision"], precision) << device;
    // Host memory as bench records it: the CPU's is ordinary memory, the CUDA backend's pinned by default.
    const std::string host = device == std::string("cpu") ? "pageable" : device == std::string("cuda") ? "pinned" : "";
    EXPECT_EQ(options.value("host_memory", std::string()), host) << device;
  }
}

TEST_F(SimCli, CompareRefusesATargetWithoutDla) {
  expect_one_line_error(run_cli("compare " + (dir_ / "mb.onnx").string() + " --target h100-sxm"), "h100-sxm");
}

TEST_F(SimCli, StudyThenCalibrateThenSimulate) {
  const fs::path study = dir_ / "study";
  Outcome o = run_cli("study --models mobilenetv2-12 --iterations 2 --profile-layers 1 --threads 1 -o " + study.string());
  ASSERT_EQ(o.exit_code, 0) << o.output;
  for (const char* file : {"summary.md", "study.json", "mobilenetv2-12/mobilenetv2-12.onnx", "mobilenetv2-12/placement.md",
                           "mobilenetv2-12/bench-cpu.json", "mobilenetv2-12/compare.json", "mobilenetv2-12/compare.trace.json"})
    EXPECT_TRUE(fs::exists(study / file)) << file;
  nlohmann::json index = read_json(study / "study.json");
  ASSERT_FALSE(index.is_discarded());
  ASSERT_EQ(index["models"].size(), 1u);
  EXPECT_GT(index["models"][0]["table1"]["network_layers"].get<int>(), 0);
  EXPECT_GT(index["models"][0]["compare"]["dla_over_gpu"].get<double>(), 0);
  std::ifstream summary(study / "summary.md");
  std::string md((std::istreambuf_iterator<char>(summary)), std::istreambuf_iterator<char>());
  EXPECT_NE(md.find("Table 1"), std::string::npos);
  EXPECT_NE(md.find("Figure 3"), std::string::npos);

  const fs::path calibrated = dir_ / "calibrated.json";
  Outcome c = run_cli("calibrate " + (study / "mobilenetv2-12/bench-cpu.json").string() +
                      " --target epyc-zen5-2c --name mine -o " + calibrated.string());
  ASSERT_EQ(c.exit_code, 0) << c.output;
  // Every measured kernel matched: "MATCHED/MEASURED" with both equal.
  EXPECT_TRUE(std::regex_search(c.output, std::regex(R"(\s(\d+)/\1\s)"))) << c.output;
  nlohmann::json target = read_json(calibrated);
  ASSERT_FALSE(target.is_discarded());
  EXPECT_EQ(target["name"], "mine");
  EXPECT_NE(target["cpu"]["conv_efficiency"]["source"].get<std::string>().find("calibrated"), std::string::npos);

  Outcome s = run_cli("simulate " + (study / "mobilenetv2-12/mobilenetv2-12.onnx").string() + " --target " +
                      calibrated.string() + " --device cpu --precision fp32 --threads 1 --iterations 3");
  ASSERT_EQ(s.exit_code, 0) << s.output;
  EXPECT_NE(s.output.find("Conv_0+Clip_1"), std::string::npos) << s.output;

  // The kernels are fitted to the measured compute, not to the latency around it. A machine that is exactly a known
  // target stands in for this one (its simulated run, marked measured, so that the check does not hang on this
  // machine's load), with copies twice as long as the compute: calibrate finds the target's kernels again. Fitted to
  // the latency, the efficiencies would come out about 40 % lower.
  // (Calibrate.CpuKernelsFitTheComputeNotTheLatencyAroundIt checks the fit itself.)
  nlohmann::json truth = target;
  truth["name"] = "truth";
  const std::map<std::string, double> known = {{"conv_efficiency", 0.55}, {"depthwise_efficiency", 0.21}, {"matrix_overhead_us", 2.5}};
  for (const auto& [key, value] : known) truth["cpu"][key]["value"] = value;
  const fs::path truth_file = dir_ / "truth.json";
  std::ofstream(truth_file) << truth.dump();
  const fs::path simulated = study / "mobilenetv2-12/truth-run.json";
  Outcome t = run_cli("simulate " + (study / "mobilenetv2-12/mobilenetv2-12.onnx").string() + " --target " + truth_file.string() +
                      " --device cpu --precision fp32 --threads 1 --iterations 3 --json " + simulated.string());
  ASSERT_EQ(t.exit_code, 0) << t.output;
  nlohmann::json run = read_json(simulated);
  run["provenance"]["simulated"] = false;
  run["summary"]["latency_ms"]["median"] = 3 * run["summary"]["compute_ms"]["median"].get<double>();
  std::ofstream(simulated) << run.dump();
  const fs::path recalibrated = dir_ / "recalibrated.json";
  Outcome r = run_cli("calibrate " + simulated.string() + " --target epyc-zen5-2c -o " + recalibrated.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json again = read_json(recalibrated);
  for (const auto& [key, value] : known) EXPECT_NEAR(again["cpu"][key]["value"].get<double>(), value, 0.02 * value) << key;
}

TEST_F(SimCli, CalibrateNamesAFileThatIsNotABenchResult) {
  const fs::path bogus = dir_ / "bogus.json";
  std::ofstream(bogus) << "{\"hello\": 1}";
  expect_one_line_error(run_cli("calibrate " + bogus.string() + " --target epyc-zen5-2c -o " + (dir_ / "x.json").string()),
                        bogus.string());
}

TEST_F(SimCli, StudyRefusesATargetWithoutDla) {
  expect_one_line_error(run_cli("study --target epyc-zen5-2c -o " + (dir_ / "s2").string()), "epyc-zen5-2c");
}

}  // namespace
