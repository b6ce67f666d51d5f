// An NVTX injection library for tests, standing in for Nsight Systems where the GPU machine has none:
// a program's NVTX (v3, header-only) loads the library named by NVTX_INJECTION64_PATH at its first NVTX
// call and calls InitializeInjectionNvtx2, which here takes over nvtxRangePushA and nvtxRangePop (the
// calls the CUDA backend makes) and appends each to the file named by ES_NVTX_RECORD, flushed line by
// line so that the program can read it back while it runs: "push NAME" and "pop", in call order.
#define NVTX_NO_IMPL
#include <nvtx3/nvToolsExt.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace {

std::mutex mutex;
FILE* record = nullptr;
thread_local int depth = 0;

// nvtxRangePushA returns the zero-based level of the range it starts; nvtxRangePop the level it ends.
int push_a(const char* message) {
  const std::lock_guard lock(mutex);
  std::fprintf(record, "push %s\n", message);
  return depth++;
}

int pop() {
  const std::lock_guard lock(mutex);
  std::fputs("pop\n", record);
  return --depth;
}

}  // namespace

// Each NVTX instance in the process (the program's, any library's own) calls this once; the record file is
// opened by the first.
extern "C" __attribute__((visibility("default"))) int InitializeInjectionNvtx2(NvtxGetExportTableFunc_t get_table) {
  const char* path = std::getenv("ES_NVTX_RECORD");
  const auto* callbacks = static_cast<const NvtxExportTableCallbacks*>(get_table(NVTX_ETID_CALLBACKS));
  NvtxFunctionTable table = nullptr;
  unsigned int size = 0;
  if (path == nullptr || callbacks == nullptr ||
      !callbacks->GetModuleFunctionTable(NVTX_CB_MODULE_CORE, &table, &size) || size <= NVTX_CBID_CORE_RangePop)
    return 0;
  {
    const std::lock_guard lock(mutex);
    if (record == nullptr) {
      record = std::fopen(path, "w");
      if (record == nullptr) return 0;
      std::setvbuf(record, nullptr, _IOLBF, 0);
    }
  }
  *table[NVTX_CBID_CORE_RangePushA] = reinterpret_cast<NvtxFunctionPointer>(push_a);
  *table[NVTX_CBID_CORE_RangePop] = reinterpret_cast<NvtxFunctionPointer>(pop);
  return 1;
}
