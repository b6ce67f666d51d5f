// Seed models for the importer fuzzer and its deterministic replay test: small hand-built models that
// reach the legacy handlers, Constant, external data and dynamic dims, plus a few ONNX node tests.
#pragma once

#include <string>
#include <vector>

namespace es::onnx_test {

std::vector<std::string> fuzz_seed_models();

}  // namespace es::onnx_test
