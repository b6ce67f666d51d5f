#include "runtime/model.h"

#include "base/log.h"

namespace es {

Result<Graph> load_model(const std::string& path, const LoadOptions& options) {
  ES_ASSIGN_OR_RETURN(Graph graph, onnx_io::import_file(path, options.import));
  Status status = run_pipeline(graph, options.pipeline);
  if (!status.ok()) return status.with_context(path);
  log::debug("{}: {} nodes after passes '{}'", path, graph.nodes.size(), options.pipeline.passes);
  return graph;
}

}  // namespace es
