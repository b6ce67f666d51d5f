// Helpers for placement tests: tiny hand-built graphs with explicit shapes, real models through the importer.
#pragma once

#include "ir/builder.h"
#include "onnx/onnx_import.h"
#include "placement/placement.h"

#include <string>

namespace es::placement::testing {

// Builds graphs whose values carry their shapes, so tests do not depend on shape inference.
class ShapedGraph {
 public:
  explicit ShapedGraph(int64_t opset = 17) { g_.opset = opset; g_.name = "test"; }
  ValueId input(const std::string& name, Shape shape, DType dtype = DType::f32);
  ValueId weights(const std::string& name, Shape shape, DType dtype = DType::f32);
  ValueId ints(const std::string& name, std::vector<int64_t> values);  // i64 initializer
  ValueId floats(const std::string& name, std::vector<float> values);  // f32 1-D initializer
  ValueId op(OpKind kind, std::vector<ValueId> inputs, Shape out_shape, Attributes attrs = {},
             DType dtype = DType::f32, const std::string& name = {});
  void output(ValueId v) { g_.outputs.push_back(v); }
  Graph& graph() { return g_; }

 private:
  Graph g_;
};

Attributes attrs(std::initializer_list<std::pair<const char*, AttrValue>> list);

// The Orin target as shipped.
const Target& orin();
const Target& xavier();

// Imports a model of ../shared/models (through the importer and shape inference); empty path when absent.
std::string shared_model(const std::string& file);
Result<Graph> load_model(const std::string& path, const onnx_io::ImportOptions& options = {});

// Network-level verdict of the layer named `name` (asserts it exists).
const LayerPlacement& layer_named(const PlacementReport& r, const std::string& name);

}  // namespace es::placement::testing
