// Turning CUDA, cuDNN and cuBLAS (and cuBLASLt) error codes into es::Status (one line naming the call that failed).
#pragma once

#include "base/status.h"

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

namespace es::cuda {

inline Status check(cudaError_t e, const char* call) {
  if (e == cudaSuccess) return Status::ok_status();
  return error(e == cudaErrorMemoryAllocation ? StatusCode::resource : StatusCode::internal, "CUDA: {}: {}", call,
               cudaGetErrorString(e));
}
inline Status check(cudnnStatus_t e, const char* call) {
  if (e == CUDNN_STATUS_SUCCESS) return Status::ok_status();
  return error(StatusCode::internal, "cuDNN: {}: {}", call, cudnnGetErrorString(e));
}
inline Status check(cublasStatus_t e, const char* call) {
  if (e == CUBLAS_STATUS_SUCCESS) return Status::ok_status();
  return error(StatusCode::internal, "cuBLAS: {}: {}", call, cublasGetStatusString(e));
}

}  // namespace es::cuda

// Returns a Status from the enclosing function when a CUDA/cuDNN/cuBLAS call fails.
#define ES_CUDA_TRY(call) ES_TRY(::es::cuda::check((call), #call))
