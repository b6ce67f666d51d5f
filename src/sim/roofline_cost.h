// The cost of one kernel on a GPU or CPU: a roofline over the fused kernel (hardware.md §6.2),
//   max(FLOPs / (peak x achieved fraction), bytes / (DRAM bandwidth x achieved fraction)) + launch overhead,
// where matrix-shaped work on tensor cores is first padded to whole tiles (M, N, K rounded up to the tile).
// On a GPU the tiles are thread blocks that run in waves, one per SM (`wave_blocks`): a kernel of few blocks
// leaves SMs idle and takes as long as a full wave, so its executed work is padded to whole waves. As the
// libraries do for small problems, a tile shrinks to the problem (down to 16, a tensor-core MMA); a GEMM of
// fewer tiles than SMs may split its reduction K over more blocks (split-K, as cuBLAS does) to fill the wave.
#pragma once

#include <cstdint>

namespace es::sim {

struct RooflineConfig {
  double peak_tflops = 1;        // dense peak of the units the kernel runs on, at its precision
  double compute_fraction = 1;   // achieved fraction of that peak
  double dram_gb_s = 100;        // peak DRAM bandwidth
  double dram_fraction = 1;      // achieved fraction of it
  double launch_us = 0;          // per kernel
  int64_t tile_m = 1, tile_n = 1, tile_k = 1;  // tensor-core tile; 1 = no quantisation (CUDA cores, CPU)
  int64_t wave_blocks = 0;  // tiles that run at once (the SMs); 0 = no wave quantisation (CPU, TensorRT plan)
  bool split_k = false;     // with waves: split K to fill a wave
};

// An implicit GEMM: M x N outputs, each a dot product of length K (a convolution: M = batch x out pixels,
// N = output channels per group, K = input channels per group x kernel area), `groups` independent GEMMs.
struct GemmShape {
  int64_t m = 1, n = 1, k = 1, groups = 1;
};

struct KernelCost {
  double flops = 0;        // executed, after tile padding
  double bytes = 0;
  double compute_us = 0;   // FLOPs at the achieved peak
  double memory_us = 0;    // bytes at the achieved bandwidth
  double time_us = 0;      // max of the two + launch
  bool memory_bound() const { return memory_us > compute_us; }
};

KernelCost gemm_kernel_cost(const GemmShape& gemm, double bytes, const RooflineConfig& config);
// Element-wise, pooling, reduction and copy kernels: `flops` of arithmetic over `bytes` of traffic.
KernelCost stream_kernel_cost(double flops, double bytes, const RooflineConfig& config);

}  // namespace es::sim
