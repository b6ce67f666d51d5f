#include "cli/inspect_target.h"

#include "placement/placement.h"
#include "placement/placement_print.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace es::cli {

void add_target_options(CLI::App* inspect, TargetCliOptions& options) {
  inspect->add_option("--target", options.target,
                      "Predict DLA/GPU placement for a target: a built-in name (see `edgescope targets`) or a target "
                      "JSON file");
  inspect->add_option("--device", options.device, "With --target: dla0, dla1, ... or gpu")->capture_default_str();
  inspect->add_option("--precision", options.precision, "With --target: fp16 or int8")->capture_default_str();
  inspect->add_option("--trt", options.trt, "With --target: TensorRT release whose parser and DLA rules apply: 8.5, 8.6, 10")
      ->capture_default_str();
  inspect->add_flag("--allow-gpu-fallback", options.allow_gpu_fallback,
                    "With --target: let layers the DLA refuses run on the GPU (trtexec --allowGPUFallback); without "
                    "it every blocking layer is reported as an error");
  inspect->add_flag("--symbolic-batch", options.symbolic_batch,
                    "With --target: the ONNX inputs declare a symbolic batch dimension (as the ONNX Model Zoo files "
                    "do): TensorRT's network keeps -1 there and the parser's shape arithmetic becomes layers");
}

Status print_target_analysis(const Graph& graph, const TargetCliOptions& options) {
  ES_ASSIGN_OR_RETURN(placement::Target target, placement::find_target(options.target));
  placement::PlacementOptions placement_options;
  placement_options.device = options.device;
  ES_ASSIGN_OR_RETURN(placement_options.precision, placement::parse_precision(options.precision));
  ES_ASSIGN_OR_RETURN(placement_options.trt, placement::parse_trt_version(options.trt));
  placement_options.allow_gpu_fallback = options.allow_gpu_fallback;
  placement_options.dynamic_batch = options.symbolic_batch;
  ES_ASSIGN_OR_RETURN(placement::PlacementReport report,
                      placement::analyze_placement(graph, target, placement_options));
  ES_ASSIGN_OR_RETURN(std::string text, placement::render_placement(report, options.format));
  fmt::print("{}", text);
  return {};
}

}  // namespace es::cli
