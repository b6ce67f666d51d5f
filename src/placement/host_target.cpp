// The `host` target: what this machine is, read from the kernel instead of assumed. The CPU comes from
// /proc/cpuinfo; an NVIDIA GPU is reported only when the driver lists one under /proc/driver/nvidia/gpus
// (no driver, no GPU: that is all the tool can honestly know without CUDA). A host never has a DLA.
#include "placement/target.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace es::placement {
namespace {

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Value of "key : value" lines, first match.
std::string field_value(const std::string& line, const std::string& key) {
  if (line.rfind(key, 0) != 0) return {};
  size_t colon = line.find(':');
  return colon == std::string::npos ? std::string() : trim(line.substr(colon + 1));
}

}  // namespace

Target detect_host_target() {
  Target t;
  t.name = "host";
  t.origin = "detected";
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model;
  int processors = 0;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("processor", 0) == 0) ++processors;
    if (model.empty()) model = field_value(line, "model name");
    if (model.empty()) model = field_value(line, "Model");  // Arm kernels name the board here
  }
  if (model.empty()) model = "unknown CPU";
  t.parameters.push_back({"cpu.model", model, std::nullopt, "/proc/cpuinfo"});
  t.parameters.push_back({"cpu.logical_cores", std::to_string(processors), processors, "/proc/cpuinfo"});

  std::vector<std::string> gpus;
  std::error_code ec;
  const std::filesystem::path driver_gpus = "/proc/driver/nvidia/gpus";
  if (std::filesystem::is_directory(driver_gpus, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(driver_gpus, ec)) {
      std::ifstream info(entry.path() / "information");
      while (std::getline(info, line)) {
        std::string name = field_value(line, "Model");
        if (!name.empty()) gpus.push_back(name);
      }
    }
  }
  t.parameters.push_back({"gpu.count", std::to_string(gpus.size()), static_cast<double>(gpus.size()),
                          "/proc/driver/nvidia/gpus (NVIDIA driver)"});
  for (size_t i = 0; i < gpus.size(); ++i)
    t.parameters.push_back({fmt::format("gpu.{}.model", i), gpus[i], std::nullopt, "/proc/driver/nvidia/gpus"});
  t.parameters.push_back({"dla.cores", "0", 0.0, "a host has no DLA"});
  t.description = fmt::format("this machine: {} ({} logical cores), {}", model, processors,
                              gpus.empty() ? "no NVIDIA GPU found" : fmt::format("{} NVIDIA GPU(s)", gpus.size()));
  return t;
}

}  // namespace es::placement
