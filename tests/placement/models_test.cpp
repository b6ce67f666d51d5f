#include "placement_test_util.h"

#include "placement/placement_print.h"
#include "zoo/zoo.h"

#include <gtest/gtest.h>

namespace es::placement::testing {
namespace {

PlacementReport analyze(const Graph& g, bool dynamic_batch, TrtVersion v = TrtVersion::v8_5) {
  PlacementOptions o;
  o.allow_gpu_fallback = true;
  o.dynamic_batch = dynamic_batch;
  o.trt = v;
  Result<PlacementReport> r = analyze_placement(g, orin(), o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : PlacementReport{};
}

TEST(Explore, Print) {
  for (const char* f : {"mobilenetv2-12-fp32-dequantized.onnx", "yolox_nano.onnx", "version-RFB-320.onnx",
                        "ch_PP-OCRv4_det_infer.onnx"}) {
    std::string path = shared_model(f);
    if (path.empty()) continue;
    onnx_io::ImportOptions io;
    if (std::string(f).find("PP-OCR") != std::string::npos) io.input_shapes["x"] = {1, 3, 640, 640};
    Result<Graph> g = load_model(path, io);
    ASSERT_TRUE(g.ok()) << g.status().message();
    for (bool dyn : {false, true}) {
      PlacementReport r = analyze(*g, dyn);
      std::string by;
      for (auto& [t, c] : r.by_type) by += fmt::format(" {}={}/{}", t, c.total, c.gpu);
      fmt::print("{} dyn={} layers={} gpu={} | engine layers={} gpu={} loadables={} boundaries={} |{}\n", f, dyn,
                 r.network_layers, r.network_gpu, r.engine.layers.size(), r.engine.gpu_layers(),
                 r.engine.dla_loadables(), r.engine.boundaries.size(), by);
    }
  }
  for (const char* name : {"mobilenetv2-12", "resnet50-v1-12"}) {
    const zoo::ZooModel* m = zoo::find_zoo_model(name);
    if (!m) continue;
    Graph g = m->build({});
    for (bool dyn : {false, true}) {
      PlacementReport r = analyze(g, dyn);
      std::string by;
      for (auto& [t, c] : r.by_type) by += fmt::format(" {}={}/{}", t, c.total, c.gpu);
      fmt::print("{} dyn={} layers={} gpu={} | engine layers={} gpu={} loadables={} boundaries={} |{}\n", name, dyn,
                 r.network_layers, r.network_gpu, r.engine.layers.size(), r.engine.gpu_layers(),
                 r.engine.dla_loadables(), r.engine.boundaries.size(), by);
    }
  }
}

}  // namespace
}  // namespace es::placement::testing
