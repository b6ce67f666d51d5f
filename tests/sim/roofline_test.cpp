#include "sim/roofline_cost.h"

#include <gtest/gtest.h>

namespace es::sim {
namespace {

RooflineConfig tensor_cores() {
  RooflineConfig c;
  c.peak_tflops = 20;       // 20 FLOP per ps = 2e7 FLOP per µs
  c.compute_fraction = 0.5; // 1e7 FLOP per µs achieved
  c.dram_gb_s = 200;
  c.dram_fraction = 0.5;    // 1e5 bytes per µs achieved
  c.launch_us = 4;
  c.tile_m = 64, c.tile_n = 64, c.tile_k = 32;
  return c;
}

TEST(Roofline, PadsMatrixWorkToWholeTiles) {
  // 100 x 65 x 40 pads to 128 x 128 x 64: 2 x 128 x 128 x 64 = 2,097,152 FLOPs -> 0.2097152 µs + 4 µs launch.
  KernelCost c = gemm_kernel_cost({100, 65, 40, 1}, 0, tensor_cores());
  EXPECT_DOUBLE_EQ(c.flops, 2.0 * 128 * 128 * 64);
  EXPECT_DOUBLE_EQ(c.time_us, 2.0 * 128 * 128 * 64 / 1e7 + 4);
  EXPECT_FALSE(c.memory_bound());
}

TEST(Roofline, BandwidthBoundKernels) {
  // 1 MB at 1e5 bytes/µs = 10 µs, beats 1e6 FLOPs at 1e7/µs = 0.1 µs.
  KernelCost c = stream_kernel_cost(1e6, 1e6, tensor_cores());
  EXPECT_TRUE(c.memory_bound());
  EXPECT_DOUBLE_EQ(c.time_us, 10 + 4);
}

TEST(Roofline, GroupsMultiplyTheWork) {
  RooflineConfig c = tensor_cores();
  c.tile_m = c.tile_n = c.tile_k = 1;
  EXPECT_DOUBLE_EQ(gemm_kernel_cost({196, 1, 9, 32}, 0, c).flops, 2.0 * 32 * 196 * 9);
}

TEST(Roofline, ThreadBlocksRunInWholeWaves) {
  RooflineConfig c = tensor_cores();
  c.wave_blocks = 8;  // 8 SMs, one 64 x 64 block each
  // 100 x 65 is 2 x 2 = 4 blocks: half a wave, which takes as long as a full one (8 blocks of 64 x 64 x 64).
  EXPECT_DOUBLE_EQ(gemm_kernel_cost({100, 65, 40, 1}, 0, c).flops, 8 * 2.0 * 64 * 64 * 64);
  // 200 x 130 is 4 x 3 = 12 blocks: two waves.
  EXPECT_DOUBLE_EQ(gemm_kernel_cost({200, 130, 40, 1}, 0, c).flops, 16 * 2.0 * 64 * 64 * 64);
  // Exactly one wave costs what the tiles cost without waves.
  EXPECT_DOUBLE_EQ(gemm_kernel_cost({256, 128, 64, 1}, 0, c).flops, gemm_kernel_cost({256, 128, 64, 1}, 0, tensor_cores()).flops);
  // Groups are blocks of their own: 4 groups of 100 x 65 are 16 blocks, two waves.
  EXPECT_DOUBLE_EQ(gemm_kernel_cost({100, 65, 40, 4}, 0, c).flops, 16 * 2.0 * 64 * 64 * 64);
}

TEST(Roofline, SmallProblemsShrinkTheTileAndMaySplitTheReduction) {
  RooflineConfig c = tensor_cores();
  c.wave_blocks = 8;
  // 8 rows shrink the 64-row tile to 16; 100 columns are 2 blocks of 64: 2 blocks of 16 x 64 x 2048.
  EXPECT_DOUBLE_EQ(gemm_kernel_cost({8, 100, 2048, 1}, 0, c).flops, 8 * 2.0 * 16 * 64 * 2048);
  // Split-K fills the wave instead: 8 / 2 = 4 splits of K = 512, one wave of 8 blocks of 16 x 64 x 512.
  c.split_k = true;
  EXPECT_DOUBLE_EQ(gemm_kernel_cost({8, 100, 2048, 1}, 0, c).flops, 8 * 2.0 * 16 * 64 * 512);
  // ... but never into pieces below one K tile (32): K = 40 splits into 2 of 20, each padded to 32.
  EXPECT_DOUBLE_EQ(gemm_kernel_cost({8, 100, 40, 1}, 0, c).flops, 8 * 2.0 * 16 * 64 * 32);
}

}  // namespace
}  // namespace es::sim
