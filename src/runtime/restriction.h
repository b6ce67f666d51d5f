// --restrict DEVICE=RULESET: another accelerator's layer rules (the DLA's, from src/placement) applied to a
// device edgescope runs, so that the nodes that accelerator would not run go to the fallback device with real
// copies and waits. With `--device cuda --restrict cuda=dla` the GPU plays the DLA and the CPU plays the
// Jetson's GPU: the study's DLA->GPU fallback pattern, measured on hardware at hand.
//
// Rule sets: `dla` or `dlaN` (a DLA core of orin-agx-32gb, the study's board; dla = dla0) or `TARGET[:dlaN]`,
// a built-in target with a DLA (`edgescope targets`) or a target file, and one of its DLA cores (dla0 without
// one); always fp16 and TensorRT 8.5's parser and DLA rules, as the study built its engines.
//
// Which nodes: the TensorRT engine placement predicts for the model as imported (after constant folding and
// fusion, with the shapes the run binds: DLA engines have a fixed profile), as `inspect --target ...
// --allow-gpu-fallback` prints it. A node of the compiled graph (after edgescope's passes) is kept off the
// accelerator when an engine layer built from one of the ONNX nodes it stands for runs on the GPU: a node
// cannot be split, so one refused part moves all of it.
#pragma once

#include "base/status.h"
#include "ir/graph.h"
#include "placement/placement.h"

#include <string>
#include <vector>

namespace es {

struct RuleSet {
  std::string name;  // as written: "dla", "xavier-agx:dla1", a file
  placement::Target target;
  placement::PlacementOptions options;  // the DLA core, fp16, TensorRT 8.5, GPU fallback allowed
};

struct Restriction {
  std::string device;  // the device the rules restrict, as written: "cuda" or "cuda:N"
  RuleSet rules;
};

// "DEVICE=RULESET"; fails with one line naming the option, the unknown rule set or the target without a DLA.
Result<Restriction> parse_restriction(const std::string& text);

struct RestrictedNode {
  std::string node;   // the node of the compiled graph
  std::string op;
  std::string layer;  // the engine layer that runs on the accelerator's fallback (TensorRT's name)
  std::string rule;   // the DLA rule that kept it off ("conv.kernel"), as `inspect --target` shows it
  std::string reason;
};

// The nodes of `graph` (as compiled) that `rules` keep off the accelerator, in graph order. `imported` is the
// same model as imported (passes "none") with the same input shapes: placement judges TensorRT's layers, which
// are built from the ONNX nodes, not from edgescope's fused ones.
Result<std::vector<RestrictedNode>> restricted_nodes(const Graph& imported, const Graph& graph, const RuleSet& rules);

}  // namespace es
