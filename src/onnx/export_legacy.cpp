#include "onnx/export_legacy.h"

#include "onnx/handlers/handler.h"
#include "onnx/proto_attribute.h"
#include "onnx/proto_tensor.h"

namespace es::onnx_io {
namespace {

struct Lowering {
  const Graph& graph;
  const Node& node;
  int64_t opset;
  onnx::NodeProto& proto;
  onnx::GraphProto& graph_proto;  // where lowerings add the initializers they need

  Status fail(std::string_view why) const {
    return error(StatusCode::unsupported, "cannot export node '{}' ({}) at opset {}: {}", node.name, proto.op_type(),
                 opset, why);
  }
  bool has_input(int index) const { return index < proto.input_size() && !proto.input(index).empty(); }
  // Contents of input `index` when known before running (initializer, folded value or Constant node).
  const Tensor* constant_input(int index) const {
    if (!node.has_input(static_cast<size_t>(index))) return nullptr;
    const Value& v = graph.value(node.inputs[static_cast<size_t>(index)]);
    if (v.data) return v.data.get();
    if (v.producer != kNoNode && graph.node(v.producer).op == OpKind::Constant)
      return graph.node(v.producer).attrs.get_tensor("value");
    return nullptr;
  }
  void set_attr(const std::string& name, AttrValue value) {
    for (auto& a : *proto.mutable_attribute())
      if (a.name() == name) return attribute_to_proto(name, value, a);
    attribute_to_proto(name, value, *proto.add_attribute());
  }
  std::optional<AttrValue> take_attr(const std::string& name) {
    auto* attrs = proto.mutable_attribute();
    for (int i = 0; i < attrs->size(); ++i) {
      if (attrs->Get(i).name() != name) continue;
      auto value = attribute_from_proto(attrs->Get(i), ".", node.name);
      attrs->DeleteSubrange(i, 1);
      if (value.ok()) return std::move(value).value();
    }
    return std::nullopt;
  }
  int64_t take_int(const std::string& name, int64_t fallback) {
    auto v = take_attr(name);
    return v && std::holds_alternative<int64_t>(*v) ? std::get<int64_t>(*v) : fallback;
  }
  std::string take_string(const std::string& name, const char* fallback) {
    auto v = take_attr(name);
    return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : std::string(fallback);
  }
  void keep_inputs(int count) {
    while (proto.input_size() > count) proto.mutable_input()->RemoveLast();
  }
  // Input `index` (a constant) becomes an ints attribute.
  Status ints_input_to_attr(int index, const std::string& attr) {
    if (!has_input(index)) return {};
    const Tensor* t = constant_input(index);
    if (t == nullptr || !dtype_is_integer(t->dtype()))
      return fail(fmt::format("its '{}' input is not a constant integer tensor", attr));
    set_attr(attr, t->to_int64_vector());
    return {};
  }
  Status float_input_to_attr(int index, const std::string& attr) {
    if (!has_input(index)) return {};
    const Tensor* t = constant_input(index);
    if (t == nullptr || !dtype_is_float(t->dtype()) || t->numel() != 1 || t->dtype() == DType::bf16)
      return fail(fmt::format("its '{}' input is not a constant float scalar", attr));
    set_attr(attr, t->to_float_vector()[0]);
    return {};
  }
};

Status axes_to_attr(Lowering& l) {
  if (l.take_int("noop_with_empty_axes", 0) != 0)
    return l.fail("noop_with_empty_axes=1 needs opset 13");
  ES_TRY(l.ints_input_to_attr(1, "axes"));
  l.keep_inputs(1);
  return {};
}

Status split_to_attr(Lowering& l) {
  ES_TRY(l.ints_input_to_attr(1, "split"));
  l.keep_inputs(1);
  return {};
}

Status clip_to_attrs(Lowering& l) {
  ES_TRY(l.float_input_to_attr(1, "min"));
  ES_TRY(l.float_input_to_attr(2, "max"));
  l.keep_inputs(1);
  return {};
}

Status pad_to_attrs(Lowering& l) {
  if (!l.has_input(1)) return l.fail("it has no pads");
  ES_TRY(l.ints_input_to_attr(1, "pads"));
  ES_TRY(l.float_input_to_attr(2, "value"));
  l.keep_inputs(1);
  return {};
}

Status slice_to_attrs(Lowering& l) {
  if (const Tensor* steps = l.constant_input(4); l.has_input(4)) {
    if (steps == nullptr || !dtype_is_integer(steps->dtype())) return l.fail("its steps input is not constant");
    for (int64_t s : steps->to_int64_vector())
      if (s != 1) return l.fail("steps other than 1 need opset 10");
  }
  ES_TRY(l.ints_input_to_attr(1, "starts"));
  ES_TRY(l.ints_input_to_attr(2, "ends"));
  ES_TRY(l.ints_input_to_attr(3, "axes"));
  l.keep_inputs(1);
  return {};
}

Status topk_to_attr(Lowering& l) {
  const Tensor* k = l.constant_input(1);
  if (k == nullptr || !dtype_is_integer(k->dtype()) || k->numel() != 1) return l.fail("its k input is not constant");
  if (l.take_int("largest", 1) != 1 || l.take_int("sorted", 1) != 1)
    return l.fail("largest=0 or sorted=0 need opset 11");
  l.set_attr("k", k->to_int64_vector()[0]);
  l.keep_inputs(1);
  return {};
}

Status dropout_to_attr(Lowering& l) {
  if (l.has_input(2)) return l.fail("its training_mode input needs opset 12");
  ES_TRY(l.float_input_to_attr(1, "ratio"));
  l.keep_inputs(1);
  return {};
}

// Resize-11 requires roi and scales even when unused; opset 13 lets them be omitted.
Status resize_to_v11(Lowering& l) {
  if (l.opset < 11) return {};  // Resize-10 (resize_to_v10) has no roi input at all
  for (auto [index, what] : {std::pair{1, "roi"}, std::pair{2, "scales"}}) {
    if (l.has_input(index)) continue;
    while (l.proto.input_size() <= index) l.proto.add_input();
    const std::string name = l.graph.unique_value_name(fmt::format("{}_empty_{}", l.node.name, what));
    tensor_to_proto(Tensor(DType::f32, {0}), name, *l.graph_proto.add_initializer());
    l.proto.set_input(index, name);
  }
  return {};
}

// Resize-10 is opset-13 Resize restricted to (X, scales) with asymmetric coordinates and floor rounding.
Status resize_to_v10(Lowering& l) {
  const std::string mode = l.take_string("mode", "nearest");
  const bool asymmetric = l.take_string("coordinate_transformation_mode", "half_pixel") == "asymmetric";
  const bool floor = l.take_string("nearest_mode", "round_prefer_floor") == "floor";
  for (const char* ignored : {"cubic_coeff_a", "exclude_outside", "extrapolation_value"}) l.take_attr(ignored);
  if (mode == "cubic" || !asymmetric || (mode == "nearest" && !floor))
    return l.fail("only asymmetric nearest (floor) and linear resizing exist before opset 11");
  if (!l.has_input(2) || l.has_input(3)) return l.fail("Resize by sizes needs opset 11");
  l.set_attr("mode", mode);
  const std::string x = l.proto.input(0);
  const std::string scales = l.proto.input(2);
  l.proto.clear_input();
  l.proto.add_input(x);
  l.proto.add_input(scales);
  return {};
}

// Before opset 10 the same operation is Upsample (scales as an input from opset 9).
Status resize_to_upsample(Lowering& l) {
  l.proto.set_op_type("Upsample");
  return {};
}

Status upsample_scales_to_attr(Lowering& l) {
  const Tensor* scales = l.constant_input(2);
  if (scales == nullptr || scales->dtype() != DType::f32) return l.fail("its scales input is not constant");
  l.set_attr("scales", scales->to_float_vector());
  l.keep_inputs(1);
  return {};
}

// Before opset 13 these ops flatten the input to 2-D at `axis`: the same only when axis is the last one.
Status softmax_to_v1(Lowering& l) {
  const int64_t axis = l.node.attrs.get_int("axis", -1);
  const Value& x = l.graph.value(l.node.inputs.at(0));
  if (!x.shape_known) return l.fail("the input's rank must be known");
  const int64_t rank = x.rank();
  if ((axis < 0 ? axis + rank : axis) != rank - 1) return l.fail("only the last axis can be normalised");
  l.set_attr("axis", rank - 1);
  return {};
}

struct LegacyForm {
  std::string_view op_type;
  int64_t below_opset;  // applies when exporting at an opset lower than this
  Status (*lower)(Lowering&);
};

// Applied in order; an entry sees the op_type left by the entries before it (Resize -> Upsample).
constexpr LegacyForm kLegacyForms[] = {
    {"Squeeze", 13, axes_to_attr},
    {"Unsqueeze", 13, axes_to_attr},
    {"ReduceSum", 13, axes_to_attr},
    {"Split", 13, split_to_attr},
    {"Softmax", 13, softmax_to_v1},
    {"LogSoftmax", 13, softmax_to_v1},
    {"Hardmax", 13, softmax_to_v1},
    {"Dropout", 12, dropout_to_attr},
    {"Clip", 11, clip_to_attrs},
    {"Pad", 11, pad_to_attrs},
    {"Resize", 11, resize_to_v10},
    {"Resize", 13, resize_to_v11},
    {"Resize", 10, resize_to_upsample},
    {"Upsample", 9, upsample_scales_to_attr},
    {"Slice", 10, slice_to_attrs},
    {"TopK", 10, topk_to_attr},
};

}  // namespace

Status lower_node_to_opset(const Graph& graph, const Node& node, int64_t opset, onnx::NodeProto& proto,
                           onnx::GraphProto& graph_proto) {
  Lowering lowering{graph, node, opset, proto, graph_proto};
  for (const LegacyForm& form : kLegacyForms)
    if (form.op_type == proto.op_type() && opset < form.below_opset) ES_TRY(form.lower(lowering));
  if (find_handler(proto.op_type(), opset) == nullptr)
    return lowering.fail(fmt::format("the op needs opset {}", first_opset_of(proto.op_type())));
  return {};
}

}  // namespace es::onnx_io
