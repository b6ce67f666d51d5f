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

KernelCost gemm_kernel_cost(const GemmShape& g, double bytes, const RooflineConfig& config) {
  ES_ASSERT(config.tile_m > 0 && config.tile_n > 0 && config.tile_k > 0);
  double flops = 2.0 * static_cast<double>(g.groups) * padded(g.m, config.tile_m) * padded(g.n, config.tile_n) *
                 padded(g.k, config.tile_k);
  return stream_kernel_cost(flops, bytes, config);
}

}  // namespace es::sim
