#include "base/build_info.h"
#include "onnx/onnx_export.h"

#include "onnx/export_legacy.h"
#include "onnx/file_bytes.h"
#include "onnx/proto_attribute.h"
#include "onnx/proto_tensor.h"

#include <unordered_set>

namespace es::onnx_io {
namespace {

constexpr int64_t kOldestExportOpset = 7;
constexpr int64_t kNewestExportOpset = 17;

// IR 7 covers opsets up to 14; opsets 15..17 came with IR 8.
int64_t ir_version_for(int64_t opset) { return opset >= 15 ? 8 : 7; }

Status fill_value_info(const Graph& graph, ValueId id, const std::string& batch_name, onnx::ValueInfoProto& info) {
  const Value& v = graph.value(id);
  if (v.dtype == DType::undefined || v.dtype == DType::string)
    return error(StatusCode::invalid_argument, "cannot export graph input/output '{}': its dtype is unknown (run shape "
                 "inference first)", v.name);
  info.set_name(v.name);
  auto* tensor_type = info.mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(static_cast<int32_t>(v.dtype));
  if (!v.shape_known)  // ONNX 1.12's checker requires shapes on graph inputs and outputs
    return error(StatusCode::invalid_argument, "cannot export graph input/output '{}': its shape is unknown (run "
                 "shape inference first)", v.name);
  auto* shape = tensor_type->mutable_shape();
  for (size_t i = 0; i < v.shape.size(); ++i) {
    auto* dim = shape->add_dim();
    if (i == 0 && !batch_name.empty()) {
      dim->set_dim_param(batch_name);
    } else if (v.shape[i] >= 0) {
      dim->set_dim_value(v.shape[i]);
    }
  }
  return {};
}

std::string value_name(const Graph& graph, ValueId id) { return id == kNoValue ? std::string() : graph.value(id).name; }

Status write_node(const Graph& graph, const Node& node, int64_t opset, onnx::NodeProto& proto,
                  onnx::GraphProto& graph_proto) {
  if (op_is_internal(node.op))
    return error(StatusCode::unsupported, "cannot export node '{}': {} is an edgescope-internal op", node.name,
                 op_name(node.op));
  proto.set_name(node.name);
  proto.set_op_type(std::string(op_name(node.op)));
  size_t input_count = node.inputs.size();
  while (input_count > 0 && node.inputs[input_count - 1] == kNoValue) --input_count;  // omitted trailing inputs
  for (size_t i = 0; i < input_count; ++i) proto.add_input(value_name(graph, node.inputs[i]));
  for (ValueId out : node.outputs) proto.add_output(value_name(graph, out));
  for (const auto& [name, value] : node.attrs.all()) attribute_to_proto(name, value, *proto.add_attribute());
  return lower_node_to_opset(graph, node, opset, proto, graph_proto);
}

Result<onnx::ModelProto> build_model(const Graph& graph, const ExportOptions& options) {
  const int64_t opset = options.opset > 0 ? options.opset : graph.opset;
  if (opset < kOldestExportOpset || opset > kNewestExportOpset)
    return error(StatusCode::unsupported, "cannot export at opset {}: supported opsets are {}..{}", opset,
                 kOldestExportOpset, kNewestExportOpset);
  onnx::ModelProto model;
  model.set_ir_version(ir_version_for(opset));
  model.set_producer_name(options.producer_name);
  model.set_producer_version(build_info().version);
  auto* import = model.add_opset_import();
  import->set_domain("");
  import->set_version(opset);
  onnx::GraphProto& g = *model.mutable_graph();
  g.set_name(graph.name.empty() ? "edgescope" : graph.name);

  std::unordered_set<std::string> referenced;
  for (const Node& node : graph.nodes) {
    onnx::NodeProto& proto = *g.add_node();
    ES_TRY(write_node(graph, node, opset, proto, g));
    for (const std::string& in : proto.input()) referenced.insert(in);
  }
  for (ValueId id : graph.outputs) referenced.insert(graph.value(id).name);
  for (ValueId id : graph.inputs) ES_TRY(fill_value_info(graph, id, options.symbolic_batch_name, *g.add_input()));
  for (const Value& v : graph.values)
    if (v.is_initializer() && referenced.count(v.name)) tensor_to_proto(*v.data, v.name, *g.add_initializer());
  for (ValueId id : graph.outputs) ES_TRY(fill_value_info(graph, id, options.symbolic_batch_name, *g.add_output()));
  return model;
}

}  // namespace

Result<std::string> export_bytes(const Graph& graph, const ExportOptions& options) {
  ES_ASSIGN_OR_RETURN(onnx::ModelProto model, build_model(graph, options));
  std::string bytes;
  if (model.ByteSizeLong() > static_cast<size_t>(INT32_MAX) || !model.SerializeToString(&bytes))
    return error(StatusCode::resource, "graph '{}' is too large for one .onnx file (2 GiB)", graph.name);
  return bytes;
}

Status export_file(const Graph& graph, const std::string& path, const ExportOptions& options) {
  auto bytes = export_bytes(graph, options);
  if (!bytes.ok()) return bytes.status().with_context(path);
  return write_file_bytes(path, *bytes);
}

}  // namespace es::onnx_io
