#include "report/bench_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace es::report {
namespace {

using nlohmann::json;

bench::Result sample_result() {
  bench::Result r;
  r.provenance.device = "cpu \"quoted\"";  // names with quotes must survive JSON escaping
  r.provenance.model_path = "m.onnx";
  r.mode = "study";
  r.scenario = "single-stream";
  r.setup = {{"model load", 5.0}, {"compile", 2.0}};
  for (int i = 0; i < 4; ++i) {
    bench::Iteration it;
    it.input_index = i;
    it.start_ms = i * 2.0;
    it.phase_ms = {0.1, 1.0, 0.2, 0.05, 0.0};
    it.phase_start_ms = {0.0, 0.1, 1.1, 1.3, 1.35};
    it.latency_ms = 1.35;
    r.run.iterations.push_back(it);
  }
  r.run.wall_ms = 8;
  r.summary = bench::summarize_run(r.run, 1);
  r.layers = {{"Conv_0+Relu_1", "FusedConv", "cpu", 3.0, 0.75, 0.7, 75.0, "brgconv:avx512_core"},
              {"Gemm_2", "Gemm", "cpu", 1.0, 0.25, 0.25, 25.0}};
  r.profile_iterations = 4;
  return r;
}

TEST(BenchReport, JsonHasProvenanceSummaryAndEveryIteration) {
  json doc = json::parse(to_json(sample_result()));
  EXPECT_EQ(doc["provenance"]["device"], "cpu \"quoted\"");
  for (const char* key : {"version", "git_commit", "build_type", "libraries", "model_sha256", "date"})
    EXPECT_TRUE(doc["provenance"].contains(key)) << key;
  for (const char* key : {"latency_ms", "h2d_ms", "compute_ms", "d2h_ms", "sync_ms", "host_ms", "throughput_qps"})
    EXPECT_TRUE(doc["summary"].contains(key)) << key;
  EXPECT_EQ(doc["summary"]["latency_ms"]["count"], 4);
  EXPECT_DOUBLE_EQ(doc["summary"]["compute_ms"]["median"].get<double>(), 1.0);
  EXPECT_EQ(doc["iterations"].size(), 4u);
  EXPECT_EQ(doc["layers"][0]["name"], "Conv_0+Relu_1");
  // What ran each layer, where the device said (calibrate prices the layer in that form).
  EXPECT_EQ(doc["layers"][0]["implementation"], "brgconv:avx512_core");
  EXPECT_FALSE(doc["layers"][1].contains("implementation"));
  EXPECT_FALSE(json::parse(to_json(sample_result(), false)).contains("iterations"));
}

TEST(BenchReport, CsvHasHeaderAndOneRowPerIteration) {
  std::string csv = to_csv(sample_result());
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "stream,input,start_ms,latency_ms,h2d_ms,compute_ms,d2h_ms,sync_ms,host_ms");
}

TEST(BenchReport, TraceIsValidTraceEventFormat) {
  json doc = json::parse(to_trace(sample_result()).to_json({{"tool", "edgescope"}}));
  ASSERT_TRUE(doc["traceEvents"].is_array());
  int complete = 0, names = 0;
  for (const auto& e : doc["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("name"));
    if (e["ph"] == "X") {
      ++complete;
      EXPECT_TRUE(e["ts"].is_number() && e["dur"].is_number() && e.contains("tid"));
      EXPECT_GE(e["dur"].get<double>(), 0);
    } else {
      EXPECT_EQ(e["ph"], "M");
      ++names;
    }
  }
  // 2 setup + 4 iterations x (1 span + 4 non-zero phases) + 2 layers
  EXPECT_EQ(complete, 2 + 4 * 5 + 2);
  EXPECT_GE(names, 3);
  EXPECT_EQ(doc["otherData"]["tool"], "edgescope");
}

TEST(BenchReport, TrtexecExportsUseTrtexecKeys) {
  json times = json::parse(to_trtexec_times(sample_result()));
  ASSERT_EQ(times.size(), 4u);
  for (const char* key : {"startEnqMs", "endEnqMs", "startH2dMs", "endH2dMs", "startComputeMs", "endComputeMs",
                          "startD2hMs", "endD2hMs", "h2dMs", "computeMs", "d2hMs", "latencyMs"})
    EXPECT_TRUE(times[0].contains(key)) << key;
  EXPECT_NEAR(times[1]["startComputeMs"].get<double>(), 2.1, 1e-9);
  EXPECT_NEAR(times[1]["latencyMs"].get<double>(), 1.3, 1e-9);
  json profile = json::parse(to_trtexec_profile(sample_result()));
  EXPECT_EQ(profile[0]["count"], 4);
  for (const char* key : {"name", "timeMs", "averageMs", "medianMs", "percentage"}) EXPECT_TRUE(profile[1].contains(key));
}

TEST(BenchReport, ConsoleShowsPhasesLayersAndWarnings) {
  bench::Result r = sample_result();
  r.warnings.push_back("something to know");
  std::string text = format_console(r);
  for (const char* needle : {"latency", "h2d", "compute", "d2h", "sync", "Conv_0+Relu_1", "warning: something to know",
                             "model load"})
    EXPECT_NE(text.find(needle), std::string::npos) << needle;
}

}  // namespace
}  // namespace es::report
