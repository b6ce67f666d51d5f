#include "conformance/conformance_case.h"

#include "backends/ref/ref_kernels.h"
#include "ir/shape_inference.h"
#include "onnx/onnx_import.h"
#include "onnx/tensor_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

namespace es::conformance {
namespace fs = std::filesystem;
namespace {

// input_0.pb, input_1.pb, ... in numeric order (input_10 after input_9).
std::vector<fs::path> numbered_files(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> files;
  for (int i = 0;; ++i) {
    fs::path p = dir / fmt::format("{}_{}.pb", prefix, i);
    if (!fs::exists(p)) break;
    files.push_back(p);
  }
  return files;
}

Result<std::vector<onnx_io::NamedTensor>> read_all(const std::vector<fs::path>& files) {
  std::vector<onnx_io::NamedTensor> out;
  for (const fs::path& p : files) {
    ES_ASSIGN_OR_RETURN(onnx_io::NamedTensor t, onnx_io::read_tensor_file(p.string()));
    out.push_back(std::move(t));
  }
  return out;
}

// Imports the model with the data set's input shapes bound. Inputs whose .pb has no name are bound by
// position, which needs the graph's input names first (a probe import without shapes).
Result<Graph> import_with_shapes(const fs::path& model, const std::vector<onnx_io::NamedTensor>& inputs) {
  onnx_io::ImportOptions options;
  const bool all_named = std::all_of(inputs.begin(), inputs.end(), [](const auto& t) { return !t.name.empty(); });
  if (all_named) {
    for (const auto& t : inputs) options.input_shapes[t.name] = t.tensor.shape();
  } else {
    ES_ASSIGN_OR_RETURN(Graph probe, onnx_io::import_file(model.string(), {}));
    for (size_t i = 0; i < inputs.size() && i < probe.inputs.size(); ++i)
      options.input_shapes[probe.value(probe.inputs[i]).name] = inputs[i].tensor.shape();
  }
  return onnx_io::import_file(model.string(), options);
}

// ONNX node tests feed shape operands (Reshape's shape, Slice's starts, Resize's scales, Range's bounds)
// as graph inputs, while edgescope's shapes are static. When inference needs them, the runner binds the
// small 0-D/1-D inputs as initializers (kernels still read them at run time) and returns the rest of the
// feed.
std::vector<Tensor> bind_shape_operands(Graph& graph, const std::vector<Tensor>& feed) {
  constexpr int64_t kMaxOperandElements = 64;
  std::vector<ValueId> still_fed;
  std::vector<Tensor> rest;
  for (size_t i = 0; i < feed.size(); ++i) {
    if (feed[i].rank() <= 1 && feed[i].numel() <= kMaxOperandElements) {
      graph.value(graph.inputs[i]).data = std::make_shared<const Tensor>(feed[i]);
    } else {
      still_fed.push_back(graph.inputs[i]);
      rest.push_back(feed[i]);
    }
  }
  graph.inputs = still_fed;
  return rest;
}

bool floats_match(double actual, double expected, const Case& c) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual)) return actual == expected;
  return std::abs(actual - expected) <= c.atol + c.rtol * std::abs(expected);
}

double element(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::f32: return t.data<float>()[i];
    case DType::f64: return t.data<double>()[i];
    case DType::f16: return half_to_float(static_cast<const uint16_t*>(t.raw())[i]);
    case DType::bf16: {
      uint32_t bits = static_cast<uint32_t>(static_cast<const uint16_t*>(t.raw())[i]) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    default: return 0;  // integers are compared exactly through to_int64_vector
  }
}

// Empty when equal; otherwise what differs (dtype, shape, or the first few mismatching elements).
std::string compare(const Tensor& actual, const Tensor& expected, const Case& c) {
  if (actual.dtype() != expected.dtype())
    return fmt::format("dtype {} != expected {}", dtype_name(actual.dtype()), dtype_name(expected.dtype()));
  if (actual.shape() != expected.shape())
    return fmt::format("shape {} != expected {}", shape_str(actual.shape()), shape_str(expected.shape()));
  const bool is_float = dtype_is_float(expected.dtype());
  std::vector<int64_t> ai, ei;
  if (!is_float) {
    ai = actual.to_int64_vector();
    ei = expected.to_int64_vector();
  }
  int mismatches = 0;
  std::string first;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const double a = is_float ? element(actual, i) : static_cast<double>(ai[i]);
    const double e = is_float ? element(expected, i) : static_cast<double>(ei[i]);
    const bool same = is_float ? floats_match(a, e, c) : ai[i] == ei[i];
    if (same) continue;
    if (mismatches++ < 3) first += fmt::format(" [{}] {} vs {};", i, a, e);
  }
  if (mismatches == 0) return {};
  return fmt::format("{} of {} elements differ:{}", mismatches, expected.numel(), first);
}

CaseResult fail(std::string message) { return {Outcome::failed, std::move(message)}; }

}  // namespace

std::vector<Case> list_cases(const fs::path& root) {
  std::vector<Case> cases;
  for (const char* category : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    const fs::path dir = root / category;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory() && name.rfind("test_", 0) == 0 && fs::exists(entry.path() / "model.onnx"))
        cases.push_back({std::string(category) + "/" + name, entry.path(), entry.path() / "model.onnx"});
    }
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
  return cases;
}

std::vector<Case> list_model_cases(const fs::path& reference, const fs::path& models) {
  std::vector<Case> cases;
  if (!fs::is_directory(reference)) return cases;
  for (const auto& entry : fs::directory_iterator(reference)) {
    const std::string stem = entry.path().filename().string();
    const fs::path model = models / (stem + ".onnx");
    if (entry.is_directory() && fs::exists(model))
      cases.push_back({.id = "models/" + stem, .dir = entry.path(), .model = model, .atol = 1e-3});
  }
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
  return cases;
}

CaseResult run_case(const Case& c, const Executor& execute) {
  std::vector<fs::path> data_sets;
  for (const auto& entry : fs::directory_iterator(c.dir))
    if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0)
      data_sets.push_back(entry.path());
  std::sort(data_sets.begin(), data_sets.end());
  if (data_sets.empty()) return fail("no test_data_set_* folder");

  for (const fs::path& data_set : data_sets) {
    const std::string where = data_set.filename().string();
    auto inputs = read_all(numbered_files(data_set, "input"));
    auto expected = read_all(numbered_files(data_set, "output"));
    // Data the importer cannot represent (strings, sequences) means the case is outside edgescope's scope
    // only if the model import agrees; import first so that an unsupported op is reported as such.
    Result<Graph> graph = inputs.ok() ? import_with_shapes(c.model, *inputs) : onnx_io::import_file(c.model.string(), {});
    if (!graph.ok()) {
      const Status& s = graph.status();
      if (s.code() == StatusCode::unsupported) return {Outcome::unsupported, "import: " + s.message()};
      return fail("import: " + s.message());
    }
    for (const auto* io : {&inputs, &expected}) {
      if (io->ok()) continue;
      if (io->status().code() == StatusCode::unsupported) return {Outcome::unsupported, io->status().message()};
      return fail(io->status().message());
    }
    if (inputs->size() != graph->inputs.size())
      return fail(fmt::format("{}: {} input files for {} graph inputs", where, inputs->size(), graph->inputs.size()));
    if (expected->size() != graph->outputs.size())
      return fail(fmt::format("{}: {} output files for {} graph outputs", where, expected->size(),
                              graph->outputs.size()));
    std::vector<Tensor> feed;
    for (const auto& t : *inputs) feed.push_back(t.tensor);
    Graph unbound = *graph;
    Status shapes = infer_shapes(*graph, ref::evaluator());
    if (!shapes.ok()) {
      *graph = std::move(unbound);
      feed = bind_shape_operands(*graph, feed);
      if (Status retry = infer_shapes(*graph, ref::evaluator()); !retry.ok())
        return fail("infer_shapes: " + shapes.message());
    }
    Result<std::vector<Tensor>> outputs = execute(*graph, feed);
    if (!outputs.ok()) return fail("execute: " + outputs.status().message());
    for (size_t i = 0; i < expected->size(); ++i) {
      const std::string diff = compare((*outputs)[i], (*expected)[i].tensor, c);
      if (!diff.empty())
        return fail(fmt::format("{}: output {} ('{}'): {}", where, i, graph->value(graph->outputs[i]).name, diff));
    }
  }
  return {Outcome::passed, {}};
}

Result<std::vector<KnownFailure>> load_known_failures(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return error(StatusCode::not_found, "{}: cannot open", file.string());
  std::vector<KnownFailure> list;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const size_t begin = line.find_first_not_of(" \t");
    if (begin == std::string::npos || line[begin] == '#') continue;
    // The reason follows the last " #", so patterns may contain '#' themselves only without a space before.
    const size_t hash = line.rfind(" #");
    const size_t reason_begin = hash == std::string::npos ? std::string::npos : line.find_first_not_of(" \t#", hash);
    std::string pattern = line.substr(begin, hash == std::string::npos ? std::string::npos : hash - begin);
    pattern.erase(pattern.find_last_not_of(" \t") + 1);
    if (reason_begin == std::string::npos)
      return error(StatusCode::invalid_argument, "{}:{}: '{}' has no '# reason'", file.string(), number, pattern);
    const std::string reason = line.substr(reason_begin);
    try {
      list.push_back({pattern, std::regex(pattern), reason});
    } catch (const std::regex_error& e) {
      return error(StatusCode::invalid_argument, "{}:{}: bad regex '{}': {}", file.string(), number, pattern, e.what());
    }
  }
  return list;
}

const KnownFailure* find_known_failure(const std::vector<KnownFailure>& list, const std::string& backend,
                                       const std::string& case_id) {
  const std::string key = backend + ":" + case_id;
  for (const KnownFailure& k : list)
    if (std::regex_search(key, k.regex)) return &k;
  return nullptr;
}

}  // namespace es::conformance
