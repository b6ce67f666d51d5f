#include "fuzz_seeds.h"

#include "proto_builder.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace es::onnx_test {
namespace {

std::string legacy_model() {
  ProtoModel m(9);
  m.input("x", {"N", "4", "1", "6"});
  auto& clip = m.node("Clip", {"x"}, {"c"}, "clip");
  set_float(clip, "min", 0.0f);
  set_float(clip, "max", 6.0f);
  set_ints(m.node("Squeeze", {"c"}, {"s"}, "squeeze"), "axes", {2});
  auto& slice = m.node("Slice", {"s"}, {"sl"}, "slice");
  set_ints(slice, "starts", {1});
  set_ints(slice, "ends", {3});
  m.node("Softmax", {"sl"}, {"sm"}, "softmax");
  m.initializer("scales", {3}, {1, 2, 2});
  set_string(m.node("Upsample", {"sm", "scales"}, {"y"}, "up"), "mode", "nearest");
  m.output("y");
  return m.bytes();
}

std::string modern_model() {
  ProtoModel m(13);
  m.input("image", {"batch", "3", "8", "8"});
  auto& w = m.initializer("w", {2, 3, 1, 1}, {});
  w.set_data_location(onnx::TensorProto::EXTERNAL);
  auto* location = w.add_external_data();
  location->set_key("location");
  location->set_value("w.bin");
  set_ints(m.node("Conv", {"image", "w"}, {"conv"}, "conv"), "kernel_shape", {1, 1});
  set_ints(m.node("Constant", {}, {"split"}, "split_sizes"), "value_ints", {1, 1});
  m.node("Split", {"conv", "split"}, {"a", "b"}, "split");
  m.node("Add", {"a", "b"}, {"sum"}, "add");
  m.node("Resize", {"sum", "", "", "sizes"}, {"y"}, "resize");
  auto& sizes = *m.graph().add_initializer();
  sizes.set_name("sizes");
  sizes.set_data_type(onnx::TensorProto::INT64);
  sizes.add_dims(4);
  for (int64_t v : {1, 1, 16, 16}) sizes.add_int64_data(v);
  m.output("y");
  return m.bytes();
}

std::vector<std::string> onnx_node_tests(size_t count) {
  const std::filesystem::path root = "/usr/share/libonnx-testdata/data/node";
  std::vector<std::filesystem::path> models;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec))
    if (std::filesystem::exists(entry.path() / "model.onnx")) models.push_back(entry.path() / "model.onnx");
  std::sort(models.begin(), models.end());
  std::vector<std::string> bytes;
  for (size_t i = 0; i < models.size() && bytes.size() < count; i += std::max<size_t>(1, models.size() / count)) {
    std::ifstream in(models[i], std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    bytes.push_back(buffer.str());
  }
  return bytes;
}

}  // namespace

std::vector<std::string> fuzz_seed_models() {
  std::vector<std::string> seeds = {legacy_model(), modern_model()};
  for (std::string& s : onnx_node_tests(24)) seeds.push_back(std::move(s));
  return seeds;
}

}  // namespace es::onnx_test
