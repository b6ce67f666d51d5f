// The DLA's cost per hardware layer, NVDLA style (../shared/docs/hardware.md §1.3, §1.6): a fused convolution
// pipeline (CDMA -> CBUF -> CSC -> CMAC -> CACC -> SDP (-> PDP)) takes
//   max(MAC cycles aligned to the atomic sizes, DRAM bytes / bandwidth with re-fetch past the CBUF)
// plus a per-layer programming overhead. The formulas are those of NVIDIA's open performance spreadsheet
// (nvdla/hw perf/NVDLA_OpenSource_Performance.xlsx), generalised by a few parameters so the same code models
// the spreadsheet (alignment 16/16, no drain limit), NVDLA v1 (Xavier) and DLA 2.0 (Orin).
#pragma once

#include <cstdint>

namespace es::sim {

struct DlaConfig {
  double macs_per_clock = 2048;  // at the layer's precision
  int64_t channel_align = 64;    // atomic-C: input channels one atomic op reduces (spreadsheet: 16)
  int64_t kernel_align = 32;     // atomic-K: kernels one atomic op feeds (spreadsheet: 16)
  double clock_ghz = 1.0;
  double dram_gb_s = 10;          // bandwidth one DLA draws alone (10^9 bytes/s)
  int64_t cbuf_bytes = 512 * 1024;
  int bytes_per_element = 1;      // feature data and weights
  bool winograd = false;          // 3x3 stride-1 convolutions run with 2.25x fewer MACs, weights x16/9
  // DLA 2.0 runs depthwise natively at `depthwise_macs_per_clock`; NVDLA v1's compiler zero-pads each
  // group's weights to all input channels, so the layer costs a dense C x C convolution (hardware.md §1.4).
  bool native_depthwise = false;
  double depthwise_macs_per_clock = 64;
  // A stripe shorter than this many atomic ops stalls on the next weights: FC at batch 1 runs at 1/16.
  int64_t stripe_min = 16;
  double output_elements_per_clock = 0;  // CACC -> SDP drain (16/clk on nv_full); 0 = no limit
  double sdp_elements_per_clock = 16;    // stand-alone SDP (bias, scale, activation, element-wise)
  double pdp_elements_per_clock = 8;     // stand-alone PDP (pooling)
  double layer_overhead_us = 0;          // programming one hardware layer, not hidden by the ping-pong registers
};

// One convolution hardware layer (fully connected = 1x1 convolution on a 1x1 input). Dimensions are NCHW.
struct DlaConv {
  int64_t batch = 1;
  int64_t c = 0, h = 0, w = 0;  // input
  int64_t k = 0, r = 1, s = 1;  // kernels and their height/width
  int64_t stride_h = 1, stride_w = 1;
  int64_t out_h = 0, out_w = 0;        // convolution output
  int64_t pooled_h = 0, pooled_w = 0;  // written to memory (a fused PDP shrinks it); 0 = out_h/out_w
  int64_t groups = 1;
  bool eltwise = false;  // fused residual add: the second operand is read as well
};

struct DlaCost {
  double mac_cycles = 0;   // with alignment, stripe stalls and output drain
  double dram_bytes = 0;   // with re-fetch
  double dram_cycles = 0;
  double cycles = 0;       // max of the two
  double time_us = 0;      // cycles / clock + layer overhead
  double useful_macs = 0;  // the layer's own MACs (for utilisation)
  bool memory_bound() const { return dram_cycles > mac_cycles; }
};

DlaCost dla_conv_cost(const DlaConv& layer, const DlaConfig& config);

// A memory-to-memory SDP or PDP pass over `elements` outputs that reads `read_bytes` and writes
// `write_bytes`.
enum class DlaUnit { sdp, pdp };
DlaCost dla_pass_cost(DlaUnit unit, double elements, double read_bytes, double write_bytes, const DlaConfig& config);

}  // namespace es::sim
