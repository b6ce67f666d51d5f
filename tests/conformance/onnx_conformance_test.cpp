// The ONNX backend-test suite (libonnx-testdata) as one parameterized test per (backend, case).
// Cases whose import is unsupported are skipped; known_failures.txt lists the rest that may fail, each
// with a reason, and a listed case that passes is an error so the list stays honest. Running the binary
// prints "conformance: N passed, M failed, K skipped (unsupported)" and the failures at the end.
#include "backends/cpu/cpu_backend.h"
#include "backends/ref/ref_kernels.h"
#include "conformance/conformance_case.h"
#ifdef ES_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#include "runtime/compile.h"
#endif

#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

namespace es::conformance {
namespace {

const std::filesystem::path kTestData = ES_ONNX_TESTDATA_DIR;
const std::filesystem::path kKnownFailures = std::filesystem::path(ES_SOURCE_DIR) / "tests/conformance/known_failures.txt";

#ifdef ES_HAVE_CUDA
Result<std::vector<Tensor>> run_on_cuda(const Graph& g, std::span<const Tensor> inputs) {
  ES_ASSIGN_OR_RETURN(std::unique_ptr<Executable> exe, compile(g, {.device = "cuda"}));
  std::vector<Tensor> outputs(g.outputs.size());
  ES_TRY(exe->copy_inputs(inputs));
  ES_TRY(exe->execute());
  ES_TRY(exe->copy_outputs(outputs));
  ES_TRY(exe->synchronize());
  return outputs;
}
#endif

// The backends the suite runs against: one line each (and the backend's library in CMakeLists.txt).
std::vector<Backend> backends() {
  std::vector<Backend> list = {
      {"ref", [](const Graph& g, std::span<const Tensor> in) { return ref::run_graph(g, in); }},
      {"cpu", [](const Graph& g, std::span<const Tensor> in) { return cpu::run_graph(g, in); }},
  };
#ifdef ES_HAVE_CUDA
  // The GPU with CPU fallback (what `--device cuda` runs); only where a GPU is visible.
  if (cuda::device_count() > 0) list.push_back({"cuda", run_on_cuda});
#endif
  return list;
}

struct Param {
  Backend backend;
  Case c;
};

// gtest prints failing parameters; show the case instead of the struct's bytes.
void PrintTo(const Param& p, std::ostream* os) { *os << p.backend.name << ":" << p.c.id; }

std::vector<Param> params(const std::vector<Case>& cases) {
  std::vector<Param> out;
  for (const Backend& b : backends())
    for (const Case& c : cases) out.push_back({b, c});
  return out;
}

std::string param_name(const testing::TestParamInfo<Param>& info) {
  std::string name = info.param.backend.name + "_" + info.param.c.id;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

const std::vector<KnownFailure>& known_failures() {
  static const Result<std::vector<KnownFailure>> list = load_known_failures(kKnownFailures);
  static const std::vector<KnownFailure> empty;
  return list.ok() ? *list : empty;
}

// Totals over the cases this process ran, printed when the run ends.
struct Tally {
  int passed = 0, failed = 0, unsupported = 0, known = 0;
  std::vector<std::string> failures;
};
Tally& tally() {
  static Tally t;
  return t;
}

class SummaryPrinter : public testing::Environment {
 public:
  void TearDown() override {
    const Tally& t = tally();
    if (t.passed + t.failed + t.unsupported + t.known == 0) return;
    std::printf("conformance: %d passed, %d failed, %d skipped (unsupported), %d known failures\n", t.passed,
                t.failed, t.unsupported, t.known);
    for (const std::string& f : t.failures) std::printf("  FAILED %s\n", f.c_str());
  }
};
const auto* const summary_printer = testing::AddGlobalTestEnvironment(new SummaryPrinter);

TEST(ConformanceKnownFailures, FileParsesAndEveryLineHasAReason) {
  Result<std::vector<KnownFailure>> list = load_known_failures(kKnownFailures);
  ASSERT_TRUE(list.ok()) << list.status().message();
}

TEST(ConformanceKnownFailures, MatchesByBackendAndCase) {
  const std::vector<KnownFailure> list{{"^ref:node/test_a$", std::regex("^ref:node/test_a$"), "reason"}};
  EXPECT_NE(find_known_failure(list, "ref", "node/test_a"), nullptr);
  EXPECT_EQ(find_known_failure(list, "cpu", "node/test_a"), nullptr);
  EXPECT_EQ(find_known_failure(list, "ref", "node/test_ab"), nullptr);
}

class Conformance : public testing::TestWithParam<Param> {};

TEST_P(Conformance, Run) {
  const Param& p = GetParam();
  const CaseResult r = run_case(p.c, p.backend.execute);
  const KnownFailure* known = find_known_failure(known_failures(), p.backend.name, p.c.id);
  const std::string id = p.backend.name + ":" + p.c.id;
  switch (r.outcome) {
    case Outcome::unsupported:
      ++tally().unsupported;
      GTEST_SKIP() << "unsupported: " << r.message;
    case Outcome::passed:
      ++tally().passed;
      if (known)
        ADD_FAILURE() << id << " passes but known_failures.txt lists it ('" << known->pattern
                      << "'): remove or narrow that line";
      return;
    case Outcome::failed:
      if (known) {
        ++tally().known;
        GTEST_SKIP() << "known failure (" << known->reason << "): " << r.message;
      }
      ++tally().failed;
      tally().failures.push_back(id + ": " + r.message);
      ADD_FAILURE() << r.message;
      return;
  }
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conformance);
INSTANTIATE_TEST_SUITE_P(Onnx, Conformance, testing::ValuesIn(params(list_cases(kTestData))), param_name);
// The real models of ../shared against ONNX Runtime's outputs: whole-network checks of every kernel.
INSTANTIATE_TEST_SUITE_P(SharedModels, Conformance,
                         testing::ValuesIn(params(list_model_cases(std::filesystem::path(ES_SHARED_DIR) / "reference",
                                                                   std::filesystem::path(ES_SHARED_DIR) / "models"))),
                         param_name);

}  // namespace
}  // namespace es::conformance
