// RuleContext: what a shape rule sees of one node, plus the checks every rule shares. Every error it
// makes starts with "node 'NAME' (Op): " so messages name the node and op without each rule repeating it.
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <string_view>

namespace es::shape_rules {

class RuleContext {
 public:
  RuleContext(Graph& graph, NodeId id) : graph_(graph), node_(graph.node(id)) {}

  const Node& node() const { return node_; }
  const Attributes& attrs() const { return node_.attrs; }

  // Input slots, counting omitted optional ones that precede a present one.
  size_t input_count() const { return node_.inputs.size(); }
  bool has_input(size_t i) const { return node_.has_input(i); }
  const Value& input(size_t i) const;  // asserts the input is present
  const Shape& shape(size_t i) const { return input(i).shape; }
  DType dtype(size_t i) const { return input(i).dtype; }
  int64_t rank(size_t i) const { return input(i).rank(); }
  // A present input whose contents are known and non-empty; optional ONNX inputs are often given as
  // empty tensors meaning "absent", so an empty known tensor counts as omitted here.
  bool has_nonempty_input(size_t i) const;

  size_t output_count() const { return node_.outputs.size(); }
  // Sets an output's dtype and shape; omitted optional outputs are skipped.
  void set_output(size_t i, DType dtype, Shape shape);

  // Errors prefixed with the node and op.
  Status fail(StatusCode code, std::string_view message) const;
  template <typename... Args>
  Status invalid(fmt::format_string<Args...> format, Args&&... args) const {
    return fail(StatusCode::invalid_model, fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  Status unsupported(fmt::format_string<Args...> format, Args&&... args) const {
    return fail(StatusCode::unsupported, fmt::format(format, std::forward<Args>(args)...));
  }

  Status expect_rank(size_t i, int64_t expected) const;      // "input 1 has rank 3, expected 4"
  Status expect_min_rank(size_t i, int64_t minimum) const;
  Status expect_same_dtype(size_t a, size_t b) const;         // operands that must agree
  Status expect_dtype(size_t i, DType expected) const;
  // Contents of an input the output shape depends on; unsupported when not known at compile time.
  Result<const Tensor*> known_input(size_t i) const;
  Result<std::vector<int64_t>> known_ints(size_t i) const;    // integer tensor read as int64
  Result<int64_t> known_scalar_int(size_t i) const;           // a tensor of exactly one element
  // Maps axis in [-rank, rank) to [0, rank); `what` names the attribute or input in the message.
  Result<int64_t> normalize_axis(int64_t axis, int64_t rank, std::string_view what = "axis") const;
  // Normalises a list of axes and rejects duplicates.
  Result<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank,
                                              std::string_view what = "axes") const;

 private:
  Graph& graph_;
  const Node& node_;
};

}  // namespace es::shape_rules
