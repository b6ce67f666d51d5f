// Chrome trace (Trace Event Format) writer shared by measured runs and the simulator, so their timelines
// open side by side in Perfetto / chrome://tracing. Complete events ("ph":"X") on named tracks: a
// process per device, a thread per stream or queue. JSON is written through nlohmann (names are escaped).
#pragma once

#include "base/status.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace es::report {

struct TraceEvent {
  std::string name;
  std::string category;  // "phase", "layer", "copy", "sync", ...
  std::string process;   // track group: the device, e.g. "cpu", "cuda:0", "dla0"
  std::string thread;    // track: the stream or queue, e.g. "stream 0", "layers"
  double start_us = 0;
  double duration_us = 0;
  std::vector<std::pair<std::string, std::string>> args;
};

class ChromeTrace {
 public:
  void add(TraceEvent event) { events_.push_back(std::move(event)); }
  const std::vector<TraceEvent>& events() const { return events_; }
  // The trace as a JSON document: {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}.
  std::string to_json(const std::map<std::string, std::string>& metadata = {}) const;
  Status write(const std::string& path, const std::map<std::string, std::string>& metadata = {}) const;

 private:
  std::vector<TraceEvent> events_;
};

}  // namespace es::report
