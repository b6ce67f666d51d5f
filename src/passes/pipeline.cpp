// run_pipeline: shape inference, then the selected passes, each followed by shape inference and verify
// so that a pass that breaks the graph is named in the error.
#include "backends/ref/ref_kernels.h"
#include "base/log.h"
#include "passes/pass.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>

namespace es {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The names --passes accepts, for error messages.
std::string valid_names(std::span<const Pass> available) {
  std::vector<std::string_view> names = {"default", "none"};
  for (const Pass& p : available) names.push_back(p.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

const Pass* find_pass(std::span<const Pass> available, std::string_view name) {
  auto it = std::find_if(available.begin(), available.end(), [&](const Pass& p) { return p.name == name; });
  return it == available.end() ? nullptr : &*it;
}

// "default" | "none" | "a,b,c" -> the passes to run, in order.
Result<std::vector<const Pass*>> select_passes(std::span<const Pass> available, std::string_view spec) {
  std::vector<const Pass*> selected;
  spec = trim(spec);
  if (spec == "none") return selected;
  if (spec == "default") {
    for (const Pass& p : available) selected.push_back(&p);
    return selected;
  }
  while (true) {
    size_t comma = spec.find(',');
    std::string_view name = trim(spec.substr(0, comma));
    const Pass* pass = find_pass(available, name);
    if (pass == nullptr)
      return error(StatusCode::invalid_argument, "--passes: unknown pass '{}' (valid: {})", name,
                   valid_names(available));
    selected.push_back(pass);
    if (comma == std::string_view::npos) return selected;
    spec.remove_prefix(comma + 1);
  }
}

Status infer_and_verify(Graph& graph) {
  ES_TRY(infer_shapes(graph, ref::evaluator()));
  return verify(graph);
}

}  // namespace

Status run_pipeline(Graph& graph, const PipelineOptions& options) {
  return run_pipeline(graph, options, all_passes());
}

Status run_pipeline(Graph& graph, const PipelineOptions& options, std::span<const Pass> available) {
  ES_ASSIGN_OR_RETURN(std::vector<const Pass*> selected, select_passes(available, options.passes));
  if (!options.dump_ir_after.empty()) {
    if (find_pass(available, options.dump_ir_after) == nullptr)
      return error(StatusCode::invalid_argument, "--dump-ir-after: unknown pass '{}' (valid: {})",
                   options.dump_ir_after, valid_names(available));
    if (std::none_of(selected.begin(), selected.end(), [&](const Pass* p) { return p->name == options.dump_ir_after; }))
      return error(StatusCode::invalid_argument, "--dump-ir-after: pass '{}' is not among the selected passes '{}'",
                   options.dump_ir_after, options.passes);
  }
  ES_TRY(infer_and_verify(graph));
  for (const Pass* pass : selected) {
    using Clock = std::chrono::steady_clock;
    using Ms = std::chrono::duration<double, std::milli>;
    Clock::time_point start = Clock::now();
    Result<bool> changed = pass->run(graph);
    if (!changed.ok()) return changed.status().with_context(fmt::format("pass '{}'", pass->name));
    Clock::time_point ran = Clock::now();
    Status status = infer_and_verify(graph);
    if (!status.ok()) return status.with_context(fmt::format("graph invalid after pass '{}'", pass->name));
    log::debug("pass {}: {} in {:.3f} ms (+{:.3f} ms shape inference and verify), {} nodes", pass->name,
               *changed ? "changed" : "unchanged", Ms(ran - start).count(), Ms(Clock::now() - ran).count(),
               graph.nodes.size());
    if (pass->name == options.dump_ir_after)
      fmt::print(stderr, "# IR after pass {}\n{}", pass->name, print_graph(graph));
  }
  return {};
}

}  // namespace es
