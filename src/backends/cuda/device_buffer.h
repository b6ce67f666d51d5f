// Device memory a step owns outside the program's arena (a filter repacked for its kernel, a packed input).
#pragma once

#include "backends/cuda/cuda_check.h"
#include "base/status.h"

#include <memory>

namespace es::cuda {

struct DeviceFree {
  void operator()(void* p) const { cudaFree(p); }
};
using DeviceBuffer = std::unique_ptr<void, DeviceFree>;

// `bytes` of device memory, zeroed on `stream`.
inline Result<DeviceBuffer> zeroed_device_buffer(size_t bytes, cudaStream_t stream) {
  void* p = nullptr;
  ES_CUDA_TRY(cudaMalloc(&p, bytes));
  DeviceBuffer buffer(p);
  ES_CUDA_TRY(cudaMemsetAsync(p, 0, bytes, stream));
  return buffer;
}

}  // namespace es::cuda
