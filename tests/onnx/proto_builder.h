// Builds small ONNX models as protobufs, so tests can make valid, legacy and deliberately broken files.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace es::onnx_test {

class ProtoModel {
 public:
  explicit ProtoModel(int64_t opset, int64_t ir_version = 8) {
    model.set_ir_version(ir_version);
    model.set_producer_name("onnx_test");
    auto* import = model.add_opset_import();
    import->set_domain("");
    import->set_version(opset);
    model.mutable_graph()->set_name("test");
  }
  onnx::GraphProto& graph() { return *model.mutable_graph(); }

  // dims: "3" is static, "N" symbolic, "" unknown.
  onnx::ValueInfoProto& input(const std::string& name, std::initializer_list<std::string> dims,
                              int32_t elem = onnx::TensorProto::FLOAT) {
    return value_info(*graph().add_input(), name, dims, elem);
  }
  // The ONNX 1.12 checker wants a shape on graph outputs; tests that do not care declare a scalar.
  onnx::ValueInfoProto& output(const std::string& name, int32_t elem = onnx::TensorProto::FLOAT,
                               std::initializer_list<std::string> dims = {}) {
    return value_info(*graph().add_output(), name, dims, elem);
  }
  onnx::NodeProto& node(const std::string& op, std::initializer_list<std::string> inputs,
                        std::initializer_list<std::string> outputs, const std::string& name = {}) {
    auto& n = *graph().add_node();
    n.set_op_type(op);
    n.set_name(name);
    for (const auto& i : inputs) n.add_input(i);
    for (const auto& o : outputs) n.add_output(o);
    return n;
  }
  onnx::TensorProto& initializer(const std::string& name, std::vector<int64_t> dims, const std::vector<float>& values) {
    auto& t = *graph().add_initializer();
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t.add_dims(d);
    for (float v : values) t.add_float_data(v);
    return t;
  }
  std::string bytes() const { return model.SerializeAsString(); }

  onnx::ModelProto model;

 private:
  static onnx::ValueInfoProto& value_info(onnx::ValueInfoProto& info, const std::string& name,
                                          std::initializer_list<std::string> dims, int32_t elem) {
    info.set_name(name);
    auto* type = info.mutable_type()->mutable_tensor_type();
    type->set_elem_type(elem);
    auto* shape = type->mutable_shape();
    for (const auto& d : dims) {
      auto* dim = shape->add_dim();
      if (d.empty()) continue;
      if (d.find_first_not_of("0123456789") == std::string::npos) dim->set_dim_value(std::stoll(d));
      else dim->set_dim_param(d);
    }
    return info;
  }
};

inline onnx::AttributeProto& attr(onnx::NodeProto& n, const std::string& name) {
  auto& a = *n.add_attribute();
  a.set_name(name);
  return a;
}
inline void set_int(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto& a = attr(n, name);
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(v);
}
inline void set_float(onnx::NodeProto& n, const std::string& name, float v) {
  auto& a = attr(n, name);
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(v);
}
inline void set_ints(onnx::NodeProto& n, const std::string& name, std::initializer_list<int64_t> v) {
  auto& a = attr(n, name);
  a.set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a.add_ints(x);
}
inline void set_floats(onnx::NodeProto& n, const std::string& name, std::initializer_list<float> v) {
  auto& a = attr(n, name);
  a.set_type(onnx::AttributeProto::FLOATS);
  for (float x : v) a.add_floats(x);
}
inline void set_string(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto& a = attr(n, name);
  a.set_type(onnx::AttributeProto::STRING);
  a.set_s(v);
}

}  // namespace es::onnx_test
