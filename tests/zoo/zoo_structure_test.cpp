// The zoo's graphs as built: op counts, layer names and where the strides sit.
#include "zoo/zoo.h"

#include <gtest/gtest.h>

#include <map>

namespace es::zoo {
namespace {

std::map<std::string, int> histogram(const Graph& g) {
  std::map<std::string, int> h;
  for (const Node& n : g.nodes) ++h[std::string(op_name(n.op))];
  return h;
}

const Node& node_named(const Graph& g, const std::string& name) {
  NodeId id = g.find_node(name);
  EXPECT_NE(id, kNoNode) << name;
  return g.node(id);
}

int64_t stride_of(const Node& n) { return n.attrs.get_ints("strides", {1, 1}).at(0); }
int64_t kernel_of(const Node& n) { return n.attrs.get_ints("kernel_shape").at(0); }

// Every Conv with stride 2, as "kernel:stride" in node order.
std::vector<std::string> strided_convs(const Graph& g) {
  std::vector<std::string> result;
  for (const Node& n : g.nodes)
    if (n.op == OpKind::Conv && stride_of(n) == 2) result.push_back(n.name + "/k" + std::to_string(kernel_of(n)));
  return result;
}

TEST(ZooStructure, MobileNetV2HasTheZooFilesOps) {
  Graph g = build_mobilenetv2_12({});
  EXPECT_EQ(g.nodes.size(), 105u);
  std::map<std::string, int> expected = {{"Conv", 52}, {"Clip", 35}, {"Add", 10}, {"GlobalAveragePool", 1},
                                         {"Shape", 1}, {"Constant", 1}, {"Gather", 1}, {"Unsqueeze", 1},
                                         {"Concat", 1}, {"Reshape", 1}, {"Gemm", 1}};
  EXPECT_EQ(histogram(g), expected);
  EXPECT_EQ(g.value(g.inputs.at(0)).name, "input");
  EXPECT_EQ(g.value(g.outputs.at(0)).name, "output");
  EXPECT_EQ(g.value(g.outputs.at(0)).shape, (Shape{1, 1000}));
}

TEST(ZooStructure, ResNet50V1HasMxnetLayersAndStridesOnThe1x1) {
  Graph g = build_resnet50_v1_12({});
  std::map<std::string, int> expected = {{"Conv", 53}, {"BatchNormalization", 53}, {"Relu", 49}, {"Add", 16},
                                         {"MaxPool", 1}, {"GlobalAveragePool", 1}, {"Flatten", 1}, {"Gemm", 1}};
  EXPECT_EQ(histogram(g), expected);
  // v1: the first 1x1 conv of stages 2-4 and their downsample convs carry the stride; the stem too.
  std::vector<std::string> strided = {"resnetv17_conv0_fwd/k7",        "resnetv17_stage2_conv0_fwd/k1",
                                      "resnetv17_stage2_conv3_fwd/k1", "resnetv17_stage3_conv0_fwd/k1",
                                      "resnetv17_stage3_conv3_fwd/k1", "resnetv17_stage4_conv0_fwd/k1",
                                      "resnetv17_stage4_conv3_fwd/k1"};
  EXPECT_EQ(strided_convs(g), strided);
  EXPECT_EQ(g.nodes.front().name, "resnetv17_conv0_fwd");
  EXPECT_EQ(g.nodes[3].name, "resnetv17_pool0_fwd");
  EXPECT_EQ(node_named(g, "resnetv17_stage1__plus0").op, OpKind::Add);
  EXPECT_EQ(node_named(g, "resnetv17_stage4_activation2").op, OpKind::Relu);
  EXPECT_EQ(node_named(g, "resnetv17_stage3_batchnorm18_fwd").op, OpKind::BatchNormalization);
  EXPECT_EQ(node_named(g, "flatten_473").op, OpKind::Flatten);
  EXPECT_EQ(g.nodes.back().name, "resnetv17_dense0_fwd");
  EXPECT_EQ(g.value(g.inputs.at(0)).name, "data");
  EXPECT_EQ(g.value(g.outputs.at(0)).name, "resnetv17_dense0_fwd");
  // Conv without bias, BN separate.
  EXPECT_EQ(node_named(g, "resnetv17_stage1_conv0_fwd").inputs.size(), 2u);
}

TEST(ZooStructure, ResNet50V15HasFoldedConvsAndStridesOnThe3x3) {
  Graph g = build_resnet50_v1_5({});
  std::map<std::string, int> expected = {{"Conv", 53}, {"Relu", 49}, {"Add", 16}, {"MaxPool", 1},
                                         {"GlobalAveragePool", 1}, {"Flatten", 1}, {"Gemm", 1}};
  EXPECT_EQ(histogram(g), expected);
  std::vector<int64_t> kernels;
  for (const Node& n : g.nodes)
    if (n.op == OpKind::Conv) {
      EXPECT_EQ(n.inputs.size(), 3u) << n.name << ": the folded BN leaves a bias";
      if (stride_of(n) == 2) kernels.push_back(kernel_of(n));
    }
  // stem 7x7, then per downsampling stage the 3x3 and the downsample 1x1.
  EXPECT_EQ(kernels, (std::vector<int64_t>{7, 3, 1, 3, 1, 3, 1}));
}

TEST(ZooStructure, BatchIsTheInputsLeadingDimension) {
  for (const ZooModel& m : zoo_models()) {
    Graph g = m.build({0, 3});
    EXPECT_EQ(g.value(g.inputs.at(0)).shape, (Shape{3, 3, 224, 224})) << m.name;
    EXPECT_EQ(g.value(g.outputs.at(0)).shape, (Shape{3, 1000})) << m.name;
  }
}

TEST(ZooStructure, ListFindsEveryModelByName) {
  EXPECT_EQ(zoo_models().size(), 3u);
  for (const ZooModel& m : zoo_models()) EXPECT_EQ(find_zoo_model(m.name), &m);
  EXPECT_EQ(find_zoo_model("resnet18"), nullptr);
}

// FNV-1a over every initializer's bytes.
uint64_t weights_hash(const Graph& g) {
  uint64_t h = 1469598103934665603ull;
  for (const Value& v : g.values) {
    if (!v.is_initializer()) continue;
    const auto* bytes = static_cast<const unsigned char*>(v.data->raw());
    for (size_t i = 0; i < v.data->nbytes(); ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  }
  return h;
}

TEST(ZooStructure, WeightsAreSeeded) {
  for (const ZooModel& m : zoo_models()) {
    uint64_t seven = weights_hash(m.build({7, 1}));
    EXPECT_EQ(seven, weights_hash(m.build({7, 1}))) << m.name;
    EXPECT_NE(seven, weights_hash(m.build({8, 1}))) << m.name;
  }
}

}  // namespace
}  // namespace es::zoo
