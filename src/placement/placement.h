// Where every layer of a model runs on a Jetson when TensorRT builds it for the DLA, and why.
//
//   ES_ASSIGN_OR_RETURN(Target target, find_target("orin-agx-32gb"));
//   PlacementOptions options;              // dla0, fp16, TensorRT 8.5
//   options.allow_gpu_fallback = true;     // as trtexec --allowGPUFallback
//   ES_ASSIGN_OR_RETURN(PlacementReport r, analyze_placement(graph, target, options));
//   r.network_layers, r.network_gpu        // Table 1 of the study: layers in total / falling back
//
// The graph is the model as imported (before edgescope's own optimisation passes), with static shapes.
// Two levels of "fall back" are reported (dla-rules.md §0): the network level (each parser layer's
// canRunOnDLA verdict, what TensorRT warns about) and the engine level (after constant folding and fusion:
// DLA loadables, GPU islands and the tensors crossing between them).
#pragma once

#include "base/status.h"
#include "ir/graph.h"
#include "placement/dla_rules.h"
#include "placement/engine.h"
#include "placement/target.h"
#include "placement/trt_network.h"

#include <map>
#include <string>
#include <vector>

namespace es::placement {

struct PlacementOptions {
  std::string device = "dla0";  // dla0 | dla1 | ... | gpu
  Precision precision = Precision::fp16;
  TrtVersion trt = TrtVersion::v8_5;
  bool allow_gpu_fallback = false;
  // The ONNX inputs have a symbolic first dimension (see ParserOptions::dynamic_batch).
  bool dynamic_batch = false;
};
Result<Precision> parse_precision(std::string_view text);

struct LayerPlacement {
  LayerId id = 0;
  std::string name;
  std::string type;
  std::string op;
  std::vector<std::string> onnx_nodes;
  std::string output;  // "f32[1x32x112x112]"
  bool on_dla = false;
  std::string rule;    // rule id when on the GPU
  std::string reason;
  std::string note;    // why a parser helper layer exists
};

struct TypeCount {
  int total = 0;
  int dla = 0;
  int gpu = 0;
};

struct PlacementReport {
  std::string graph;
  std::string target;
  std::string device;
  Precision precision = Precision::fp16;
  TrtVersion trt = TrtVersion::v8_5;
  bool allow_gpu_fallback = false;
  bool dynamic_batch = false;

  // Network level (Table 1 of the study).
  int network_layers = 0;
  int network_dla = 0;
  int network_gpu = 0;
  std::map<std::string, TypeCount> by_type;
  std::vector<LayerPlacement> layers;

  // Engine level.
  EngineModel engine;
  int engine_folded = 0;
  // Network layers that compute shape tensors (INT32/INT64) and that the builder folds away with a fixed
  // profile; network_layers - folded_shape_layers is the layer count once shape arithmetic is gone.
  int folded_shape_layers = 0;

  std::vector<std::string> notes;
};

// Errors: unknown device or one the target lacks; a graph without static shapes; and, without
// allow_gpu_fallback on a DLA device, every layer that blocks a pure-DLA engine (as TensorRT reports them).
Result<PlacementReport> analyze_placement(const Graph& graph, const Target& target, const PlacementOptions& options);

}  // namespace es::placement
