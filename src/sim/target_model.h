// The cost-model parameters of a target, read from its target file (targets/*.json): every number the
// simulator uses comes from there, with its source, so a calibrated target file changes the predictions
// without touching code. Missing parameters are errors that name the key.
#pragma once

#include "base/status.h"
#include "placement/target.h"
#include "sim/dla_cost.h"
#include "sim/roofline_cost.h"

#include <string>
#include <string_view>

namespace es::sim {

enum class Precision { fp32, fp16, int8 };
std::string_view precision_name(Precision p);
Result<Precision> parse_precision(std::string_view text);  // the error names --precision
int bytes_per_element(Precision p);

struct GpuParameters {
  double fp32_tflops = 0;         // CUDA cores
  double fp16_tensor_tflops = 0;  // dense
  double int8_tensor_tops = 0;    // dense
  double compute_efficiency = 0;  // achieved fraction of peak in convolution / GEMM kernels
  double dram_efficiency = 0;     // achieved fraction of the DRAM peak
  double kernel_launch_us = 0;
  double sms = 0;                  // streaming multiprocessors: a kernel's thread blocks run in waves of this many
  double tile_m = 0, tile_n = 0, tile_k = 0;
  double reformat_min_us = 0;     // shortest reformat (copy) kernel
  double sync_us = 0;             // a stream synchronisation wakes the host this long after the work ends
};

struct DlaParameters {
  double clock_ghz = 0;
  double int8_macs_per_clock = 0, fp16_macs_per_clock = 0;
  double atomic_c = 0;
  double cbuf_kib = 0;
  double dram_gb_s = 0;
  double layer_overhead_us = 0;
  double loadable_launch_us = 0;  // submitting one loadable (per inference)
  double loadable_load_ms = 0;    // loading one loadable onto the core (once, at set-up)
  double handoff_sync_us = 0;     // GPU -> DLA: the DLA task waits on the GPU's signal at a boundary
  double handoff_out_sync_us = 0; // DLA -> GPU: the GPU waits on the DLA's completion signal
  double stripe_min = 0;
  double output_elements_per_clock = 0;
  double sdp_elements_per_clock = 0, pdp_elements_per_clock = 0;
  double depthwise_macs_per_clock = 0;
  double winograd = 0;            // 1 when the convolution core has Winograd
};

// A host CPU running edgescope's own CPU backend (oneDNN): per-core peak and the achieved fractions of it per
// kernel class, so a calibration can fit them (`edgescope calibrate`).
struct CpuParameters {
  double cores = 0;                 // threads the backend uses by default (bench --threads 0)
  double clock_ghz = 0;
  double fp32_flops_per_clock = 0;  // per core: FMA pipes x SIMD lanes x 2
  double vector_lanes = 0;          // FP32 lanes of one vector register: channels are blocked by this
  double conv_efficiency = 0;       // achieved fraction of peak in dense convolutions and matrix products
  double winograd_efficiency = 0;   // ... in Winograd convolutions, on the direct convolution's FLOPs (can exceed 1)
  double depthwise_efficiency = 0;  // ... in grouped / depthwise convolutions
  // What one core streams in convolutions and matrix products, by the level their traffic (bytes read and
  // written) fits in: one core's L2, the L3 share (l3_kib), else beyond (bandwidth_gb_s). The sweep of
  // docs/validation/cpu_sweep.py shows a 3x3 depthwise layer at 0.25-6 MB streaming 35-50 GB/s, past 8 MB 15-25.
  double bandwidth_gb_s = 0;
  double conv_l2_bandwidth_gb_s = 0, conv_l3_bandwidth_gb_s = 0;
  // A direct convolution of fewer than 8 input channels (an RGB stem, reading a plain layout): its own fraction
  // of the peak, below conv_efficiency (the sweep's stride-2 3 -> 16 stem: 5-7 ns per output pixel at every size).
  double stem_efficiency = 0;
  // edgescope's fused inverted residual blocks (InvertedResidual) run their layers' arithmetic at this fraction
  // of the rates oneDNN's convolutions of those classes reach: its own AVX-512 kernel, which the sweep's oneDNN
  // layers do not measure (with the sweep in the calibration MobileNetV2's 13 blocks came out 12 % short).
  double fused_block_rate = 0;
  // The fixed costs per call of a model whose constants and live activations fit in the L2 together (every
  // kernel finds its code, descriptors, weights and data where the previous inference left them), as a fraction
  // of those of the cold calls in larger models (docs/validation.md, "This CPU").
  double warm_call_fraction = 0;
  // Element-wise, pooling and data-movement kernels stream their traffic (bytes read and written) at the rate
  // of the level of the memory hierarchy it fits in: one core's L2, the L3 share, else DRAM.
  double l2_kib = 0, l3_kib = 0;
  double stream_l2_bandwidth_gb_s = 0, stream_l3_bandwidth_gb_s = 0, stream_dram_bandwidth_gb_s = 0;
  double reorder_efficiency = 0;          // layout conversions (Reorder): this fraction of that streaming rate
  double vector_math_ns_per_element = 0;  // a transcendental function (Sigmoid, Exp, ...) in oneDNN's vector code
  double broadcast_ns_per_element = 0;    // oneDNN's binary op with a per-channel operand ([1,C,1,1])
  double broadcast_row_ns = 0;  // oneDNN's binary op broadcasting over a tensor of rank <= 3: per call on a row
  // Fixed time per call, by who runs the kernel: oneDNN's convolutions and matrix products (blocking set-up),
  // its element-wise, binary and pooling primitives, its Reorders, and scalar reference code (edgescope's
  // reference kernels, oneDNN's ref:any).
  double matrix_overhead_us = 0, eltwise_overhead_us = 0, reorder_overhead_us = 0, reference_overhead_us = 0;
  // Kernels the backend runs as scalar code cost a time per element (sim/native_plan.cpp says which elements),
  // set by what they compute for each: edgescope's reference kernels
  double reference_ns_per_element = 0;         // index arithmetic (Slice, Transpose, Gather, reductions, ...)
  double reference_run_ns = 0;  // and per contiguous run its copies handle one at a time (sim/kernel_class.h)
  double reference_math_ns_per_element = 0;    // a transcendental function (Softmax, Pow, Exp, ...)
  double resize_ns_per_element = 0;            // Resize: source coordinates and taps over every axis
  double onednn_reference_ns_per_element = 0;  // oneDNN's reference implementations ("ref:any")
};

// edgescope's CUDA backend on the target's GPU (`--device cuda`): the achieved fractions of the gpu group's
// peaks per kind of math, and what each kernel costs besides its work. A profile's layer time is the time
// between CUDA events around the kernel, so at batch 1 it includes the host's enqueue of the kernel.
struct CudaParameters {
  // cuBLAS / cuBLASLt products (1x1 and im2col convolutions, Gemm, MatMul) and own kernels' arithmetic: FP32 on
  // CUDA cores (FMA math), FP16 on tensor cores
  double fp32_efficiency = 0;
  double tensor_efficiency = 0;
  double dram_efficiency = 0;    // memory-bound kernels: element-wise, pooling, depthwise, data movement
  double kernel_us = 0;          // per kernel of its own: launch and host enqueue
  double library_call_us = 0;    // per cuDNN / cuBLAS call (convolutions, GEMMs): its host-side set-up besides
  double graph_kernel_us = 0;    // per kernel of its own replayed in a CUDA Graph: no host launch, the GPU's gap
  // A layer of a profile timed inside a replayed graph also holds the event node after it (bench --cuda-graph
  // --profile-layers): measurement, not inference, so calibration adds it to such layers alone.
  double graph_event_us = 0;
  // The backend's own element-wise and data-movement kernels, per element written over the whole GPU: they take
  // as long in FP16 as in FP32, so their work per element bounds them, not DRAM. Those that walk an N-d index
  // over strides (binary ops with broadcasting, Concat, Slice, Transpose, Expand) and the flat unary ones.
  double strided_ns_per_element = 0;
  double eltwise_ns_per_element = 0;
  // cuDNN's convolution kernels, FP32 (FMA) and FP16 (tensor cores): another library than the products, which
  // reaches another fraction of the same peaks; the profiles name which ran each convolution.
  double cudnn_fp32_efficiency = 0;
  double cudnn_tensor_efficiency = 0;
  // cuDNN's operation graphs ("cudnn-graph:ENGINE", tensor cores): the convolution and its epilogue (bias,
  // residual, ReLU or Clip(0, hi)) in one kernel of cuDNN's engines, not its legacy API's kernels: a fraction of
  // the tensor cores' peak of their own, and a time per kernel beyond a library kernel's. Fitted to the H100's
  // calibration profiles of 374f56b (61 of their FP16 convolutions ran as graphs in the first call's round 1):
  // 1.27 and 0.92 µs, the legacy kernels 0.73 (docs/validation.md, "The H100"). Above 1 because the waves are
  // counted in the gpu group's tiles, which are not the graph engines' own.
  double cudnn_graph_efficiency = 0;
  double cudnn_graph_us = 0;
  // cuBLAS/cuBLASLt's FP32 products (CUDA cores) take this long per element of their reduction K beyond the
  // wave model of their arithmetic: at small sizes the walk along K, not the arithmetic, sets their time. At
  // batch 1 ResNet-50's FP32 1x1 products take twice as long as its FP16 ones of the same shapes (16 against
  // 7 µs a layer, K = 1024), YOLOX-nano's FP32 1x1 products of 128 outputs on 13x13 maps 5.7 µs with K = 128
  // and 8.7 µs with K = 256, where the FLOPs split over the SMs would take under a microsecond
  // (docs/validation.md, "The H100").
  double fp32_k_ns = 0;
  // The same for FP16 products on tensor cores: at batch 1 ResNet-50's 1x1 products took 7.0 µs against 6.2
  // predicted with K = 1024 and 8.6 against 6.7 with K = 2048, its 3x3 im2col products (K = 2304, 4608) 10.2-11.7
  // against 8.9-9.9, those with K = 256 within 8 % (calibration profile, docs/validation.md, "The H100").
  double tensor_k_ns = 0;
  // Per cuDNN / cuBLAS kernel replayed in a CUDA Graph, in place of graph_kernel_us: the libraries' kernels take
  // longer to start and drain than the backend's own (ResNet-50's FP16 products at batch 1: ~4 µs a layer
  // beyond their arithmetic and the profile's event; YOLOX-nano's Sigmoid and Mul kernels ~1 µs).
  double graph_library_us = 0;
  // The backend's own depthwise kernel (one thread per output vector, FP32 accumulation in every precision, a
  // filter load per tap): this fraction of the CUDA cores' FP32 peak, in FP16 as in FP32. Priced as traffic
  // at the DRAM rate it came out at half its measured time in every calibration model (MobileNetV2 batch 1
  // FP16: 0.075 ms measured for its 17 depthwise layers, 0.042 ms predicted).
  double depthwise_efficiency = 0;
  // ... and this long per kernel beyond a kernel's fixed time (a floor its small maps do not go under; the
  // measurements show the floor, not its cause: perhaps each thread's chain of tap loads). In the batch-1 calibration
  // profiles the small depthwise layers took 3.6-4.5 µs beyond their event where 2.1-2.9 was predicted
  // (YOLOX-nano FP16: 30 layers, 126 µs measured, 85 predicted; MobileNetV2 FP32: 17, 80 and 63), while the
  // backend's element-wise kernels of the same profiles were over (docs/validation.md, "The H100").
  double depthwise_us = 0;
  // The backend's fused stem and MaxPool (backends/cuda/stem_conv_pool.h, FP16 mma.sync with f32 accumulation):
  // this fraction of the tensor cores' FP16 peak over the products it executes, zero padding and the 15 x 16
  // convolution outputs each 7 x 7 tile of pooled outputs computes included, in waves of two blocks per SM.
  double stem_efficiency = 0;
};

struct MemoryParameters {
  double dram_gb_s = 0;
  double host_copy_gb_s = 0;      // a network input or output between host and device buffers, on one host core
  double copy_latency_us = 0;     // per copy call
  // edgescope's CUDA backend stages a copy through pinned memory, large ones on several cores
  // (base/parallel_copy.h), and the copy engine moves it at dma_gb_s: host_copy_gb_s is the two in sequence with
  // one core staging, and only the staging part divides among the pieces. 0 and 0: one rate for every copy.
  double dma_gb_s = 0;
  double staging_threads = 0;
  // The most the host stages per second with several pieces at once (its memory bandwidth, shared with the
  // rest of the machine); 0: no ceiling. On the H100 machine 4 pieces staged 31 GB/s in one call and 18 in
  // the other where one core stages 11.6 (ResNet-50 batch 32's 19.3 MB input; docs/validation.md, "The H100").
  double staging_gb_s = 0;
};

// The rate at which a copy of `bytes` moves, staging pieces included (MemoryParameters).
double host_copy_rate_gb_s(const MemoryParameters& m, double bytes);

struct TargetModel {
  std::string name;
  int dla_cores = 0;
  int dla_version = 0;
  GpuParameters gpu;
  DlaParameters dla;  // zero when the target has no DLA
  CpuParameters cpu;  // zero when the target file has no cpu group
  CudaParameters cuda;  // zero when the target file has no cuda group
  MemoryParameters memory;
  bool has_gpu = false, has_cpu = false, has_cuda = false;
};

// A target file's parameters as the simulator reads them. A group is read when the file has any parameter of
// it: the gpu group (required unless the target is CPU-only), the cpu and cuda groups, the dla group with
// dla.cores > 0.
Result<TargetModel> target_model(const placement::Target& target);

// The simulator's number behind a target-file key ("gpu.compute_efficiency"), or null for keys it does not
// read. Calibration changes parameters through it.
double* model_parameter(TargetModel& model, std::string_view key);

// The GPU's roofline for one kernel: tensor-core work (`matrix`) is tile-quantised; FP32 convolutions run as
// TF32 on tensor cores (trtexec's default on Ampere), other kernels on CUDA cores.
RooflineConfig gpu_roofline(const TargetModel& target, Precision precision, bool matrix);
DlaConfig dla_config(const TargetModel& target, Precision precision);

}  // namespace es::sim
