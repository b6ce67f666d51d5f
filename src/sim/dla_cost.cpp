#include "sim/dla_cost.h"

#include "base/assert.h"

#include <algorithm>
#include <cmath>

namespace es::sim {
namespace {

int64_t align_up(int64_t v, int64_t a) { return (v + a - 1) / a * a; }
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Bytes moved for a layer whose operands may not both fit the convolution buffer: then one operand stays
// resident in chunks and the other is fetched again for every chunk; the cheaper order wins (spreadsheet).
double dram_traffic(double in, double min_in, double wt, double min_wt, double out, double cbuf) {
  if (in + wt <= cbuf) return in + wt + out;
  double weight_passes = std::ceil(wt / std::max(cbuf - min_in, 1.0));  // weights resident, input re-read
  double input_passes = std::ceil(in / std::max(cbuf - min_wt, 1.0));   // input resident, weights re-read
  return std::min(in * weight_passes + wt, in + wt * input_passes) + out;
}

void finish(DlaCost& cost, const DlaConfig& config) {
  cost.dram_cycles = cost.dram_bytes / (config.dram_gb_s * 1e9) * config.clock_ghz * 1e9;
  cost.cycles = std::max(cost.mac_cycles, cost.dram_cycles);
  cost.time_us = cost.cycles / (config.clock_ghz * 1e3) + config.layer_overhead_us;
}

}  // namespace

DlaCost dla_conv_cost(const DlaConv& L, const DlaConfig& config) {
  ES_ASSERT(L.c > 0 && L.k > 0 && L.groups > 0 && L.c % L.groups == 0 && L.out_h > 0 && L.out_w > 0);
  const int64_t sy = L.stride_h, sx = L.stride_w;
  const int64_t b = config.bytes_per_element;
  const int64_t atom = std::max<int64_t>(1, 32 / b);  // channels per 32-byte memory atom (kCHW32 / kCHW16)
  const bool native_grouped = L.groups > 1 && config.native_depthwise;
  const double points = static_cast<double>(L.batch * L.out_h * L.out_w);

  DlaCost cost;
  cost.useful_macs = points * static_cast<double>(L.k * (L.c / L.groups) * L.r * L.s);

  // MAC cycles. The stride is folded into the channels (as the spreadsheet and image mode do); on v1 a grouped
  // convolution is the dense one over all C channels (zero-padded weights).
  const int64_t cx = align_up(L.c * sy * sx, config.channel_align);
  double winograd = config.winograd && L.r == 3 && L.s == 3 && sy == 1 && sx == 1 ? 2.25 : 1.0;
  if (native_grouped) {
    cost.mac_cycles = cost.useful_macs / config.depthwise_macs_per_clock;
    winograd = 1.0;
  } else {
    cost.mac_cycles = static_cast<double>(cx) * points * static_cast<double>(align_up(L.k, config.kernel_align)) *
                      static_cast<double>(L.r * L.s) / static_cast<double>(sy * sx) / config.macs_per_clock / winograd;
  }
  if (config.stripe_min > 0 && points < static_cast<double>(config.stripe_min))
    cost.mac_cycles *= static_cast<double>(config.stripe_min) / points;
  if (config.output_elements_per_clock > 0)
    cost.mac_cycles = std::max(cost.mac_cycles, points * static_cast<double>(L.k) / config.output_elements_per_clock);

  // DRAM bytes: input cube, weights, output cube (after a fused pooling), re-fetch past the CBUF.
  const double in_row = static_cast<double>(align_up(L.c * sy * sx, atom) * ceil_div(L.w, sx) * b);
  const double in = in_row * static_cast<double>(ceil_div(L.h, sy) * L.batch);
  const double min_in = in_row * static_cast<double>(std::min(L.r + 1, ceil_div(L.h, sy)));
  const double per_kernel = native_grouped
                                ? static_cast<double>((L.c / L.groups) * L.r * L.s * b)
                                : static_cast<double>(cx * ceil_div(L.r, sy) * ceil_div(L.s, sx) * b) * (winograd > 1 ? 16.0 / 9.0 : 1.0);
  const double wt = per_kernel * static_cast<double>(L.k);
  const double cbuf = static_cast<double>(config.cbuf_bytes);
  const double min_wt = std::min(per_kernel * static_cast<double>(std::min(L.k, config.kernel_align)), cbuf / 2);
  const int64_t ph = L.pooled_h > 0 ? L.pooled_h : L.out_h, pw = L.pooled_w > 0 ? L.pooled_w : L.out_w;
  const double out = static_cast<double>(L.batch * ph * pw * align_up(L.k, atom) * b);
  cost.dram_bytes = dram_traffic(in, min_in, wt, min_wt, out, cbuf) + (L.eltwise ? out : 0.0);
  finish(cost, config);
  return cost;
}

DlaCost dla_pass_cost(DlaUnit unit, double elements, double read_bytes, double write_bytes, const DlaConfig& config) {
  DlaCost cost;
  double throughput = unit == DlaUnit::sdp ? config.sdp_elements_per_clock : config.pdp_elements_per_clock;
  ES_ASSERT(throughput > 0);
  cost.mac_cycles = elements / throughput;
  cost.dram_bytes = read_bytes + write_bytes;
  finish(cost, config);
  return cost;
}

}  // namespace es::sim
