// Broken, hostile and unsupported inputs: each must give one Status naming the file/tensor/node.
#include "onnx/onnx_import.h"
#include "proto_builder.h"
#include "scratch_dir.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <fstream>

namespace es::onnx_io {
namespace {

using onnx_test::ProtoModel;

// x -> Relu -> Add(w) -> y, with a 2x2 float initializer.
ProtoModel tiny_model() {
  ProtoModel m(13);
  m.input("x", {"2", "2"});
  m.initializer("w", {2, 2}, {1, 2, 3, 4});
  m.node("Relu", {"x"}, {"r"}, "relu");
  m.node("Add", {"r", "w"}, {"y"}, "add");
  m.output("y");
  return m;
}

Status import_status(const std::string& bytes, const ImportOptions& options = {}, const std::string& dir = ".") {
  return import_bytes(bytes, dir, options, "model.onnx").status();
}

void expect_error(const Status& s, StatusCode code, const std::vector<std::string>& fragments) {
  EXPECT_EQ(s.code(), code) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  for (const auto& f : fragments) EXPECT_NE(s.message().find(f), std::string::npos) << "'" << f << "' not in: " << s.message();
}

ImportOptions no_checker() {
  ImportOptions options;
  options.run_checker = false;
  return options;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(ImportErrors, TinyModelImports) {
  auto graph = import_bytes(tiny_model().bytes(), ".", {}, "model.onnx");
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->nodes.size(), 2u);
  EXPECT_EQ(graph->inputs.size(), 1u);
  EXPECT_EQ(graph->opset, 13);
}

TEST(ImportErrors, MissingEmptyAndDirectory) {
  const std::string dir = onnx_test::scratch_dir("files");
  expect_error(import_file(dir + "/absent.onnx", {}).status(), StatusCode::not_found, {"absent.onnx", "no such file"});
  write_file(dir + "/empty.onnx", "");
  expect_error(import_file(dir + "/empty.onnx", {}).status(), StatusCode::invalid_model, {"empty.onnx", "empty"});
  expect_error(import_file(dir, {}).status(), StatusCode::invalid_argument, {"not a regular file"});
}

TEST(ImportErrors, TruncatedAndRandomBytes) {
  const std::string bytes = tiny_model().bytes();
  for (size_t keep : {size_t{1}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    Status s = import_status(bytes.substr(0, keep));
    EXPECT_FALSE(s.ok()) << "kept " << keep;
    EXPECT_NE(s.message().find("model.onnx"), std::string::npos) << s.message();
  }
  std::string random(4096, '\0');
  uint32_t state = 12345;
  for (char& c : random) c = static_cast<char>((state = state * 1664525u + 1013904223u) >> 24);
  expect_error(import_status(random), StatusCode::invalid_model, {"model.onnx", "not an ONNX model"});
  expect_error(import_status("this is a text file, not a model\n"), StatusCode::invalid_model, {"not an ONNX model"});
}

TEST(ImportErrors, RawDataSizeMismatch) {
  ProtoModel m = tiny_model();
  auto& w = *m.graph().mutable_initializer(0);
  w.clear_float_data();
  w.set_raw_data(std::string(12, '\0'));  // 3 floats for a 2x2 tensor
  expect_error(import_status(m.bytes()), StatusCode::invalid_model, {"initializer 'w'", "raw_data has 12 bytes", "16"});
}

TEST(ImportErrors, TypedFieldCountMismatch) {
  ProtoModel m = tiny_model();
  m.graph().mutable_initializer(0)->add_float_data(5);
  expect_error(import_status(m.bytes(), no_checker()), StatusCode::invalid_model,
               {"initializer 'w'", "float_data holds 5 values"});
}

TEST(ImportErrors, OverflowingAndHugeDims) {
  for (std::vector<int64_t> dims : {std::vector<int64_t>{int64_t{1} << 40, int64_t{1} << 40},
                                    std::vector<int64_t>{int64_t{1} << 36}, std::vector<int64_t>{-3, 2}}) {
    ProtoModel m = tiny_model();
    auto& w = *m.graph().mutable_initializer(0);
    w.clear_dims();
    for (int64_t d : dims) w.add_dims(d);
    Status s = import_status(m.bytes(), no_checker());
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("initializer 'w'"), std::string::npos) << s.message();
  }
}

// A small file that declares a huge initializer is refused before the tensor is allocated: the importer
// compares the bytes the file holds with the shape first (the fuzzer found an input that had it allocate and
// clear gigabytes). The process's peak resident memory must not grow by the 4 GiB the shape declares.
TEST(ImportErrors, HugeDeclaredShapeWithLittleDataAllocatesNothing) {
  const std::string dir = onnx_test::scratch_dir("huge");
  write_file(dir + "/small.bin", std::string(16, '\0'));
  auto peak_rss_mib = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;  // ru_maxrss is in KiB on Linux
  };
  const long before = peak_rss_mib();
  for (int source = 0; source < 3; ++source) {
    ProtoModel m = tiny_model();
    auto& w = *m.graph().mutable_initializer(0);
    w.clear_dims();
    w.add_dims(int64_t{1} << 30);  // 4 GiB of floats
    if (source == 1) {
      w.clear_float_data();
      w.set_raw_data(std::string(16, '\0'));
    } else if (source == 2) {
      w.clear_float_data();
      w.set_data_location(onnx::TensorProto::EXTERNAL);
      auto* location = w.add_external_data();
      location->set_key("location");
      location->set_value("small.bin");
    }
    Status s = import_status(m.bytes(), no_checker(), dir);
    EXPECT_EQ(s.code(), StatusCode::invalid_model) << source << ": " << s.message();
    EXPECT_NE(s.message().find("initializer 'w'"), std::string::npos) << s.message();
  }
  EXPECT_LT(peak_rss_mib() - before, 1024);
}

TEST(ImportErrors, ExternalDataMissingOrOutOfRange) {
  const std::string dir = onnx_test::scratch_dir("external");
  ProtoModel m = tiny_model();
  auto& w = *m.graph().mutable_initializer(0);
  w.clear_float_data();
  w.set_data_location(onnx::TensorProto::EXTERNAL);
  auto* location = w.add_external_data();
  location->set_key("location");
  location->set_value("weights.bin");
  expect_error(import_status(m.bytes(), no_checker(), dir), StatusCode::not_found,
               {"initializer 'w'", "weights.bin", "not found"});
  write_file(dir + "/weights.bin", std::string(8, '\0'));  // 2 floats, 4 needed
  expect_error(import_status(m.bytes(), no_checker(), dir), StatusCode::invalid_model,
               {"initializer 'w'", "outside", "weights.bin"});
  location->set_value("../escape.bin");
  expect_error(import_status(m.bytes(), no_checker(), dir), StatusCode::invalid_model,
               {"leaves the model's folder"});
  location->set_value("/etc/passwd");
  expect_error(import_status(m.bytes(), no_checker(), dir), StatusCode::invalid_model, {"relative path"});
}

TEST(ImportErrors, ExternalDataRoundTrip) {
  const std::string dir = onnx_test::scratch_dir("external_ok");
  ProtoModel m = tiny_model();
  auto& w = *m.graph().mutable_initializer(0);
  w.clear_float_data();
  w.set_data_location(onnx::TensorProto::EXTERNAL);
  for (auto [key, value] : {std::pair{"location", "data/weights.bin"}, std::pair{"offset", "4"},
                            std::pair{"length", "16"}}) {
    auto* entry = w.add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  }
  std::filesystem::create_directories(dir + "/data");
  const float values[5] = {99, 1.5f, -2, 3, 4.25f};
  write_file(dir + "/data/weights.bin", std::string(reinterpret_cast<const char*>(values), sizeof values));
  write_file(dir + "/model.onnx", m.bytes());
  auto graph = import_file(dir + "/model.onnx", {});
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  const Value& wv = graph->value(graph->find_value("w"));
  ASSERT_TRUE(wv.is_initializer());
  EXPECT_EQ(std::vector<float>(wv.data->values<float>().begin(), wv.data->values<float>().end()),
            (std::vector<float>{1.5f, -2, 3, 4.25f}));
}

TEST(ImportErrors, UnsupportedOps) {
  ProtoModel lstm(13);
  lstm.input("x", {"1", "2", "3"});
  lstm.node("Det", {"x"}, {"y"}, "det0");
  lstm.output("y");
  expect_error(import_status(lstm.bytes()), StatusCode::unsupported, {"unsupported op 'Det' (opset 13) at node 'det0'"});

  ProtoModel newer(11);
  newer.input("x", {"1", "4"});
  newer.node("HardSwish", {"x"}, {"y"}, "hs");
  newer.output("y");
  expect_error(import_status(newer.bytes()), StatusCode::unsupported,
               {"unsupported op 'HardSwish' (opset 11) at node 'hs'", "needs opset 14"});

  ProtoModel custom(13);
  auto* ms = custom.model.add_opset_import();
  ms->set_domain("com.microsoft");
  ms->set_version(1);
  custom.input("a", {"1", "4"});
  custom.node("QLinearAdd", {"a", "a"}, {"y"}, "qadd").set_domain("com.microsoft");
  custom.output("y");
  expect_error(import_status(custom.bytes()), StatusCode::unsupported,
               {"'QLinearAdd'", "domain 'com.microsoft'", "opset 1", "node 'qadd'"});

  ProtoModel old(6, 3);
  old.input("x", {"1"});
  old.node("Relu", {"x"}, {"y"});
  old.output("y");
  expect_error(import_status(old.bytes()), StatusCode::unsupported, {"opset 6", "older"});

  ProtoModel loop(13);
  loop.input("x", {"1"});
  auto& n = loop.node("If", {"x"}, {"y"}, "branch");
  auto& a = onnx_test::attr(n, "then_branch");
  a.set_type(onnx::AttributeProto::GRAPH);
  loop.output("y");
  expect_error(import_status(loop.bytes(), no_checker()), StatusCode::unsupported, {"'If'", "node 'branch'"});
}

TEST(ImportErrors, GraphStructureErrors) {
  ProtoModel undefined(13);
  undefined.input("x", {"1"});
  undefined.node("Relu", {"nowhere"}, {"y"}, "r");
  undefined.output("y");
  expect_error(import_status(undefined.bytes(), no_checker()), StatusCode::invalid_model,
               {"node 'r' (Relu) reads 'nowhere'"});
  expect_error(import_status(undefined.bytes()), StatusCode::invalid_model, {"reads 'nowhere'"});

  ProtoModel twice(13);
  twice.input("x", {"1"});
  twice.node("Relu", {"x"}, {"y"}, "a");
  twice.node("Relu", {"x"}, {"y"}, "b");
  twice.output("y");
  expect_error(import_status(twice.bytes(), no_checker()), StatusCode::invalid_model,
               {"node 'b' (Relu) defines 'y', which is already defined"});

  ProtoModel no_output(13);
  no_output.input("x", {"1"});
  no_output.node("Relu", {"x"}, {"y"}, "a");
  no_output.output("z");
  expect_error(import_status(no_output.bytes(), no_checker()), StatusCode::invalid_model,
               {"graph output 'z'"});

  ProtoModel bad_attr(13);
  bad_attr.input("x", {"1", "3"});
  auto& softmax = bad_attr.node("Softmax", {"x"}, {"y"}, "sm");
  onnx_test::set_string(softmax, "axis", "one");
  bad_attr.output("y");
  expect_error(import_status(bad_attr.bytes(), no_checker()), StatusCode::invalid_model,
               {"node 'sm' (Softmax)"});
}

TEST(ImportErrors, ShapeBindingErrors) {
  ProtoModel m(13);
  m.input("image", {"N", "3", "height", "width"});
  m.node("Relu", {"image"}, {"y"});
  m.output("y");
  expect_error(import_status(m.bytes()), StatusCode::invalid_argument,
               {"input 'image' dimension 2 ('height') is not bound", "--shape image:1x3xheightxwidth"});
  ImportOptions wrong_rank;
  wrong_rank.input_shapes["image"] = {1, 3, 8};
  expect_error(import_status(m.bytes(), wrong_rank), StatusCode::invalid_argument,
               {"--shape image:1x3x8", "input 'image'", "[N,3,height,width]"});
  ImportOptions wrong_static;
  wrong_static.input_shapes["image"] = {1, 4, 8, 8};
  expect_error(import_status(m.bytes(), wrong_static), StatusCode::invalid_argument, {"1x4x8x8", "[N,3,height,width]"});
  ImportOptions unknown;
  unknown.input_shapes["img"] = {1, 3, 8, 8};
  expect_error(import_status(m.bytes(), unknown), StatusCode::invalid_argument, {"no input 'img'", "inputs: image"});
  ImportOptions huge;
  huge.input_shapes["image"] = {int64_t{1} << 30, 3, int64_t{1} << 30, 1 << 20};
  expect_error(import_status(m.bytes(), huge), StatusCode::resource, {"input 'image'"});
}

}  // namespace
}  // namespace es::onnx_io
