// Targets: the shipped files (embedded at build time), the detected host, user files and their errors.
#include "placement_test_util.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace es::placement::testing {
namespace {

TEST(Targets, ShippedTargetsParseWithSources) {
  std::vector<Target> targets = builtin_targets();
  std::vector<std::string> names;
  for (const Target& t : targets) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"epyc-zen5-2c", "h100-sxm", "orin-agx-32gb", "orin-agx-64gb", "xavier-agx", "host"}));
  for (const Target& t : targets)
    for (const TargetParameter& p : t.parameters) EXPECT_FALSE(p.source.empty()) << t.name << " " << p.key;
  EXPECT_EQ(orin().dla_cores, 2);
  EXPECT_EQ(orin().dla_version, 2);
  EXPECT_EQ(xavier().dla_version, 1);
  // The study's board: 1792 CUDA cores.
  ASSERT_NE(orin().find("gpu.cuda_cores"), nullptr);
  EXPECT_EQ(orin().find("gpu.cuda_cores")->number, 1792);
}

TEST(Targets, HostIsDetectedWithoutDla) {
  Target host = detect_host_target();
  EXPECT_EQ(host.name, "host");
  EXPECT_EQ(host.dla_cores, 0);
  ASSERT_NE(host.find("cpu.logical_cores"), nullptr);
  EXPECT_GT(*host.find("cpu.logical_cores")->number, 0);
  ASSERT_NE(host.find("gpu.count"), nullptr);
}

std::string parse_error(const std::string& json) {
  Result<Target> t = parse_target(json, "my.json");
  return t.ok() ? std::string() : t.status().message();
}

TEST(Targets, MalformedFilesNameTheFileAndField) {
  EXPECT_EQ(parse_error("{"), "target file 'my.json': not valid JSON");
  EXPECT_EQ(parse_error(R"({"dla": {"cores": {"value": 2, "source": "x"}}})"),
            "target file 'my.json': field 'name': missing or not a non-empty string");
  EXPECT_EQ(parse_error(R"({"name": "t", "dla": {"cores": {"value": 2}}})"),
            "target file 'my.json': field 'dla.cores.source': missing or not a non-empty string (every parameter "
            "names its source)");
  EXPECT_EQ(parse_error(R"({"name": "t", "dla": {"cores": {"value": 1.5, "source": "x"}}})"),
            "target file 'my.json': field 'dla.cores.value': expected an integer in [0, 16], got 1.5");
  EXPECT_EQ(parse_error(R"({"name": "t", "dla": {"cores": {"value": 2, "source": "x"}}})"),
            "target file 'my.json': field 'dla.version': missing");
  EXPECT_EQ(parse_error(R"({"name": "t", "npu": {}})"),
            "target file 'my.json': field 'npu': unknown field (expected name, description, cpu, gpu, cuda, dla, memory)");
  EXPECT_EQ(parse_error(R"({"name": "t", "gpu": {"sms": {"value": [1], "source": "x"}}, "dla": {"cores": {"value": 0, "source": "x"}}})"),
            "target file 'my.json': field 'gpu.sms.value': expected a number or a string");
  EXPECT_EQ(parse_error(R"({"name": "t", "dla": {"cores": {"value": 0, "source": "none"}}})"), "");
}

TEST(Targets, UserFileAndUnknownName) {
  std::string path = ::testing::TempDir() + "/es_target_test.json";
  {
    std::ofstream f(path);
    f << R"({"name": "my-board", "dla": {"cores": {"value": 1, "source": "datasheet"}, "version": {"value": 2, "source": "datasheet"}}})";
  }
  Result<Target> t = find_target(path);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->name, "my-board");
  EXPECT_EQ(t->origin, path);
  std::remove(path.c_str());
  Result<Target> missing = find_target("orin-nano");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("orin-agx-32gb"), std::string::npos) << missing.status().message();
}

}  // namespace
}  // namespace es::placement::testing
