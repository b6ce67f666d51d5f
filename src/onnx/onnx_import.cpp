#include "onnx/onnx_import.h"

#include "base/log.h"
#include "onnx/file_bytes.h"
#include "onnx/handlers/handler.h"
#include "onnx/import_context.h"
#include "onnx/input_binding.h"
#include "onnx/proto_attribute.h"
#include "onnx/proto_tensor.h"
#include "onnx/type_hints.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>

#include <climits>
#include <unordered_set>

// libonnx 1.12 exports, without declaring it, the overload that check_model(path) uses: its context
// carries the model's folder, so external data is checked there instead of in the working directory.
namespace onnx::checker {
void check_model(const ModelProto& model, CheckerContext& ctx);
}  // namespace onnx::checker

namespace es::onnx_io {
namespace {

// Opsets edgescope imports. Older models use attributes that changed meaning before opset 7 (legacy
// broadcasting, consumed_inputs); opset 18 moved Reduce* axes to inputs, which the IR (opset 17) lacks.
constexpr int64_t kOldestOpset = 7;
constexpr int64_t kNewestOpset = 17;

bool is_default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

std::string domain_opset_text(const onnx::ModelProto& model, const std::string& domain) {
  for (const auto& import : model.opset_import())
    if (import.domain() == domain) return std::to_string(import.version());
  return "?";
}

// Name used for a node in messages and in the IR: its own, or <op>_<index> when it has none.
std::string node_label(const onnx::NodeProto& node, int index) {
  return node.name().empty() ? fmt::format("{}_{}", node.op_type(), index) : node.name();
}

// The checker's messages span several lines; Status messages are one line.
std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

Result<int64_t> default_opset(const onnx::ModelProto& model) {
  int64_t opset = -1;
  for (const auto& import : model.opset_import())
    if (is_default_domain(import.domain())) opset = import.version();
  if (opset < 0) return error(StatusCode::invalid_model, "the model imports no ai.onnx opset");
  if (opset < kOldestOpset)
    return error(StatusCode::unsupported, "model opset {} is older than the oldest supported ({})", opset, kOldestOpset);
  if (opset > kNewestOpset)
    return error(StatusCode::unsupported, "model opset {} is newer than the newest supported ({})", opset, kNewestOpset);
  return opset;
}

// Is the op one edgescope imports at this opset?
Result<const HandlerEntry*> handler_for(const onnx::ModelProto& model, const onnx::NodeProto& node, int index,
                                        int64_t opset) {
  if (!is_default_domain(node.domain()))
    return error(StatusCode::unsupported, "unsupported op '{}' (domain '{}', opset {}) at node '{}'", node.op_type(),
                 node.domain(), domain_opset_text(model, node.domain()), node_label(node, index));
  const HandlerEntry* entry = find_handler(node.op_type(), opset);
  if (entry == nullptr) {
    const int64_t first = first_opset_of(node.op_type());
    return error(StatusCode::unsupported, "unsupported op '{}' (opset {}) at node '{}'{}", node.op_type(), opset,
                 node_label(node, index), first > opset ? fmt::format(": it needs opset {}", first) : "");
  }
  return entry;
}

Status run_onnx_checker(const onnx::ModelProto& model, const std::string& base_dir) {
  try {
    onnx::checker::CheckerContext ctx;
    ctx.set_model_dir(base_dir);
    onnx::checker::check_model(model, ctx);
  } catch (const std::exception& e) {
    return error(StatusCode::invalid_model, "ONNX checker: {}", one_line(e.what()));
  }
  return {};
}

// Builds the IR graph from a parsed model: initializers, inputs (with bound shapes), nodes through
// their handlers, outputs.
class ModelConverter {
 public:
  ModelConverter(const onnx::ModelProto& model, int64_t opset, const std::string& base_dir,
                 const ImportOptions& options)
      : model_(model), proto_(model.graph()), base_dir_(base_dir), options_(options), hints_(model),
        ctx_(graph_, hints_, opset, model_value_names()) {
    graph_.name = proto_.name();
    graph_.opset = opset;
  }

  Result<Graph> run() {
    ES_TRY(add_initializers());
    ES_TRY(add_inputs());
    const auto& nodes = proto_.node();
    for (int i = 0; i < nodes.size(); ++i) ES_TRY(add_node(nodes.Get(i), i));
    ES_TRY(add_outputs());
    Status verified = verify(graph_, VerifyOptions{.require_shapes = false});
    if (!verified.ok()) return verified.with_context("importer produced an inconsistent graph");
    return std::move(graph_);
  }

 private:
  std::unordered_set<std::string> model_value_names() const {
    std::unordered_set<std::string> names;
    for (const auto& init : proto_.initializer()) names.insert(init.name());
    for (const auto& input : proto_.input()) names.insert(input.name());
    for (const auto& node : proto_.node())
      for (const auto& out : node.output()) names.insert(out);
    return names;
  }

  Status add_initializers() {
    if (proto_.sparse_initializer_size() > 0)
      return error(StatusCode::unsupported, "sparse initializer '{}' is not supported",
                   proto_.sparse_initializer(0).values().name());
    for (const auto& init : proto_.initializer()) {
      if (init.name().empty()) return error(StatusCode::invalid_model, "an initializer has no name");
      if (ctx_.is_defined(init.name()))
        return error(StatusCode::invalid_model, "initializer '{}' is defined twice", init.name());
      ES_ASSIGN_OR_RETURN(Tensor tensor, tensor_from_proto(init, base_dir_, fmt::format("initializer '{}'", init.name())));
      ctx_.define_initializer(init.name(), std::move(tensor));
    }
    return {};
  }

  // Inputs that are also initializers (every input of IR < 4 models) are initializers.
  Status add_inputs() {
    std::vector<const onnx::ValueInfoProto*> fed;
    std::vector<std::string> fed_names;
    for (const auto& input : proto_.input()) {
      const ValueId existing = ctx_.lookup(input.name());
      if (existing != kNoValue && graph_.value(existing).is_initializer()) continue;
      if (input.name().empty()) return error(StatusCode::invalid_model, "a graph input has no name");
      if (std::find(fed_names.begin(), fed_names.end(), input.name()) != fed_names.end())
        return error(StatusCode::invalid_model, "graph input '{}' is listed twice", input.name());
      fed.push_back(&input);
      fed_names.push_back(input.name());
    }
    ES_TRY(check_binding_names(options_.input_shapes, fed_names));
    for (const onnx::ValueInfoProto* input : fed) {
      const std::string& name = input->name();
      if (!input->type().has_tensor_type())
        return error(StatusCode::unsupported, "input '{}' is not a tensor (sequences, maps and optionals are not supported)",
                     name);
      const int32_t elem_type = input->type().tensor_type().elem_type();
      const DType dtype = dtype_from_onnx(elem_type);
      if (dtype == DType::undefined || dtype == DType::string)
        return error(StatusCode::unsupported, "input '{}' has element type {}, which is not supported", name,
                     onnx_type_name(elem_type));
      auto binding = options_.input_shapes.find(name);
      ES_ASSIGN_OR_RETURN(Shape shape,
                          bind_input_shape(*input, binding == options_.input_shapes.end() ? nullptr : &binding->second,
                                           options_.batch));
      ctx_.define_input(name, dtype, std::move(shape));
    }
    return {};
  }

  Result<Attributes> convert_attributes(const onnx::NodeProto& node, const std::string& where) {
    Attributes attrs;
    for (const auto& a : node.attribute()) {
      if (a.name().empty()) return error(StatusCode::invalid_model, "{}: an attribute has no name", where);
      if (attrs.has(a.name()))
        return error(StatusCode::invalid_model, "{}: attribute '{}' is given twice", where, a.name());
      ES_ASSIGN_OR_RETURN(AttrValue value, attribute_from_proto(a, base_dir_, where));
      attrs.set(a.name(), std::move(value));
    }
    return attrs;
  }

  // The schema check validates attribute types and input/output counts, which the rest of edgescope
  // relies on (Attributes' typed getters assert). It is cheap, so it runs even without the checker.
  Status verify_against_schema(const onnx::NodeProto& node, const std::string& where) {
    const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(node.op_type(), static_cast<int>(ctx_.opset()), "");
    if (schema == nullptr)
      return error(StatusCode::unsupported, "{}: ONNX has no schema for this op at opset {}", where, ctx_.opset());
    try {
      schema->Verify(node);
    } catch (const std::exception& e) {
      return error(StatusCode::invalid_model, "{}: {}", where, one_line(e.what()));
    }
    return {};
  }

  Status add_node(const onnx::NodeProto& node, int index) {
    ES_ASSIGN_OR_RETURN(const HandlerEntry* entry, handler_for(model_, node, index, ctx_.opset()));
    const std::string base = node.name().empty() || ctx_.unique_node_name(node.name()) != node.name()
                                 ? fmt::format("{}_{}", node.op_type(), index)
                                 : node.name();
    NodeDraft draft;
    draft.op = entry->op;
    draft.name = ctx_.unique_node_name(base);
    const std::string where = fmt::format("node '{}' ({})", draft.name, node.op_type());
    ES_TRY(verify_against_schema(node, where));
    for (const std::string& in : node.input()) {
      if (in.empty()) {
        draft.inputs.push_back(kNoValue);
        continue;
      }
      const ValueId id = ctx_.lookup(in);
      if (id == kNoValue)
        return error(StatusCode::invalid_model, "{} reads '{}', which is not defined before it", where, in);
      draft.inputs.push_back(id);
    }
    ES_ASSIGN_OR_RETURN(draft.attrs, convert_attributes(node, where));
    for (const std::string& out : node.output()) {
      if (out.empty()) {
        draft.outputs.push_back(kNoValue);
        continue;
      }
      if (ctx_.is_defined(out))
        return error(StatusCode::invalid_model, "{} defines '{}', which is already defined", where, out);
      draft.outputs.push_back(ctx_.define_value(out, hints_.declared(out).dtype));
    }
    ctx_.set_origin(draft.name);
    Status handled = entry->handle(ctx_, std::move(draft));
    return handled.ok() ? handled : handled.with_context(where);
  }

  Status add_outputs() {
    if (proto_.output_size() == 0) return error(StatusCode::invalid_model, "the graph has no outputs");
    for (const auto& output : proto_.output()) {
      const ValueId id = ctx_.lookup(output.name());
      if (id == kNoValue)
        return error(StatusCode::invalid_model, "graph output '{}' is not defined by any node, input or initializer",
                     output.name());
      Value& value = graph_.value(id);
      if (value.dtype == DType::undefined) value.dtype = dtype_from_onnx(output.type().tensor_type().elem_type());
      graph_.outputs.push_back(id);
    }
    return {};
  }

  const onnx::ModelProto& model_;
  const onnx::GraphProto& proto_;
  const std::string& base_dir_;
  const ImportOptions& options_;
  TypeHints hints_;
  Graph graph_;
  ImportContext ctx_;
};

Result<Graph> import_model(std::string_view bytes, const std::string& base_dir, const ImportOptions& options) {
  if (bytes.empty()) return error(StatusCode::invalid_model, "empty file, not an ONNX model");
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return error(StatusCode::unsupported, "models over 2 GiB must keep their weights in external data");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return error(StatusCode::invalid_model, "not an ONNX model (the protobuf is truncated or corrupt)");
  if (model.ir_version() <= 0 || !model.has_graph())
    return error(StatusCode::invalid_model, "not an ONNX model (no ir_version or no graph)");
  ES_ASSIGN_OR_RETURN(int64_t opset, default_opset(model));
  // Conversion first: its messages are specific (unsupported op, missing external file, unbound input);
  // the checker then catches what conversion does not look at (type constraints, ...).
  auto graph = ModelConverter(model, opset, base_dir, options).run();
  if (graph.ok() && options.run_checker) ES_TRY(run_onnx_checker(model, base_dir));
  return graph;
}

}  // namespace

Result<Graph> import_bytes(std::string_view bytes, const std::string& base_dir, const ImportOptions& options,
                           const std::string& display_name) {
  auto graph = import_model(bytes, base_dir, options);
  if (!graph.ok()) return graph.status().with_context(display_name);
  log::debug("{}: imported {} nodes, {} values (opset {})", display_name, graph->nodes.size(), graph->values.size(),
             graph->opset);
  return graph;
}

Result<Graph> import_file(const std::string& path, const ImportOptions& options) {
  ES_ASSIGN_OR_RETURN(std::string bytes, read_file_bytes(path));
  return import_bytes(bytes, folder_of(path), options, path);
}

}  // namespace es::onnx_io
