// Helpers shared by the rewrite passes: what counts as a constant, when an intermediate value may be
// absorbed into a fused node, removing no-op nodes, and the driver that applies fusions in one sweep.
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <initializer_list>
#include <optional>
#include <vector>

namespace es::passes {

// The contents of `id` when they are known before running (initializer or propagated data) and the
// value is not fed at run time; nullptr otherwise, and for kNoValue.
const Tensor* constant_data(const Graph& graph, ValueId id);

// True when `id` is read exactly once, by one node, and is not a graph output: only then may a fusion
// absorb the node producing it without changing what anything else sees.
bool has_single_use(const Graph& graph, ValueId id);

// The producer of `id` when it is a Conv or FusedConv whose output may still get an epilogue:
// no activation yet and, unless `allow_sum`, no residual Sum input. nullptr otherwise.
const Node* conv_producer(const Graph& graph, ValueId id, bool allow_sum);

// A fused node that keeps the conv's name and attributes and records the ONNX names of every node it
// stands for (the conv's origin first, then the absorbed epilogue nodes').
Node fuse_into_conv(const Node& conv, OpKind op, std::vector<ValueId> inputs, ValueId output,
                    std::initializer_list<const Node*> epilogue);

// What a matcher found at an anchor node: the anchor is replaced (keeping its topological position,
// which is after everything the fused node reads) and the earlier `absorbed` nodes disappear.
struct Fusion {
  std::vector<NodeId> absorbed;
  Node replacement;
};
using FusionMatcher = std::optional<Fusion> (*)(Graph& graph, NodeId anchor);

// Tries `match` at every node in order, applies what it finds, then drops the absorbed nodes and
// values nothing uses any more. Returns whether anything was fused.
bool apply_fusions(Graph& graph, FusionMatcher match);

// Rewires the readers of `out` (the output of a no-op node) to `in` and reports whether the node can
// then be removed. When `out` is a graph output, `in` takes over its name so the model's interface is
// unchanged; that is impossible (returns false, nothing changed) when `in` is a graph input, an
// initializer or already a graph output.
bool bypass(Graph& graph, ValueId in, ValueId out);

}  // namespace es::passes
