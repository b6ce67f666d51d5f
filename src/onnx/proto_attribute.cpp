#include "onnx/proto_attribute.h"

#include "onnx/proto_tensor.h"

namespace es::onnx_io {
namespace {

using onnx::AttributeProto;

// Old exporters leave `type` unset; the one field that is filled says what the attribute is.
AttributeProto::AttributeType deduce_type(const AttributeProto& a) {
  if (a.type() != AttributeProto::UNDEFINED) return a.type();
  if (a.has_f()) return AttributeProto::FLOAT;
  if (a.has_i()) return AttributeProto::INT;
  if (a.has_s()) return AttributeProto::STRING;
  if (a.has_t()) return AttributeProto::TENSOR;
  if (a.has_g()) return AttributeProto::GRAPH;
  if (a.floats_size()) return AttributeProto::FLOATS;
  if (a.ints_size()) return AttributeProto::INTS;
  if (a.strings_size()) return AttributeProto::STRINGS;
  if (a.graphs_size()) return AttributeProto::GRAPHS;
  return AttributeProto::UNDEFINED;
}

template <typename T, typename Field>
std::vector<T> to_vector(const Field& field) {
  return std::vector<T>(field.begin(), field.end());
}

}  // namespace

Result<AttrValue> attribute_from_proto(const AttributeProto& a, const std::string& base_dir, std::string_view where) {
  switch (deduce_type(a)) {
    case AttributeProto::FLOAT: return AttrValue(a.f());
    case AttributeProto::INT: return AttrValue(static_cast<int64_t>(a.i()));
    case AttributeProto::STRING: return AttrValue(a.s());
    case AttributeProto::FLOATS: return AttrValue(to_vector<float>(a.floats()));
    case AttributeProto::INTS: return AttrValue(to_vector<int64_t>(a.ints()));
    case AttributeProto::STRINGS: return AttrValue(to_vector<std::string>(a.strings()));
    case AttributeProto::TENSOR: {
      auto tensor = tensor_from_proto(a.t(), base_dir, fmt::format("{} attribute '{}'", where, a.name()));
      if (!tensor.ok()) return tensor.status();
      return AttrValue(std::move(tensor).value());
    }
    case AttributeProto::GRAPH:
    case AttributeProto::GRAPHS:
      return error(StatusCode::unsupported, "{}: attribute '{}' is a subgraph (control flow is not supported)",
                   where, a.name());
    case AttributeProto::UNDEFINED:
      return error(StatusCode::invalid_model, "{}: attribute '{}' has no value", where, a.name());
    default:
      return error(StatusCode::unsupported, "{}: attribute '{}' has type {}, which is not supported", where,
                   a.name(), AttributeProto::AttributeType_Name(a.type()));
  }
}

void attribute_to_proto(const std::string& name, const AttrValue& value, AttributeProto& a) {
  a.Clear();
  a.set_name(name);
  struct Writer {
    AttributeProto& a;
    void operator()(int64_t v) { a.set_type(AttributeProto::INT); a.set_i(v); }
    void operator()(float v) { a.set_type(AttributeProto::FLOAT); a.set_f(v); }
    void operator()(const std::string& v) { a.set_type(AttributeProto::STRING); a.set_s(v); }
    void operator()(const std::vector<int64_t>& v) {
      a.set_type(AttributeProto::INTS);
      for (int64_t x : v) a.add_ints(x);
    }
    void operator()(const std::vector<float>& v) {
      a.set_type(AttributeProto::FLOATS);
      for (float x : v) a.add_floats(x);
    }
    void operator()(const std::vector<std::string>& v) {
      a.set_type(AttributeProto::STRINGS);
      for (const std::string& x : v) a.add_strings(x);
    }
    void operator()(const Tensor& v) {
      a.set_type(AttributeProto::TENSOR);
      tensor_to_proto(v, {}, *a.mutable_t());
    }
  };
  std::visit(Writer{a}, value);
}

}  // namespace es::onnx_io
