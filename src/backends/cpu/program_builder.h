// ProgramBuilder: what op lowerings use to turn nodes into steps. It tracks where each value lives
// (slots and layouts), inserts reorders when a consumer needs another layout, reorders constants once
// at compile time, and collects steps in execution order.
//
// A lowering first decides (layout_of, creating primitive descriptors) and only then emits (use,
// define, add_*), so that declining a node leaves the builder untouched.
#pragma once

#include "backends/cpu/program.h"
#include "backends/cpu/steps.h"

#include <optional>

namespace es::cpu {

// "Conv_0+Clip_1": a node's origins joined, or its name when it has none.
std::string layer_name(const Node& node);

class ProgramBuilder {
 public:
  ProgramBuilder(const Graph& graph, dnnl::engine engine);

  const Graph& graph() const { return *program_.graph; }
  const Value& value(ValueId id) const { return graph().value(id); }
  const dnnl::engine& engine() const { return engine_; }
  // Every primitive uses the shared scratchpad that the executable owns.
  static dnnl::primitive_attr primitive_attr();

  bool is_constant(ValueId id) const { return value(id).is_initializer(); }
  // The layout `id` is stored in now; nullopt for a graph input that no consumer has fixed yet.
  std::optional<Layout> layout_of(ValueId id) const;

  // The slot holding `id` in `layout`: a reorder step converts when the value lives in another
  // layout; the first use of a graph input fixes its layout (copy_inputs converts into it).
  SlotId use(ValueId id, const Layout& layout);
  SlotId use_plain(ValueId id) { return use(id, Layout::plain()); }
  // `tensor` (plain, described by `from`) reordered now into a new memory of `to`.
  dnnl::memory constant(const Tensor& tensor, const memory::desc& from, const memory::desc& to);
  // A new buffer for a value the current node produces.
  SlotId define(ValueId id, const Layout& layout);
  // A value that shares the bytes of `of` (Reshape and friends on plain data).
  SlotId define_view(ValueId id, SlotId of);

  PrimitiveStep& add_primitive(const Node& node, const dnnl::primitive_desc_base& pd, dnnl::primitive primitive,
                               std::vector<SlotArg> slot_args, std::vector<FixedArg> fixed_args = {});
  // A reference kernel on plain inputs and outputs. `node` must be one of graph().nodes.
  void add_reference(const Node& node);
  // A step of edgescope's own (its name, op and slots already set).
  void add_step(std::unique_ptr<Step> step) { program_.steps.push_back(std::move(step)); }

  // `node` is computed by a step already added for an earlier node (a fused block): it is not lowered again.
  void absorb(const Node& node) { absorbed_.at(node_index(node)) = true; }
  bool absorbed(const Node& node) const { return absorbed_.at(node_index(node)); }

  // Fixes the graph inputs no node read, chooses the slots copy_outputs reads, and hands the program over.
  Program finish();

 private:
  SlotId add_slot(Slot slot);
  SlotId add_buffer_slot(ValueId id, const Layout& layout);
  size_t scratchpad_bytes(const dnnl::primitive_desc_base& pd) const;
  size_t node_index(const Node& node) const { return static_cast<size_t>(&node - graph().nodes.data()); }

  dnnl::engine engine_;
  dnnl::stream compile_stream_;  // compile-time reorders of constants
  Program program_;
  std::vector<std::vector<SlotId>> value_slots_;  // by ValueId; [0] is the primary slot
  std::vector<bool> absorbed_;                    // by NodeId
};

}  // namespace es::cpu
