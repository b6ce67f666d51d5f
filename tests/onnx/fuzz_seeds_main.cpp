// Writes the fuzzer's seed corpus: onnx_fuzz_seeds DIR
#include "fuzz_seeds.h"

#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  int index = 0;
  for (const std::string& seed : es::onnx_test::fuzz_seed_models()) {
    std::ofstream out(std::string(argv[1]) + "/seed_" + std::to_string(index++) + ".onnx", std::ios::binary);
    out << seed;
    if (!out) {
      std::fprintf(stderr, "cannot write to %s\n", argv[1]);
      return 1;
    }
  }
  return 0;
}
