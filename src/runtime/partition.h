// Heterogeneous plans: each node of a graph is given a device ("cuda:0" or "cpu"), and the nodes, in
// topological order, are cut into segments of consecutive nodes on one device. Each segment becomes a
// graph of its own (its boundary values are its inputs and outputs) that one backend compiles.
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace es {

struct PlacementPolicy {
  std::string accelerator = "cuda:0";
  // Whether the accelerator's backend runs a node.
  std::function<bool(const Graph&, const Node&)> accelerator_runs;
  bool fallback_cpu = true;                 // nodes the accelerator does not run go to the CPU (else an error)
  std::map<std::string, std::string> pins;  // node name (or an ONNX node it fused) -> "cpu" | the accelerator
  // Nodes a rule set keeps off the accelerator although its backend runs them (--restrict): node name -> why.
  std::map<std::string, std::string> restricted;
};

struct Segment {
  std::string device;
  std::vector<NodeId> nodes;   // consecutive in the graph's order
  Graph graph;                 // the nodes as a graph of their own
  std::vector<ValueId> inputs;   // in the parent graph: values the segment reads from earlier ones (graph.inputs order)
  std::vector<ValueId> outputs;  // in the parent graph: values later segments or the caller read (graph.outputs order)
};

// "NODE=DEVICE" strings (--pin) as a map; fails naming the malformed one.
Result<std::map<std::string, std::string>> parse_pins(const std::vector<std::string>& pins);
// "cpu" -> true, "none" -> false (--fallback).
Result<bool> parse_fallback(const std::string& fallback);

// The device of every node, by NodeId; fails naming a pin that matches no node, a pin to the accelerator
// of a node it does not run, or a node the accelerator does not run when fallback is off.
Result<std::vector<std::string>> assign_devices(const Graph& graph, const PlacementPolicy& policy);
// Cuts the graph into segments by `devices`. Values whose contents are known at compile time become
// initializers of the segments that read them instead of crossing a boundary.
std::vector<Segment> partition(const Graph& graph, const std::vector<std::string>& devices);

}  // namespace es
