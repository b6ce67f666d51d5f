// The built-in model zoo: graphs that match, node for node, models users download (ONNX Model Zoo,
// torchvision exports), with seeded random weights. They let every stage (placement, simulation,
// benchmarks) be exercised on the real topologies without shipping weights.
#pragma once

#include "ir/graph.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace es::zoo {

struct ZooOptions {
  uint64_t seed = 0;
  int64_t batch = 1;  // the IR's concrete batch; `zoo` without --batch writes it back as symbolic
};

struct ZooModel {
  std::string_view name;
  std::string_view description;
  int64_t opset;                    // the opset the original file declares, and the one we export
  std::string_view symbolic_batch;  // the original's name for its dynamic batch dimension
  Graph (*build)(const ZooOptions& options);
};

std::span<const ZooModel> zoo_models();
const ZooModel* find_zoo_model(std::string_view name);  // nullptr when unknown

// The builders, also reachable through zoo_models().
Graph build_mobilenetv2_12(const ZooOptions& options);
Graph build_resnet50_v1_12(const ZooOptions& options);
Graph build_resnet50_v1_5(const ZooOptions& options);

}  // namespace es::zoo
