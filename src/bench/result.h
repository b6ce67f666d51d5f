// The one results model of a performance run, measured (`bench`) or predicted (`simulate`). Printers in
// src/report render it as a console table, JSON, CSV, a Chrome trace and trtexec-compatible exports.
#pragma once

#include "backends/executable.h"
#include "bench/harness.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace es::bench {

// Where a number came from: enough to reproduce it.
struct Provenance {
  std::string tool_version;
  std::string git_commit;
  std::string build_type;
  std::map<std::string, std::string> libraries;  // "oneDNN" -> "2.6.3", "CUDA" -> ..., "cuDNN" -> ...
  std::string device;                             // "cpu: AMD EPYC ... (2 threads)", "orin-agx-32gb dla0 (simulated)"
  std::string host;                               // CPU model and core count of the machine that ran the tool
  std::string model_path;
  std::string model_sha256;
  std::string date;                               // ISO 8601, UTC
  bool simulated = false;
};

// A one-time phase before the timed loop (model load, planning/engine build, memory allocation).
struct SetupPhase {
  std::string name;
  double ms = 0;
};

// One photo's first class, so that two runs (precisions, devices) can be compared photo by photo.
struct ImagePrediction {
  std::string image;   // file name within the image folder
  int64_t label = -1;  // ground truth
  int64_t top1 = -1;   // the model's first class
};

struct Accuracy {
  int64_t images = 0;
  int64_t top1 = 0;
  int64_t top5 = 0;
  std::vector<ImagePrediction> predictions;  // the images counted, in the folder's (sorted) order
};

// One layer (node or fused kernel) over the profiling run's iterations, as trtexec's --exportProfile has it.
struct LayerProfile {
  std::string name;
  std::string op;
  std::string device;
  double total_ms = 0;
  double average_ms = 0;
  double median_ms = 0;
  double percentage = 0;  // of the summed layer time
  std::string implementation = {};  // what ran it (LayerTime::implementation); empty where the device does not say
};

struct Result;
// Runs `iterations` separate profiling runs (as trtexec --separateProfileRun) and aggregates per layer.
es::Result<std::vector<LayerProfile>> profile_layers(Executable& executable, int64_t iterations);

struct Result {
  Provenance provenance;
  std::map<std::string, std::string> options;  // every effective option, as given or defaulted
  std::string mode;                            // "study" | "trtexec" | "simulated"
  std::string scenario;                        // "single-stream" | "offline" | "multi-stream"
  int64_t batch = 1;
  std::vector<SetupPhase> setup;
  Run run;
  RunSummary summary;
  std::vector<LayerProfile> layers;  // per-layer profile (a separate run), may be empty
  int64_t profile_iterations = 0;
  std::vector<std::string> warnings;
  std::optional<Accuracy> accuracy;
};

}  // namespace es::bench
