// libFuzzer entry point for the importer (built with clang by the onnx_import_fuzzer target, and linked
// into onnx_fuzz_replay_test under gcc). Any bytes must give a graph or a Status: no crash, abort or
// hang. A graph that imports must also survive export and re-import.
#include "base/log.h"
#include "onnx/onnx_export.h"
#include "onnx/onnx_import.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  es::log::set_level(es::log::Level::quiet);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (bool checker : {false, true}) {
    es::onnx_io::ImportOptions options;
    options.run_checker = checker;
    // External data is looked up in a folder that does not exist, so every location is "not found".
    auto graph = es::onnx_io::import_bytes(bytes, "/nonexistent-fuzz-folder", options, "<fuzz>");
    if (!graph.ok()) continue;
    auto exported = es::onnx_io::export_bytes(*graph);
    if (exported.ok()) (void)es::onnx_io::import_bytes(*exported, "/nonexistent-fuzz-folder", options, "<re-export>");
  }
  return 0;
}
