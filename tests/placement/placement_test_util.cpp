#include "placement_test_util.h"

#include "backends/ref/ref_kernels.h"
#include "ir/shape_inference.h"
#include "onnx/onnx_import.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace es::placement::testing {

ValueId ShapedGraph::input(const std::string& name, Shape shape, DType dtype) {
  ValueId v = g_.add_value(name, dtype, std::move(shape));
  g_.inputs.push_back(v);
  return v;
}

ValueId ShapedGraph::weights(const std::string& name, Shape shape, DType dtype) {
  return g_.add_initializer(g_.unique_value_name(name), Tensor(dtype, std::move(shape)));
}

ValueId ShapedGraph::ints(const std::string& name, std::vector<int64_t> values) {
  Shape shape{static_cast<int64_t>(values.size())};
  return g_.add_initializer(g_.unique_value_name(name), Tensor::from_vector<int64_t>(shape, values));
}

ValueId ShapedGraph::floats(const std::string& name, std::vector<float> values) {
  Shape shape{static_cast<int64_t>(values.size())};
  return g_.add_initializer(g_.unique_value_name(name), Tensor::from_vector<float>(shape, values));
}

ValueId ShapedGraph::op(OpKind kind, std::vector<ValueId> inputs, Shape out_shape, Attributes a, DType dtype,
                        const std::string& name) {
  std::string node = g_.unique_node_name(name.empty() ? std::string(op_name(kind)) : name);
  ValueId out = g_.add_value(g_.unique_value_name(node + "_out"), dtype, std::move(out_shape));
  g_.add_node(kind, node, std::move(inputs), {out}, std::move(a));
  return out;
}

Attributes attrs(std::initializer_list<std::pair<const char*, AttrValue>> list) {
  Attributes a;
  for (const auto& [k, v] : list) a.set(k, v);
  return a;
}

const Target& orin() {
  static const Target t = *find_target("orin-agx-32gb");
  return t;
}

const Target& xavier() {
  static const Target t = *find_target("xavier-agx");
  return t;
}

std::string shared_model(const std::string& file) {
  std::string path = std::string(ES_SHARED_DIR) + "/models/" + file;
  return std::filesystem::exists(path) ? path : std::string();
}

Result<Graph> load_model(const std::string& path, const onnx_io::ImportOptions& options) {
  ES_ASSIGN_OR_RETURN(Graph g, onnx_io::import_file(path, options));
  ES_TRY(infer_shapes(g, ref::evaluator()));
  return g;
}

const LayerPlacement& layer_named(const PlacementReport& r, const std::string& name) {
  for (const LayerPlacement& l : r.layers)
    if (l.name == name) return l;
  ADD_FAILURE() << "no layer named " << name;
  static const LayerPlacement none;
  return none;
}

}  // namespace es::placement::testing
