#include "support/graph_test_util.h"

#include "backends/ref/ref_kernels.h"
#include "ir/shape_inference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace es::test {

Tensor random_tensor(DType dtype, Shape shape, uint32_t seed) {
  Tensor t(dtype, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  for (int64_t i = 0; i < t.numel(); ++i) {
    double v = dist(rng);
    switch (dtype) {
      case DType::f32: t.data<float>()[i] = static_cast<float>(v); break;
      case DType::i64: t.data<int64_t>()[i] = static_cast<int64_t>((v + 1) * 4); break;
      case DType::i32: t.data<int32_t>()[i] = static_cast<int32_t>((v + 1) * 4); break;
      default: ADD_FAILURE() << "random_tensor: unsupported dtype " << dtype_name(dtype); return t;
    }
  }
  return t;
}

std::vector<Tensor> random_inputs(const Graph& graph, uint32_t seed) {
  std::vector<Tensor> inputs;
  for (ValueId id : graph.inputs) inputs.push_back(random_tensor(DType::f32, graph.value(id).shape, seed++));
  return inputs;
}

Graph build_inferred(GraphBuilder& builder) {
  Graph graph = builder.build();
  Status status = infer_shapes(graph, ref::evaluator());
  EXPECT_TRUE(status.ok()) << status.message();
  status = verify(graph);
  EXPECT_TRUE(status.ok()) << status.message();
  return graph;
}

std::vector<Tensor> run_reference(const Graph& graph, const std::vector<Tensor>& inputs) {
  Result<std::vector<Tensor>> outputs = ref::run_graph(graph, inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status().message();
  return outputs.ok() ? std::move(outputs).value() : std::vector<Tensor>{};
}

double relative_l2(const Tensor& expected, const Tensor& actual) {
  std::vector<float> e = expected.to_float_vector(), a = actual.to_float_vector();
  EXPECT_EQ(e.size(), a.size());
  double diff = 0, norm = 0;
  for (size_t i = 0; i < e.size() && i < a.size(); ++i) {
    diff += (double(e[i]) - a[i]) * (double(e[i]) - a[i]);
    norm += double(e[i]) * e[i];
  }
  return std::sqrt(diff) / std::max(std::sqrt(norm), 1e-30);
}

void expect_same_outputs(const Graph& before, const Graph& after, uint32_t seed) {
  ASSERT_EQ(before.inputs.size(), after.inputs.size());
  ASSERT_EQ(before.outputs.size(), after.outputs.size());
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < before.inputs.size(); ++i) {
    const Value& v = before.value(before.inputs[i]);
    EXPECT_EQ(v.name, after.value(after.inputs[i]).name);
    inputs.push_back(random_tensor(v.dtype, v.shape, seed + static_cast<uint32_t>(i)));
  }
  std::vector<Tensor> expected = run_reference(before, inputs);
  std::vector<Tensor> actual = run_reference(after, inputs);
  ASSERT_EQ(expected.size(), before.outputs.size());
  ASSERT_EQ(actual.size(), after.outputs.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(before.value(before.outputs[i]).name, after.value(after.outputs[i]).name) << "graph output " << i;
    EXPECT_EQ(expected[i].shape(), actual[i].shape()) << "graph output " << i;
    if (expected[i].shape() == actual[i].shape()) {
      EXPECT_LE(relative_l2(expected[i], actual[i]), 1e-5) << "graph output " << i;
    }
  }
}

int count_ops(const Graph& graph, OpKind op) {
  int n = 0;
  for (const Node& node : graph.nodes) n += node.op == op;
  return n;
}

ValueId add_conv(GraphBuilder& builder, ValueId x, int64_t in_channels, int64_t out_channels, bool with_bias,
                 const std::string& name, uint32_t seed) {
  std::vector<ValueId> inputs = {x, builder.initializer(name + "_w", random_tensor(DType::f32, {out_channels, in_channels, 3, 3}, seed))};
  if (with_bias) inputs.push_back(builder.initializer(name + "_b", random_tensor(DType::f32, {out_channels}, seed + 1)));
  return builder.op(OpKind::Conv, inputs, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"kernel_shape", std::vector<int64_t>{3, 3}}}, name);
}

}  // namespace es::test
