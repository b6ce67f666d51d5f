#include "report/chrome_trace.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace es::report {

std::string ChromeTrace::to_json(const std::map<std::string, std::string>& metadata) const {
  // Perfetto wants numeric pids/tids; names come through metadata events, numbered in first-seen order.
  std::map<std::string, int> pids;
  std::map<std::pair<std::string, std::string>, int> tids;
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  auto pid_of = [&](const std::string& process) {
    auto [it, added] = pids.try_emplace(process, static_cast<int>(pids.size()) + 1);
    if (added)
      events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", it->second}, {"args", {{"name", process}}}});
    return it->second;
  };
  auto tid_of = [&](const std::string& process, const std::string& thread, int pid) {
    auto [it, added] = tids.try_emplace({process, thread}, static_cast<int>(tids.size()) + 1);
    if (added)
      events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", pid}, {"tid", it->second}, {"args", {{"name", thread}}}});
    return it->second;
  };
  for (const TraceEvent& e : events_) {
    int pid = pid_of(e.process);
    int tid = tid_of(e.process, e.thread, pid);
    nlohmann::ordered_json event = {{"name", e.name}, {"cat", e.category}, {"ph", "X"}, {"pid", pid},
                                    {"tid", tid},     {"ts", e.start_us},  {"dur", e.duration_us}};
    if (!e.args.empty()) {
      nlohmann::ordered_json args = nlohmann::ordered_json::object();
      for (const auto& [key, value] : e.args) args[key] = value;
      event["args"] = std::move(args);
    }
    events.push_back(std::move(event));
  }
  nlohmann::ordered_json doc = {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
  if (!metadata.empty()) doc["otherData"] = metadata;
  return doc.dump();
}

Status ChromeTrace::write(const std::string& path, const std::map<std::string, std::string>& metadata) const {
  std::ofstream out(path, std::ios::binary);
  if (!out) return error(StatusCode::not_found, "cannot write trace file '{}'", path);
  out << to_json(metadata);
  if (!out) return error(StatusCode::resource, "writing trace file '{}' failed", path);
  return {};
}

}  // namespace es::report
