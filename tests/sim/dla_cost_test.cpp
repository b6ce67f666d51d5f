// The DLA cost model against NVIDIA's own numbers (hardware.md §1.6) and the NVDLA behaviours of §1.3-§1.4.
#include "sim/dla_cost.h"
#include "sim/resnet50_layers.h"

#include <gtest/gtest.h>

namespace es::sim {
namespace {

// The spreadsheet's configuration (hardware.md §1.6). Its DRAM-only ResNet-50 sheet rounds K up to 128 and
// divides 3x3 MACs by 2.25 (Winograd, weights x16/9); C is rounded to 16. Its DRAM cycles are
// KB / (GB/s) x MHz with KB = 1024 bytes, i.e. its "10 GB/s" moves 10 KiB per µs = 10.24e9 bytes/s. It has no
// output-drain limit; FC layers run at batch 16 and count 1/16 per image.
DlaConfig spreadsheet(double macs, int64_t cbuf_kib, double dram_gb_s) {
  DlaConfig c;
  c.macs_per_clock = macs;
  c.channel_align = 16;
  c.kernel_align = 128;
  c.clock_ghz = 1;
  c.dram_gb_s = dram_gb_s * 1.024;
  c.cbuf_bytes = cbuf_kib * 1024;
  c.bytes_per_element = 1;
  c.winograd = true;
  c.stripe_min = 16;
  c.output_elements_per_clock = 0;
  return c;
}

struct NetworkCost {
  double ms = 0;
  double mac_utilisation = 0;  // the sheet's "HW MAC util": sum(MAC cycles) / total
};

NetworkCost resnet50(const DlaConfig& config) {
  double cycles = 0, mac = 0;
  for (const auto& l : testing::resnet50_dla_layers(16)) {
    DlaCost cost = dla_conv_cost(l.conv, config);
    double per_image = static_cast<double>(l.conv.batch);
    cycles += cost.cycles / per_image;
    mac += cost.mac_cycles / per_image;
  }
  return {cycles / (config.clock_ghz * 1e6), mac / cycles};
}

TEST(DlaCost, ReproducesTheNvdlaSpreadsheetResNet50) {
  // Sheet: 7.11 ms, HW MAC util 23 %. We get 7.06 ms, 22.8 %. The residual 0.7 % is within what the text of the
  // formulas leaves open (conv1's stride folding into 16 channels, the sheet's exact rounding of the K group
  // for min_wt), so 1.5 % is the tolerance: tight enough that any change of a formula (Winograd off: 6.49 ms;
  // K rounded to 16: 6.75 ms) fails.
  NetworkCost cost = resnet50(spreadsheet(2048, 512, 10));
  EXPECT_NEAR(cost.ms, 7.11, 7.11 * 0.015);
  EXPECT_NEAR(cost.mac_utilisation, 0.23, 0.01);
}

TEST(DlaCost, ReproducesThePrimerTable) {
  // doc/primer.rst, INT8 ResNet-50 at 1 GHz. The same sheet configuration gives +0.6 % for the 2048-MAC row
  // and +3.8..+6.7 % for the smaller ones (whose own atomic sizes and missing Winograd the primer's run may
  // have used; without Winograd they come out -8..0 %). 7 % covers every row with one configuration.
  struct Row { double macs; int64_t cbuf_kib; double dram_gb_s; double fps; };
  const Row rows[] = {{2048, 512, 20, 269}, {1024, 256, 15, 153}, {512, 256, 10, 93}, {256, 256, 5, 46},
                      {128, 256, 2, 20},    {64, 128, 1, 7.3},    {32, 128, 0.5, 3.6}};
  for (const Row& row : rows) {
    double fps = 1000.0 / resnet50(spreadsheet(row.macs, row.cbuf_kib, row.dram_gb_s)).ms;
    EXPECT_NEAR(fps, row.fps, row.fps * 0.07) << row.macs << " MACs";
  }
}

DlaConfig nv_full_int8() {
  DlaConfig c;
  c.macs_per_clock = 2048;
  c.channel_align = 64;
  c.kernel_align = 32;
  c.clock_ghz = 1;
  c.dram_gb_s = 1e6;  // out of the way: these tests look at the MAC side
  c.bytes_per_element = 1;
  return c;
}

DlaConv conv(int64_t c, int64_t hw, int64_t k, int64_t rs) {
  DlaConv l;
  l.c = c, l.h = l.w = hw, l.k = k, l.r = l.s = rs, l.out_h = l.out_w = hw;
  return l;
}

TEST(DlaCost, AlignsChannelsAndKernelsToTheAtomicSizes) {
  // C = 64, K = 32, 3x3 on 28x28: 64 x 32 x 9 x 784 MACs / 2048 = 7056 cycles, full utilisation.
  EXPECT_DOUBLE_EQ(dla_conv_cost(conv(64, 28, 32, 3), nv_full_int8()).mac_cycles, 7056);
  // C = 65 needs two atomic-C passes and K = 33 two kernel groups: 4x the cycles for ~1.05x the work.
  EXPECT_DOUBLE_EQ(dla_conv_cost(conv(65, 28, 33, 3), nv_full_int8()).mac_cycles, 4 * 7056);
}

TEST(DlaCost, FullyConnectedAtBatchOneRunsAtOneSixteenth) {
  DlaConv fc = conv(2048, 1, 1024, 1);
  double ideal = 2048.0 * 1024 / 2048;
  EXPECT_DOUBLE_EQ(dla_conv_cost(fc, nv_full_int8()).mac_cycles, ideal * 16);  // 6.25 % MAC efficiency
  fc.batch = 16;  // one stripe of 16 atomic ops: no weight-reload stall
  EXPECT_DOUBLE_EQ(dla_conv_cost(fc, nv_full_int8()).mac_cycles, ideal * 16);  // 16 images in the time of one
}

TEST(DlaCost, DepthwiseIsDenseOnV1AndNativeOnV2) {
  DlaConv dw = conv(256, 14, 256, 3);
  dw.groups = 256;
  DlaConfig v1 = nv_full_int8();
  DlaCost dense = dla_conv_cost(dw, v1);
  EXPECT_DOUBLE_EQ(dense.mac_cycles, dla_conv_cost(conv(256, 14, 256, 3), v1).mac_cycles);  // zero-padded weights
  EXPECT_DOUBLE_EQ(dense.useful_macs, 256.0 * 9 * 196);                                      // 1/C of it useful
  DlaConfig v2 = v1;
  v2.native_depthwise = true;
  v2.depthwise_macs_per_clock = 64;
  EXPECT_DOUBLE_EQ(dla_conv_cost(dw, v2).mac_cycles, 256.0 * 9 * 196 / 64);
}

TEST(DlaCost, Fp16RunsAtItsOwnRateWithTwiceTheBytes) {
  DlaConfig int8 = nv_full_int8();
  int8.dram_gb_s = 10;
  DlaConfig fp16 = int8;
  fp16.macs_per_clock = 1024;
  fp16.kernel_align = 16;
  fp16.bytes_per_element = 2;
  DlaConv l = conv(128, 28, 128, 1);
  DlaCost a = dla_conv_cost(l, int8), b = dla_conv_cost(l, fp16);
  EXPECT_DOUBLE_EQ(b.mac_cycles, 2 * a.mac_cycles);
  EXPECT_DOUBLE_EQ(b.dram_bytes, 2 * a.dram_bytes);
  // 128x28x28 in + 128x128 weights + 128x28x28 out, all fitting the CBUF.
  EXPECT_DOUBLE_EQ(a.dram_bytes, 128.0 * 784 * 2 + 128 * 128);
  EXPECT_TRUE(a.memory_bound());
  EXPECT_DOUBLE_EQ(a.time_us, a.dram_bytes / 10e3);
}

TEST(DlaCost, RefetchesWhenOperandsExceedTheConvolutionBuffer) {
  DlaConfig c = nv_full_int8();
  c.cbuf_bytes = 64 * 1024;
  // Input 64 x 64 x 64 = 256 KiB and weights 64 x 9 x 128 = 72 KiB do not fit 64 KiB together.
  DlaConv l = conv(64, 64, 128, 3);
  double in = 64.0 * 64 * 64, wt = 64.0 * 9 * 128, out = 128.0 * 64 * 64;
  // Weights resident: ceil(72 KiB / (64 KiB - 4 input rows of 4 KiB)) = 2 input passes -> 2 x in + wt.
  // Input resident: ceil(256 KiB / (64 KiB - one 32-kernel group of 18 KiB)) = 6 weight passes -> in + 6 x wt.
  EXPECT_DOUBLE_EQ(dla_conv_cost(l, c).dram_bytes, std::min(2 * in + wt, in + 6 * wt) + out);
}

TEST(DlaCost, OutputDrainLimitsShallowLayers) {
  // 1x1 with C = 64: one atomic op per output point per kernel group, 32 outputs per clock > 16 drained.
  DlaConfig c = nv_full_int8();
  c.output_elements_per_clock = 16;
  DlaConv l = conv(64, 28, 64, 1);
  EXPECT_DOUBLE_EQ(dla_conv_cost(l, c).mac_cycles, 784.0 * 64 / 16);
}

TEST(DlaCost, StandAlonePassesAreThroughputOrBandwidthBound) {
  DlaConfig c = nv_full_int8();
  c.dram_gb_s = 1;  // 1 byte per ns = 1 byte per clock at 1 GHz
  c.layer_overhead_us = 2;
  DlaCost pool = dla_pass_cost(DlaUnit::pdp, 8000, 800, 200, c);  // 1000 clk of PDP vs 1000 clk of DRAM
  EXPECT_DOUBLE_EQ(pool.cycles, 1000);
  EXPECT_DOUBLE_EQ(pool.time_us, 1 + 2);
  DlaCost add = dla_pass_cost(DlaUnit::sdp, 16000, 100, 100, c);  // SDP 16/clk: 1000 clk
  EXPECT_DOUBLE_EQ(add.cycles, 1000);
}

}  // namespace
}  // namespace es::sim
