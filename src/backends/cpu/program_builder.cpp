#include "backends/cpu/program_builder.h"

#include <fmt/format.h>

namespace es::cpu {

std::string layer_name(const Node& node) {
  return node.origin.empty() ? node.name : fmt::format("{}", fmt::join(node.origin, "+"));
}

ProgramBuilder::ProgramBuilder(const Graph& graph, dnnl::engine engine)
    : engine_(std::move(engine)), compile_stream_(engine_) {
  program_.graph = std::make_shared<const Graph>(graph);
  value_slots_.resize(graph.values.size());
  absorbed_.resize(graph.nodes.size());
}

dnnl::primitive_attr ProgramBuilder::primitive_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

std::optional<Layout> ProgramBuilder::layout_of(ValueId id) const {
  if (is_constant(id)) return Layout::plain();
  const auto& slots = value_slots_[static_cast<size_t>(id)];
  if (slots.empty()) return std::nullopt;
  return program_.slots[static_cast<size_t>(slots.front())].layout;
}

SlotId ProgramBuilder::add_slot(Slot slot) {
  program_.slots.push_back(std::move(slot));
  SlotId id = static_cast<SlotId>(program_.slots.size() - 1);
  value_slots_[static_cast<size_t>(program_.slots.back().value)].push_back(id);
  return id;
}

SlotId ProgramBuilder::add_buffer_slot(ValueId id, const Layout& layout) {
  const Value& v = value(id);
  program_.buffer_bytes.push_back(layout.bytes(v.dtype, v.shape));
  Slot slot;
  slot.value = id;
  slot.layout = layout;
  slot.buffer = static_cast<BufferId>(program_.buffer_bytes.size() - 1);
  return add_slot(std::move(slot));
}

SlotId ProgramBuilder::use(ValueId id, const Layout& layout) {
  for (SlotId s : value_slots_[static_cast<size_t>(id)])
    if (program_.slots[static_cast<size_t>(s)].layout == layout) return s;

  const Value& v = value(id);
  if (is_constant(id)) {
    Slot slot;
    slot.value = id;
    slot.layout = layout;
    if (layout.is_plain()) {
      slot.constant = v.data->raw();
      slot.keep_alive = v.data;
    } else {
      auto converted = std::make_shared<dnnl::memory>(
          constant(*v.data, plain_desc(v.dtype, v.shape), layout.desc(v.dtype, v.shape)));
      slot.constant = converted->get_data_handle();
      slot.keep_alive = converted;
    }
    return add_slot(std::move(slot));
  }
  const auto& existing = value_slots_[static_cast<size_t>(id)];
  if (existing.empty()) {
    ES_ASSERT_MSG(v.producer == kNoNode, "a value is used before its producer was lowered");
    return add_buffer_slot(id, layout);  // a graph input: its first consumer chooses its layout
  }

  const SlotId from = existing.front();
  if (program_.slots[static_cast<size_t>(from)].layout.same_bytes(layout, v.dtype, v.shape)) {
    Slot view = program_.slots[static_cast<size_t>(from)];  // read the same bytes with the other descriptor
    view.layout = layout;
    return add_slot(std::move(view));
  }
  const memory::desc from_desc = program_.slots[static_cast<size_t>(from)].layout.desc(v.dtype, v.shape);
  const memory::desc to_desc = layout.desc(v.dtype, v.shape);
  dnnl::reorder::primitive_desc pd(engine_, from_desc, engine_, to_desc, primitive_attr());
  const SlotId to = add_buffer_slot(id, layout);
  auto step = std::make_unique<PrimitiveStep>(dnnl::reorder(pd), std::vector<SlotArg>{{DNNL_ARG_SRC, from}, {DNNL_ARG_DST, to}},
                                              std::vector<FixedArg>{}, scratchpad_bytes(pd) > 0);
  step->name = "reorder " + v.name;
  step->op = "Reorder";
  step->implementation = pd.impl_info_str();
  program_.scratchpad_bytes = std::max(program_.scratchpad_bytes, scratchpad_bytes(pd));
  program_.steps.push_back(std::move(step));
  return to;
}

dnnl::memory ProgramBuilder::constant(const Tensor& tensor, const memory::desc& from, const memory::desc& to) {
  dnnl::memory source(from, engine_, const_cast<void*>(tensor.raw()));
  dnnl::memory target(to, engine_);
  dnnl::reorder(source, target).execute(compile_stream_, source, target);
  compile_stream_.wait();
  return target;
}

SlotId ProgramBuilder::define(ValueId id, const Layout& layout) {
  ES_ASSERT_MSG(value_slots_[static_cast<size_t>(id)].empty(), "a value is defined twice");
  return add_buffer_slot(id, layout);
}

SlotId ProgramBuilder::define_view(ValueId id, SlotId of) {
  ES_ASSERT_MSG(value_slots_[static_cast<size_t>(id)].empty(), "a value is defined twice");
  Slot view = program_.slots[static_cast<size_t>(of)];
  ES_ASSERT(view.layout.is_plain());
  view.value = id;
  return add_slot(std::move(view));
}

size_t ProgramBuilder::scratchpad_bytes(const dnnl::primitive_desc_base& pd) const {
  return pd.scratchpad_desc().get_size();
}

PrimitiveStep& ProgramBuilder::add_primitive(const Node& node, const dnnl::primitive_desc_base& pd,
                                             dnnl::primitive primitive, std::vector<SlotArg> slot_args,
                                             std::vector<FixedArg> fixed_args) {
  const size_t scratchpad = scratchpad_bytes(pd);
  program_.scratchpad_bytes = std::max(program_.scratchpad_bytes, scratchpad);
  auto step = std::make_unique<PrimitiveStep>(std::move(primitive), std::move(slot_args), std::move(fixed_args),
                                              scratchpad > 0);
  step->name = layer_name(node);
  step->op = std::string(op_name(node.op));
  step->implementation = pd.impl_info_str();
  step->nodes = {&node};
  PrimitiveStep& added = *step;
  program_.steps.push_back(std::move(step));
  return added;
}

void ProgramBuilder::add_reference(const Node& node) {
  std::vector<SlotId> inputs, outputs;
  for (ValueId id : node.inputs) inputs.push_back(id == kNoValue ? kNoSlot : use_plain(id));
  for (ValueId id : node.outputs) outputs.push_back(id == kNoValue ? kNoSlot : define(id, Layout::plain()));
  // The step keeps a reference to the node: it must be the program's own copy, which lives as long.
  ES_ASSERT(&node >= graph().nodes.data() && &node < graph().nodes.data() + graph().nodes.size());
  auto step = std::make_unique<RefStep>(node, std::move(inputs), std::move(outputs));
  step->name = layer_name(node);
  step->op = std::string(op_name(node.op));
  step->implementation = "reference";
  step->nodes = {&node};
  program_.steps.push_back(std::move(step));
}

Program ProgramBuilder::finish() {
  for (ValueId id : graph().inputs) program_.input_slots.push_back(use(id, layout_of(id).value_or(Layout::plain())));
  for (ValueId id : graph().outputs) {
    // Prefer a plain copy when one exists: copy_outputs then needs no reorder.
    const auto& slots = value_slots_[static_cast<size_t>(id)];
    SlotId chosen = slots.empty() ? use_plain(id) : slots.front();
    for (SlotId s : slots)
      if (program_.slots[static_cast<size_t>(s)].layout.is_plain()) chosen = s;
    program_.output_slots.push_back(chosen);
  }
  return std::move(program_);
}

}  // namespace es::cpu
