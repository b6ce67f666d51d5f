#include "placement/placement.h"

#include "placement/trt_parser.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>

namespace es::placement {
namespace {

// "dla0" -> 0, "gpu" -> -1.
Result<int> parse_device(const std::string& device, const Target& target) {
  if (device == "gpu") return -1;
  int core = -1;
  if (device.size() > 3 && device.rfind("dla", 0) == 0) {
    auto [end, ec] = std::from_chars(device.data() + 3, device.data() + device.size(), core);
    if (ec != std::errc() || end != device.data() + device.size()) core = -1;
  }
  if (core < 0) return error(StatusCode::invalid_argument, "--device '{}': expected dla0, dla1, ... or gpu", device);
  if (core >= target.dla_cores)
    return error(StatusCode::invalid_argument, "--device {}: target '{}' has {} DLA core(s)", device, target.name,
                 target.dla_cores);
  return core;
}

std::string tensor_text(const TrtTensor& t) {
  if (t.dims.empty()) return fmt::format("{}[scalar]", dtype_name(t.dtype));
  return fmt::format("{}[{}]", dtype_name(t.dtype), fmt::join(t.dims, "x"));
}

}  // namespace

Result<Precision> parse_precision(std::string_view text) {
  if (text == "fp16") return Precision::fp16;
  if (text == "int8") return Precision::int8;
  return error(StatusCode::invalid_argument, "--precision '{}': the DLA runs fp16 or int8", text);
}

Result<PlacementReport> analyze_placement(const Graph& graph, const Target& target, const PlacementOptions& options) {
  ES_ASSIGN_OR_RETURN(int core, parse_device(options.device, target));
  const bool use_dla = core >= 0;

  ParserOptions parser;
  parser.version = options.trt;
  parser.dynamic_batch = options.dynamic_batch;
  ES_ASSIGN_OR_RETURN(TrtNetwork network, build_trt_network(graph, parser));

  PlacementReport r;
  r.graph = graph.name;
  r.target = target.name;
  r.device = options.device;
  r.precision = options.precision;
  r.trt = options.trt;
  r.allow_gpu_fallback = options.allow_gpu_fallback;
  r.dynamic_batch = options.dynamic_batch;

  // Network level: canRunOnDLA on the layers as parsed. Build-time constants are IConstant outputs and what
  // layers compute from them alone (a broadcast Shuffle of weights); shapes of tensors are not, yet.
  std::vector<bool> constant(network.tensors.size(), false);
  for (const TrtLayer& layer : network.layers) {
    bool from_constants = layer.type == TrtLayerType::Constant ||
                          (!layer.inputs.empty() && std::all_of(layer.inputs.begin(), layer.inputs.end(),
                                                                [&](TensorId t) { return constant[static_cast<size_t>(t)]; }));
    for (TensorId t : layer.outputs) constant[static_cast<size_t>(t)] = from_constants;
  }
  DlaCheckContext checks;
  checks.version = options.trt;
  checks.precision = options.precision;
  checks.dla_version = target.dla_version;
  checks.is_constant = [&constant](TensorId t) { return constant[static_cast<size_t>(t)]; };
  std::vector<std::string> blocking;
  for (const TrtLayer& layer : network.layers) {
    LayerPlacement lp;
    lp.id = static_cast<LayerId>(r.layers.size());
    lp.name = layer.name;
    lp.type = std::string(layer_type_name(layer.type));
    lp.op = layer.params.op;
    lp.onnx_nodes = layer.onnx_nodes;
    lp.output = layer.outputs.empty() ? "" : tensor_text(network.tensors[static_cast<size_t>(layer.outputs[0])]);
    lp.note = layer.note;
    Verdict v = use_dla ? check_dla(network, layer, checks)
                        : Verdict{false, "device.gpu", std::string(find_dla_rule("device.gpu").limit)};
    lp.on_dla = v.on_dla;
    lp.rule = v.rule;
    lp.reason = v.reason;
    TypeCount& count = r.by_type[lp.type];
    ++count.total;
    ++(lp.on_dla ? count.dla : count.gpu);
    ++(lp.on_dla ? r.network_dla : r.network_gpu);
    if (use_dla && !lp.on_dla) blocking.push_back(fmt::format("{} [{}] ({})", lp.name, lp.type, lp.reason));
    r.layers.push_back(std::move(lp));
  }
  r.network_layers = static_cast<int>(network.layers.size());

  if (use_dla && !options.allow_gpu_fallback && !blocking.empty()) {
    std::string list;
    for (const std::string& b : blocking) list += (list.empty() ? "" : "; ") + b;
    return error(StatusCode::unsupported,
                 "{} of {} layers cannot run on {} and GPU fallback is off (use --allow-gpu-fallback): {}",
                 blocking.size(), r.network_layers, options.device, list);
  }

  EngineOptions engine;
  engine.use_dla = use_dla;
  engine.checks = checks;
  r.engine = build_engine(network, engine);
  r.engine_folded = static_cast<int>(r.engine.folded.size());
  for (LayerId l : r.engine.folded) {
    const TrtLayer& layer = network.layers[static_cast<size_t>(l)];
    DType out = network.tensors[static_cast<size_t>(layer.outputs[0])].dtype;
    if (out == DType::i32 || out == DType::i64) ++r.folded_shape_layers;
  }

  if (options.dynamic_batch)
    r.notes.push_back("inputs analysed with a symbolic batch dimension (-1 in the TensorRT network), as in an ONNX "
                      "file that declares one; the build profile is fixed (min = opt = max), as DLA requires");
  if (options.precision == Precision::int8)
    r.notes.push_back("int8: concatenation/pooling scale-equality rules need calibration ranges and are not checked");
  for (const TrtLayer& layer : network.layers)
    if (layer.type == TrtLayerType::Unmapped) r.notes.push_back(fmt::format("layer '{}': {}", layer.name, layer.note));
  return r;
}

}  // namespace es::placement
