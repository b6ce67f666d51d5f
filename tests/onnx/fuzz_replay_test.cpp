// Deterministic fuzzing without libFuzzer: thousands of truncated and bit-flipped versions of the seed
// models go through the fuzzer's entry point; the test fails if any crashes, aborts or hangs.
#include "fuzz_seeds.h"
#include "onnx/onnx_import.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace es::onnx_test {
namespace {

int feed(const std::string& bytes) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(FuzzReplay, MutatedSeedsNeverCrash) {
  const std::vector<std::string> seeds = fuzz_seed_models();
  ASSERT_GE(seeds.size(), 2u);
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&] { return state = state * 6364136223846793005ull + 1442695040888963407ull, state >> 33; };
  for (const std::string& seed : seeds) {
    ASSERT_FALSE(seed.empty());
    feed(seed);
    for (int i = 1; i <= 16; ++i) feed(seed.substr(0, seed.size() * i / 17));
    for (int i = 0; i < 120; ++i) {
      std::string m = seed;
      m[next() % m.size()] ^= static_cast<char>(1u << (next() % 8));
      if (i % 3 == 0) m[next() % m.size()] = static_cast<char>(std::initializer_list<int>{0, 0x7f, 0x80, 0xff}.begin()[next() % 4]);
      if (i % 5 == 0) m.insert(next() % m.size(), m.substr(next() % m.size(), 8));
      feed(m);
    }
  }
}

// The seeds are worth mutating only if they get deep into the importer.
TEST(FuzzReplay, HandBuiltSeedsImport) {
  const std::vector<std::string> seeds = fuzz_seed_models();
  auto legacy = onnx_io::import_bytes(seeds.at(0), ".", {}, "legacy seed");
  EXPECT_TRUE(legacy.ok()) << legacy.status().message();
  auto modern = onnx_io::import_bytes(seeds.at(1), "/nonexistent-fuzz-folder", {}, "modern seed");
  EXPECT_EQ(modern.status().code(), StatusCode::not_found) << modern.status().message();
  EXPECT_NE(modern.status().message().find("initializer 'w'"), std::string::npos) << modern.status().message();
}

}  // namespace
}  // namespace es::onnx_test
