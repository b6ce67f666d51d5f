// --restrict: the DLA's rules applied to another device. Which nodes of the zoo's MobileNetV2 and ResNet-50
// (ONNX files with a symbolic batch, as the Model Zoo ships them) a DLA rule set keeps off the device, how the
// devices are then assigned, and the one-line errors need no GPU. A restricted MobileNetV2 on cuda (its
// refused nodes on the CPU) must give the CPU's outputs and report its boundary copies, and needs a GPU.
#include "onnx/onnx_export.h"
#include "onnx/onnx_import.h"
#include "passes/pass.h"
#include "runtime/compile.h"
#include "runtime/partition.h"
#include "runtime/restriction.h"
#include "support/graph_test_util.h"
#include "zoo/zoo.h"
#ifdef ES_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#endif

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace es {
namespace {

struct Model {
  Graph imported;  // as placement sees it (passes none)
  Graph compiled;  // after edgescope's default passes
};

// The zoo model written as its ONNX file (symbolic batch) and read back, as `edgescope bench` loads it.
Model load_zoo(std::string_view name) {
  const zoo::ZooModel* z = zoo::find_zoo_model(name);
  EXPECT_NE(z, nullptr) << name;
  onnx_io::ExportOptions options;
  options.opset = z->opset;
  options.symbolic_batch_name = std::string(z->symbolic_batch);
  auto bytes = onnx_io::export_bytes(z->build({}), options);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  auto graph = onnx_io::import_bytes(*bytes, ".", {}, std::string(name));
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  Model m{std::move(graph).value(), {}};
  EXPECT_TRUE(run_pipeline(m.imported, {.passes = "none", .dump_ir_after = ""}).ok());
  m.compiled = m.imported;
  EXPECT_TRUE(run_pipeline(m.compiled, {}).ok());
  return m;
}

std::vector<RestrictedNode> restrict_with(const Model& m, const std::string& spec) {
  auto r = parse_restriction(spec);
  EXPECT_TRUE(r.ok()) << r.status().message();
  auto nodes = restricted_nodes(m.imported, m.compiled, r->rules);
  EXPECT_TRUE(nodes.ok()) << nodes.status().message();
  return nodes.ok() ? *nodes : std::vector<RestrictedNode>{};
}

PlacementPolicy restricted_policy(const std::vector<RestrictedNode>& nodes) {
  PlacementPolicy p;
  p.accelerator_runs = [](const Graph&, const Node&) { return true; };
  for (const RestrictedNode& n : nodes) p.restricted[n.node] = n.rule + ": " + n.reason;
  return p;
}

// The ONNX nodes of the engine layers that placement puts on the GPU, straight from analyze_placement.
std::set<std::string> gpu_onnx_nodes(const Graph& imported, const std::string& target, bool symbolic_batch) {
  placement::PlacementOptions options;
  options.allow_gpu_fallback = true;
  options.dynamic_batch = symbolic_batch;
  auto report = placement::analyze_placement(imported, *placement::find_target(target), options);
  EXPECT_TRUE(report.ok()) << report.status().message();
  std::set<std::string> nodes;
  for (const placement::EngineLayer& layer : report->engine.layers)
    if (!layer.on_dla)
      for (placement::LayerId m : layer.members)
        for (const std::string& n : report->layers[static_cast<size_t>(m)].onnx_nodes) nodes.insert(n);
  return nodes;
}

TEST(Restriction, MobileNetV2KeepsOffTheNodesOfTheDlaEnginesGpuLayers) {
  const Model m = load_zoo("mobilenetv2-12");
  const std::vector<RestrictedNode> nodes = restrict_with(m, "cuda=dla");
  std::vector<std::string> names;
  for (const RestrictedNode& n : nodes) names.push_back(n.node + " <- " + n.rule);
  EXPECT_EQ(names, (std::vector<std::string>{"GlobalAveragePool_97 <- layer.type"}));

  // Every one of them stands for an ONNX node placement puts on the GPU, and every such node that survives
  // edgescope's passes is kept off.
  const std::set<std::string> gpu = gpu_onnx_nodes(m.imported, "orin-agx-32gb", false);
  // The restriction judges the engine with the bound shapes; the file's symbolic batch only adds network-level
  // shape arithmetic that the engine folds (DLA engines have a fixed profile), so the GPU layers are the same.
  EXPECT_EQ(gpu_onnx_nodes(m.imported, "orin-agx-32gb", true), gpu);
  std::set<std::string> compiled_origins;
  for (const Node& n : m.compiled.nodes) compiled_origins.insert(n.origin.begin(), n.origin.end());
  std::set<std::string> restricted_origins;
  for (const RestrictedNode& r : nodes) {
    const Node& node = m.compiled.node(m.compiled.find_node(r.node));
    EXPECT_TRUE(std::any_of(node.origin.begin(), node.origin.end(), [&](const std::string& o) { return gpu.count(o); }))
        << r.node;
    restricted_origins.insert(node.origin.begin(), node.origin.end());
  }
  for (const std::string& g : gpu) EXPECT_TRUE(!compiled_origins.count(g) || restricted_origins.count(g)) << g;

  auto devices = assign_devices(m.compiled, restricted_policy(nodes));
  ASSERT_TRUE(devices.ok()) << devices.status().message();
  std::vector<std::string> on_cpu;
  for (size_t i = 0; i < devices->size(); ++i)
    if ((*devices)[i] == "cpu") on_cpu.push_back(m.compiled.nodes[i].name);
  std::vector<std::string> restricted;
  for (const RestrictedNode& n : nodes) restricted.push_back(n.node);
  EXPECT_EQ(on_cpu, restricted);
}

TEST(Restriction, ResNet50KeepsOffTheSameNodesOnEveryOrinDlaCore) {
  const Model m = load_zoo("resnet50-v1.5");
  std::vector<std::string> names;
  for (const RestrictedNode& n : restrict_with(m, "cuda=dla")) names.push_back(n.node + " <- " + n.rule);
  EXPECT_EQ(names, (std::vector<std::string>{"GlobalAveragePool_119 <- layer.type"}));
  std::vector<std::string> dla1;
  for (const RestrictedNode& n : restrict_with(m, "cuda:0=orin-agx-32gb:dla1")) dla1.push_back(n.node + " <- " + n.rule);
  EXPECT_EQ(dla1, names);
}

TEST(Restriction, RuleSetsAndTheirErrors) {
  auto dla = parse_restriction("cuda=dla");
  ASSERT_TRUE(dla.ok());
  EXPECT_EQ(dla->device, "cuda");
  EXPECT_EQ(dla->rules.target.name, "orin-agx-32gb");
  EXPECT_EQ(dla->rules.options.device, "dla0");
  EXPECT_TRUE(dla->rules.options.allow_gpu_fallback);
  auto xavier = parse_restriction("cuda:0=xavier-agx:dla1");
  ASSERT_TRUE(xavier.ok()) << xavier.status().message();
  EXPECT_EQ(xavier->rules.target.name, "xavier-agx");
  EXPECT_EQ(xavier->rules.options.device, "dla1");
  EXPECT_EQ(parse_restriction("cuda=dla1")->rules.options.device, "dla1");

  auto message = [](const std::string& spec) { return parse_restriction(spec).status().message(); };
  EXPECT_NE(message("cuda").find("expected DEVICE=RULESET"), std::string::npos);
  EXPECT_NE(message("tpu=dla").find("device 'tpu' cannot be restricted"), std::string::npos);
  EXPECT_NE(message("cpu=dla").find("device 'cpu' cannot be restricted"), std::string::npos);
  EXPECT_NE(message("cuda=gpu-rules").find("rule set 'gpu-rules': expected dla or TARGET[:dlaN]"), std::string::npos);
  EXPECT_NE(message("cuda=h100-sxm").find("target 'h100-sxm' has no DLA"), std::string::npos);
  EXPECT_NE(message("cuda=orin-agx-32gb:dla2").find("'dla2' is not a DLA core of orin-agx-32gb (dla0..dla1)"),
            std::string::npos);
  for (const char* spec : {"cuda", "tpu=dla", "cuda=gpu-rules", "cuda=h100-sxm", "cuda=dla9"})
    EXPECT_EQ(message(spec).find('\n'), std::string::npos) << spec;
}

TEST(Restriction, RestrictedNodesFollowFallbackAndRefusePins) {
  const Model m = load_zoo("mobilenetv2-12");
  const std::vector<RestrictedNode> nodes = restrict_with(m, "cuda=dla");
  ASSERT_FALSE(nodes.empty());
  PlacementPolicy policy = restricted_policy(nodes);
  policy.fallback_cpu = false;
  auto off = assign_devices(m.compiled, policy);
  EXPECT_EQ(off.status().code(), StatusCode::unsupported);
  EXPECT_NE(off.status().message().find("its rule set keeps it off cuda:0 (" + nodes[0].rule), std::string::npos)
      << off.status().message();
  policy = restricted_policy(nodes);
  policy.pins = {{nodes[0].node, "cuda"}};
  auto pinned = assign_devices(m.compiled, policy);
  EXPECT_EQ(pinned.status().code(), StatusCode::unsupported);
  EXPECT_NE(pinned.status().message().find("pin of node '" + nodes[0].node + "' to cuda:0: its rule set keeps it off"),
            std::string::npos)
      << pinned.status().message();
}

#ifdef ES_HAVE_CUDA
std::vector<Tensor> run(Executable& exe, const std::vector<Tensor>& inputs, const Graph& g) {
  std::vector<Tensor> outputs;
  for (ValueId id : g.outputs) outputs.emplace_back(g.value(id).dtype, g.value(id).shape);
  for (const Status& s : {exe.copy_inputs(inputs), exe.execute(), exe.copy_outputs(outputs), exe.synchronize()})
    EXPECT_TRUE(s.ok()) << s.message();
  return outputs;
}

TEST(RestrictionCuda, RestrictedMobileNetV2GivesTheCpuOutputsAndReportsItsBoundaries) {
  if (cuda::device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const Model m = load_zoo("mobilenetv2-12");
  const std::vector<RestrictedNode> nodes = restrict_with(m, "cuda=dla");
  CompileOptions options;
  options.device = "cuda";
  for (const RestrictedNode& n : nodes) options.restricted[n.node] = n.rule;
  auto restricted = compile(m.compiled, options);
  ASSERT_TRUE(restricted.ok()) << restricted.status().message();
  EXPECT_EQ((*restricted)->device_name(), "cuda:0+cpu");
  CompileOptions on_cpu;
  auto cpu = compile(m.compiled, on_cpu);
  ASSERT_TRUE(cpu.ok()) << cpu.status().message();

  const std::vector<Tensor> inputs = test::random_inputs(m.compiled, 7);
  const Tensor a = run(**cpu, inputs, m.compiled)[0], b = run(**restricted, inputs, m.compiled)[0];
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_LT(test::relative_l2(a, b), 1e-4);

  std::optional<DevicePhaseTimes> phases = (*restricted)->last_phase_times();
  ASSERT_TRUE(phases.has_value());
  EXPECT_GT(phases->h2d_ms, 0);
  EXPECT_GT(phases->d2h_ms, 0);
  auto layers = (*restricted)->profile_layers();
  ASSERT_TRUE(layers.ok()) << layers.status().message();
  int to_cpu = 0, restricted_on_cpu = 0;
  for (const LayerTime& l : *layers) {
    to_cpu += l.name.rfind("copy ", 0) == 0 && l.name.find("cuda:0->cpu") != std::string::npos;
    restricted_on_cpu += l.device == "cpu" && options.restricted.count(l.name);
  }
  EXPECT_GT(to_cpu, 0);
  EXPECT_EQ(restricted_on_cpu, static_cast<int>(nodes.size()));
}
#endif

}  // namespace
}  // namespace es
