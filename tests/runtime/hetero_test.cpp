// Heterogeneous plans: device assignment (pins, fallback) and the cut into segments need no GPU; the
// CUDA+CPU executable (a middle node pinned to the CPU) must give the pure-GPU outputs and report its
// boundary copies, and needs a GPU.
#include "backends/ref/ref_kernels.h"
#include "ir/builder.h"
#include "ir/shape_inference.h"
#include "runtime/compile.h"
#include "runtime/partition.h"
#ifdef ES_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#endif

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace es {
namespace {

using Ints = std::vector<int64_t>;

Tensor random_tensor(const Shape& shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor t(DType::f32, shape);
  for (float& v : t.values<float>()) v = dist(rng);
  return t;
}

// conv -> relu -> conv -> add(residual of the first conv) -> softmax
Graph chain() {
  GraphBuilder b("chain");
  ValueId x = b.input("x", DType::f32, {1, 4, 8, 8});
  ValueId c1 = b.op(OpKind::Conv, {x, b.initializer("w1", random_tensor({4, 4, 3, 3}, 1))},
                    {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}}, "conv1");
  ValueId r = b.op(OpKind::Relu, {c1}, {}, "relu");
  ValueId c2 = b.op(OpKind::Conv, {r, b.initializer("w2", random_tensor({4, 4, 3, 3}, 2))},
                    {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}}, "conv2");
  ValueId a = b.op(OpKind::Add, {c2, c1}, {}, "add");
  b.output(b.op(OpKind::Softmax, {a}, {{"axis", int64_t{1}}}, "softmax"));
  Graph g = b.build();
  EXPECT_TRUE(infer_shapes(g, ref::evaluator()).ok());
  return g;
}

PlacementPolicy everything_on_gpu() {
  PlacementPolicy p;
  p.accelerator_runs = [](const Graph&, const Node&) { return true; };
  return p;
}

TEST(Partition, PinSplitsTheChainIntoThreeSegmentsWithBoundaryValues) {
  const Graph g = chain();
  PlacementPolicy policy = everything_on_gpu();
  policy.pins = {{"conv2", "cpu"}};
  auto devices = assign_devices(g, policy);
  ASSERT_TRUE(devices.ok()) << devices.status().message();
  EXPECT_EQ(*devices, (std::vector<std::string>{"cuda:0", "cuda:0", "cpu", "cuda:0", "cuda:0"}));
  const std::vector<Segment> segments = partition(g, *devices);
  ASSERT_EQ(segments.size(), 3u);
  auto names = [&](const std::vector<ValueId>& ids) {
    std::vector<std::string> out;
    for (ValueId id : ids) out.push_back(g.value(id).name);
    return out;
  };
  EXPECT_EQ(names(segments[0].inputs), (std::vector<std::string>{"x"}));
  EXPECT_EQ(names(segments[0].outputs), (std::vector<std::string>{"conv1", "relu"}));
  EXPECT_EQ(names(segments[1].inputs), (std::vector<std::string>{"relu"}));
  EXPECT_EQ(names(segments[2].inputs), (std::vector<std::string>{"conv2", "conv1"}));
  EXPECT_EQ(names(segments[2].outputs), (std::vector<std::string>{"softmax"}));
  for (const Segment& s : segments) EXPECT_TRUE(verify(s.graph).ok()) << s.device;
  EXPECT_EQ(segments[1].graph.values[static_cast<size_t>(segments[1].graph.find_value("w2"))].is_initializer(), true);
}

TEST(Partition, FallbackAndPinErrors) {
  const Graph g = chain();
  PlacementPolicy policy;
  policy.accelerator_runs = [](const Graph&, const Node& n) { return n.op != OpKind::Softmax; };
  auto devices = assign_devices(g, policy);
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ(devices->back(), "cpu");
  policy.fallback_cpu = false;
  EXPECT_EQ(assign_devices(g, policy).status().code(), StatusCode::unsupported);
  policy = everything_on_gpu();
  policy.pins = {{"no_such_node", "cpu"}};
  EXPECT_EQ(assign_devices(g, policy).status().code(), StatusCode::not_found);
  policy.pins = {{"relu", "tpu"}};
  EXPECT_EQ(assign_devices(g, policy).status().code(), StatusCode::invalid_argument);
  EXPECT_FALSE(parse_pins({"relu"}).ok());
  EXPECT_EQ(parse_pins({"a=b=cpu"})->at("a=b"), "cpu");
  EXPECT_FALSE(parse_fallback("gpu").ok());
}

#ifdef ES_HAVE_CUDA
std::vector<Tensor> run(Executable& exe, const std::vector<Tensor>& inputs) {
  std::vector<Tensor> outputs(1);
  for (const Status& s : {exe.copy_inputs(inputs), exe.execute(), exe.copy_outputs(outputs), exe.synchronize()})
    EXPECT_TRUE(s.ok()) << s.message();
  return outputs;
}

TEST(HeteroCuda, MiddleNodePinnedToCpuGivesTheSameOutputsAndReportsCopies) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const Graph g = chain();
  const std::vector<Tensor> inputs = {random_tensor({1, 4, 8, 8}, 3)};
  auto gpu = compile(g, {.device = "cuda"});
  ASSERT_TRUE(gpu.ok()) << gpu.status().message();
  EXPECT_EQ((*gpu)->device_name(), "cuda:0");
  auto mixed = compile(g, {.device = "cuda:0", .pins = {{"conv2", "cpu"}}});
  ASSERT_TRUE(mixed.ok()) << mixed.status().message();
  EXPECT_EQ((*mixed)->device_name(), "cuda:0+cpu");
  const Tensor a = run(**gpu, inputs)[0], b = run(**mixed, inputs)[0];
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) EXPECT_NEAR(a.values<float>()[i], b.values<float>()[i], 1e-5);
  std::optional<DevicePhaseTimes> phases = (*mixed)->last_phase_times();
  ASSERT_TRUE(phases.has_value());
  EXPECT_GT(phases->h2d_ms, 0);
  EXPECT_GT(phases->d2h_ms, 0);

  auto layers = (*mixed)->profile_layers();
  ASSERT_TRUE(layers.ok()) << layers.status().message();
  std::vector<std::string> names;
  for (const LayerTime& l : *layers) names.push_back(l.name + "@" + l.device);
  EXPECT_EQ(names, (std::vector<std::string>{"copy x cpu->cuda:0@cuda:0", "conv1@cuda:0", "relu@cuda:0",
                                             "copy conv1,relu cuda:0->cpu@cuda:0", "conv2@cpu",
                                             "copy conv2,conv1 cpu->cuda:0@cuda:0", "add@cuda:0", "softmax@cuda:0",
                                             "copy softmax cuda:0->cpu@cuda:0"}));
}
#endif

}  // namespace
}  // namespace es
