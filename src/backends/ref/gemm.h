// The one matrix-multiply loop of the reference backend (Conv via im2col, ConvTranspose, Gemm, MatMul).
// Plain C++ so it is obviously correct, blocked just enough that a ResNet-50 forward takes seconds:
// a K x N panel of B stays in cache while four rows of C are updated per pass, and the contiguous
// inner loop over N is left to the compiler's vectoriser.
#pragma once

#include <algorithm>
#include <cstdint>

namespace es::ref {

// C[M,N] += A[M,K] * B[K,N]; row-major with leading dimensions lda/ldb/ldc (in elements).
template <typename T>
void gemm_accumulate(int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B, int64_t ldb, T* C,
                     int64_t ldc) {
  constexpr int64_t kBlockN = 256;
  constexpr int64_t kBlockK = 128;
  for (int64_t n0 = 0; n0 < N; n0 += kBlockN) {
    const int64_t nn = std::min(N, n0 + kBlockN) - n0;
    for (int64_t k0 = 0; k0 < K; k0 += kBlockK) {
      const int64_t k1 = std::min(K, k0 + kBlockK);
      int64_t m = 0;
      for (; m + 4 <= M; m += 4) {
        T* __restrict c0 = C + m * ldc + n0;
        T* __restrict c1 = c0 + ldc;
        T* __restrict c2 = c1 + ldc;
        T* __restrict c3 = c2 + ldc;
        const T* a = A + m * lda;
        for (int64_t k = k0; k < k1; ++k) {
          const T a0 = a[k], a1 = a[lda + k], a2 = a[2 * lda + k], a3 = a[3 * lda + k];
          const T* __restrict b = B + k * ldb + n0;
          for (int64_t n = 0; n < nn; ++n) {
            const T bv = b[n];
            c0[n] += a0 * bv;
            c1[n] += a1 * bv;
            c2[n] += a2 * bv;
            c3[n] += a3 * bv;
          }
        }
      }
      for (; m < M; ++m) {
        T* __restrict c = C + m * ldc + n0;
        const T* a = A + m * lda;
        for (int64_t k = k0; k < k1; ++k) {
          const T av = a[k];
          const T* __restrict b = B + k * ldb + n0;
          for (int64_t n = 0; n < nn; ++n) c[n] += av * b[n];
        }
      }
    }
  }
}

}  // namespace es::ref
