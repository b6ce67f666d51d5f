#include "sim/roofline_cost.h"

#include "base/assert.h"

#include <algorithm>

namespace es::sim {
namespace {

double padded(int64_t v, int64_t tile) { return static_cast<double>((v + tile - 1) / tile * tile); }

}  // namespace

KernelCost stream_kernel_cost(double flops, double bytes, const RooflineConfig& config) {
  ES_ASSERT(config.peak_tflops > 0 && config.compute_fraction > 0 && config.dram_gb_s > 0 && config.dram_fraction > 0);
  KernelCost cost;
  cost.flops = flops;
  cost.bytes = bytes;
  cost.compute_us = flops / (config.peak_tflops * 1e6 * config.compute_fraction);
  cost.memory_us = bytes / (config.dram_gb_s * 1e3 * config.dram_fraction);
  cost.time_us = std::max(cost.compute_us, cost.memory_us) + config.launch_us;
  return cost;
}

int64_t blocks(int64_t v, int64_t tile) { return (v + tile - 1) / tile; }

KernelCost gemm_kernel_cost(const GemmShape& g, double bytes, const RooflineConfig& config) {
  ES_ASSERT(config.tile_m > 0 && config.tile_n > 0 && config.tile_k > 0 && config.wave_blocks >= 0);
  if (config.wave_blocks == 0) {
    double flops = 2.0 * static_cast<double>(g.groups) * padded(g.m, config.tile_m) * padded(g.n, config.tile_n) *
                   padded(g.k, config.tile_k);
    return stream_kernel_cost(flops, bytes, config);
  }
  constexpr int64_t kSmallestTile = 16;
  const int64_t tile_m = std::min<int64_t>(config.tile_m, static_cast<int64_t>(padded(g.m, kSmallestTile)));
  const int64_t tile_n = std::min<int64_t>(config.tile_n, static_cast<int64_t>(padded(g.n, kSmallestTile)));
  const int64_t tiles = g.groups * blocks(g.m, tile_m) * blocks(g.n, tile_n);
  const int64_t split_k = config.split_k ? std::clamp<int64_t>(config.wave_blocks / tiles, 1, blocks(g.k, config.tile_k)) : 1;
  const int64_t k_per_block = blocks(g.k, split_k);
  const int64_t waves = blocks(tiles * split_k, config.wave_blocks);
  const double flops = 2.0 * static_cast<double>(waves * config.wave_blocks * tile_m * tile_n) *
                       padded(k_per_block, config.tile_k);
  return stream_kernel_cost(flops, bytes, config);
}

}  // namespace es::sim
