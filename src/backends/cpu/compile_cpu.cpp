#include "backends/cpu/cpu_backend.h"
#include "backends/cpu/cpu_executable.h"
#include "backends/cpu/lowering.h"
#include "backends/ref/ref_kernels.h"

#include <omp.h>

namespace es::cpu {

namespace {

// oneDNN when its lowering takes the node, else the node's reference kernel.
Status lower_node(ProgramBuilder& builder, const Node& node) {
  if (Lowering lower = lowerings()[static_cast<size_t>(node.op)]) {
    try {
      ES_ASSIGN_OR_RETURN(bool lowered, lower(builder, node));
      if (lowered) return Status::ok_status();
    } catch (const dnnl::error& e) {
      return error(StatusCode::internal, "node '{}' ({}): oneDNN: {}", node.name, op_name(node.op), e.what());
    }
  }
  if (ref::find_kernel(node.op) == nullptr)
    return error(StatusCode::unsupported, "node '{}': op {} has no CPU kernel", node.name, op_name(node.op));
  builder.add_reference(node);
  return Status::ok_status();
}

Status check_static_shapes(const Graph& graph) {
  for (const Node& node : graph.nodes)
    for (ValueId id : node.outputs)
      if (id != kNoValue && !graph.value(id).shape_known)
        return error(StatusCode::invalid_argument, "value '{}' of node '{}' has no static shape; run shape inference first",
                     graph.value(id).name, node.name);
  return Status::ok_status();
}

// The program for `graph` on `engine`, with oneDNN's kernels chosen for `threads`.
Result<Program> build_program(const Graph& graph, const CpuOptions& options, const dnnl::engine& engine, int threads) {
  if (options.threads < 0) return error(StatusCode::invalid_argument, "threads must be >= 0, got {}", options.threads);
  ES_TRY(check_static_shapes(graph));
  // oneDNN sizes its kernels' work split for the thread count at primitive creation.
  omp_set_num_threads(threads);
  try {
    ProgramBuilder builder(graph, engine);
    for (const Node& node : builder.graph().nodes)
      if (!builder.absorbed(node)) ES_TRY(lower_node(builder, node));
    return builder.finish();
  } catch (const dnnl::error& e) {
    return error(StatusCode::internal, "compiling '{}' for the CPU: oneDNN: {}", graph.name, e.what());
  }
}

int thread_count(const CpuOptions& options) { return options.threads > 0 ? options.threads : omp_get_num_procs(); }

}  // namespace

Result<std::unique_ptr<Executable>> compile_cpu(const Graph& graph, const CpuOptions& options) {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  ES_ASSIGN_OR_RETURN(Program program, build_program(graph, options, engine, thread_count(options)));
  return std::unique_ptr<Executable>(std::make_unique<CpuExecutable>(std::move(program), engine, thread_count(options)));
}

Result<std::vector<CompiledStep>> compiled_steps(const Graph& graph, const CpuOptions& options) {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  ES_ASSIGN_OR_RETURN(Program program, build_program(graph, options, engine, thread_count(options)));
  auto slot_bytes = [&](const std::vector<SlotId>& slots) {
    double bytes = 0;
    for (SlotId s : slots) {
      const Value& v = program.value_of(s);
      bytes += static_cast<double>(program.slots[static_cast<size_t>(s)].layout.bytes(v.dtype, v.shape));
    }
    return bytes;
  };
  std::vector<CompiledStep> steps;
  for (const auto& step : program.steps) {
    std::vector<std::string> nodes;
    for (const Node* node : step->nodes) nodes.push_back(node->name);
    steps.push_back({step->name, step->op, step->implementation, std::move(nodes),
                     slot_bytes(step->reads) + static_cast<double>(step->constant_bytes), slot_bytes(step->writes)});
  }
  return steps;
}

Result<std::vector<Tensor>> run_graph(const Graph& graph, std::span<const Tensor> inputs, const CpuOptions& options) {
  ES_ASSIGN_OR_RETURN(std::unique_ptr<Executable> exe, compile_cpu(graph, options));
  std::vector<Tensor> outputs(graph.outputs.size());
  ES_TRY(exe->copy_inputs(inputs));
  ES_TRY(exe->execute());
  ES_TRY(exe->copy_outputs(outputs));
  ES_TRY(exe->synchronize());
  return outputs;
}

}  // namespace es::cpu
