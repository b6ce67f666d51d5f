#include "runtime/provenance.h"

#include <dnnl.hpp>
#include <fmt/format.h>

#include <ctime>
#include <fstream>
#include <thread>

namespace es {

std::map<std::string, std::string> library_versions() {
  const dnnl_version_t* v = dnnl_version();
  return {{"oneDNN", fmt::format("{}.{}.{}", v->major, v->minor, v->patch)}};
}

std::string host_description() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return fmt::format("{} ({} cores)", model, std::thread::hardware_concurrency());
}

std::string utc_now_iso8601() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace es
