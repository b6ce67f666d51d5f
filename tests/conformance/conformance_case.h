// One ONNX backend-test case (a folder with model.onnx and test_data_set_*/{input,output}_N.pb): import,
// infer shapes with the reference evaluator, execute with a pluggable backend, compare like
// np.testing.assert_allclose (rtol 1e-3, atol 1e-5 for floats; exact for integers and bools; NaN == NaN).
#pragma once

#include "base/status.h"
#include "ir/graph.h"

#include <filesystem>
#include <functional>
#include <regex>
#include <span>
#include <string>
#include <vector>

namespace es::conformance {

// Runs a shape-inferred graph: inputs in graph.inputs order, outputs in graph.outputs order.
using Executor = std::function<Result<std::vector<Tensor>>(const Graph& graph, std::span<const Tensor> inputs)>;

struct Backend {
  std::string name;  // "ref", "cpu": prefixes case ids so known failures can be per backend
  Executor execute;
};

struct Case {
  std::string id;               // "node/test_abs", "models/yolox_nano"
  std::filesystem::path dir;    // holds test_data_set_*/
  std::filesystem::path model;  // the .onnx file
  // Float comparison: |actual - expected| <= atol + rtol * |expected| (np.testing.assert_allclose).
  double rtol = 1e-3;
  double atol = 1e-5;
};

enum class Outcome { passed, failed, unsupported };

struct CaseResult {
  Outcome outcome = Outcome::failed;
  std::string message;  // why it failed or was skipped
};

// Every case folder under root/{node,pytorch-converted,pytorch-operator,simple}, sorted by id.
std::vector<Case> list_cases(const std::filesystem::path& root);
// Whole-model cases in the same layout: reference/<stem>/test_data_set_*/ with the model in models/<stem>.onnx
// (ONNX Runtime outputs for the real models in ../shared). Their atol is 1e-3: through ~100 layers,
// summation-order differences (ORT uses Winograd/blocked GEMMs) reach a few 1e-4 on isolated elements
// (yolox_nano: 1 of 301665), while a wrong kernel shifts whole tensors.
std::vector<Case> list_model_cases(const std::filesystem::path& reference, const std::filesystem::path& models);

CaseResult run_case(const Case& c, const Executor& execute);

// known_failures.txt: "regex  # reason" per line (the reason after the last " #" is mandatory); lines
// starting with # are comments.
// A pattern matches when it is found anywhere in "<backend>:<case id>", e.g. "ref:node/test_abs".
struct KnownFailure {
  std::string pattern;
  std::regex regex;
  std::string reason;
};
Result<std::vector<KnownFailure>> load_known_failures(const std::filesystem::path& file);
const KnownFailure* find_known_failure(const std::vector<KnownFailure>& list, const std::string& backend,
                                       const std::string& case_id);

}  // namespace es::conformance
