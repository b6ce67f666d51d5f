#include "sim/target_model.h"

#include "base/assert.h"
#include "base/parallel_copy.h"

#include <algorithm>

namespace es::sim {
namespace {

template <typename Group>
struct Field {
  const char* key;
  double Group::*member;
};

constexpr Field<GpuParameters> gpu_fields[] = {
    {"gpu.fp32_tflops", &GpuParameters::fp32_tflops},
    {"gpu.fp16_tensor_tflops", &GpuParameters::fp16_tensor_tflops},
    {"gpu.int8_tensor_tops", &GpuParameters::int8_tensor_tops},
    {"gpu.compute_efficiency", &GpuParameters::compute_efficiency},
    {"gpu.dram_efficiency", &GpuParameters::dram_efficiency},
    {"gpu.kernel_launch_us", &GpuParameters::kernel_launch_us},
    {"gpu.sms", &GpuParameters::sms},
    {"gpu.tile_m", &GpuParameters::tile_m},
    {"gpu.tile_n", &GpuParameters::tile_n},
    {"gpu.tile_k", &GpuParameters::tile_k},
    {"gpu.reformat_min_us", &GpuParameters::reformat_min_us},
    {"gpu.sync_us", &GpuParameters::sync_us},
};
constexpr Field<DlaParameters> dla_fields[] = {
    {"dla.clock_ghz", &DlaParameters::clock_ghz},
    {"dla.int8_macs_per_clock", &DlaParameters::int8_macs_per_clock},
    {"dla.fp16_macs_per_clock", &DlaParameters::fp16_macs_per_clock},
    {"dla.atomic_c", &DlaParameters::atomic_c},
    {"dla.cbuf_kib", &DlaParameters::cbuf_kib},
    {"dla.dram_gb_s", &DlaParameters::dram_gb_s},
    {"dla.layer_overhead_us", &DlaParameters::layer_overhead_us},
    {"dla.loadable_launch_us", &DlaParameters::loadable_launch_us},
    {"dla.loadable_load_ms", &DlaParameters::loadable_load_ms},
    {"dla.handoff_sync_us", &DlaParameters::handoff_sync_us},
    {"dla.handoff_out_sync_us", &DlaParameters::handoff_out_sync_us},
    {"dla.stripe_min", &DlaParameters::stripe_min},
    {"dla.output_elements_per_clock", &DlaParameters::output_elements_per_clock},
    {"dla.sdp_elements_per_clock", &DlaParameters::sdp_elements_per_clock},
    {"dla.pdp_elements_per_clock", &DlaParameters::pdp_elements_per_clock},
    {"dla.depthwise_macs_per_clock", &DlaParameters::depthwise_macs_per_clock},
    {"dla.winograd", &DlaParameters::winograd},
};
constexpr Field<CpuParameters> cpu_fields[] = {
    {"cpu.cores", &CpuParameters::cores},
    {"cpu.clock_ghz", &CpuParameters::clock_ghz},
    {"cpu.fp32_flops_per_clock", &CpuParameters::fp32_flops_per_clock},
    {"cpu.vector_lanes", &CpuParameters::vector_lanes},
    {"cpu.conv_efficiency", &CpuParameters::conv_efficiency},
    {"cpu.winograd_efficiency", &CpuParameters::winograd_efficiency},
    {"cpu.depthwise_efficiency", &CpuParameters::depthwise_efficiency},
    {"cpu.bandwidth_gb_s", &CpuParameters::bandwidth_gb_s},
    {"cpu.conv_l2_bandwidth_gb_s", &CpuParameters::conv_l2_bandwidth_gb_s},
    {"cpu.conv_l3_bandwidth_gb_s", &CpuParameters::conv_l3_bandwidth_gb_s},
    {"cpu.stem_efficiency", &CpuParameters::stem_efficiency},
    {"cpu.fused_block_rate", &CpuParameters::fused_block_rate},
    {"cpu.warm_call_fraction", &CpuParameters::warm_call_fraction},
    {"cpu.l2_kib", &CpuParameters::l2_kib},
    {"cpu.l3_kib", &CpuParameters::l3_kib},
    {"cpu.stream_l2_bandwidth_gb_s", &CpuParameters::stream_l2_bandwidth_gb_s},
    {"cpu.stream_l3_bandwidth_gb_s", &CpuParameters::stream_l3_bandwidth_gb_s},
    {"cpu.stream_dram_bandwidth_gb_s", &CpuParameters::stream_dram_bandwidth_gb_s},
    {"cpu.reorder_efficiency", &CpuParameters::reorder_efficiency},
    {"cpu.vector_math_ns_per_element", &CpuParameters::vector_math_ns_per_element},
    {"cpu.broadcast_ns_per_element", &CpuParameters::broadcast_ns_per_element},
    {"cpu.broadcast_row_ns", &CpuParameters::broadcast_row_ns},
    {"cpu.matrix_overhead_us", &CpuParameters::matrix_overhead_us},
    {"cpu.eltwise_overhead_us", &CpuParameters::eltwise_overhead_us},
    {"cpu.reorder_overhead_us", &CpuParameters::reorder_overhead_us},
    {"cpu.reference_overhead_us", &CpuParameters::reference_overhead_us},
    {"cpu.reference_ns_per_element", &CpuParameters::reference_ns_per_element},
    {"cpu.reference_run_ns", &CpuParameters::reference_run_ns},
    {"cpu.reference_math_ns_per_element", &CpuParameters::reference_math_ns_per_element},
    {"cpu.resize_ns_per_element", &CpuParameters::resize_ns_per_element},
    {"cpu.onednn_reference_ns_per_element", &CpuParameters::onednn_reference_ns_per_element},
};
constexpr Field<CudaParameters> cuda_fields[] = {
    {"cuda.fp32_efficiency", &CudaParameters::fp32_efficiency},
    {"cuda.tensor_efficiency", &CudaParameters::tensor_efficiency},
    {"cuda.dram_efficiency", &CudaParameters::dram_efficiency},
    {"cuda.kernel_us", &CudaParameters::kernel_us},
    {"cuda.library_call_us", &CudaParameters::library_call_us},
    {"cuda.graph_kernel_us", &CudaParameters::graph_kernel_us},
    {"cuda.graph_library_us", &CudaParameters::graph_library_us},
    {"cuda.graph_event_us", &CudaParameters::graph_event_us},
    {"cuda.strided_ns_per_element", &CudaParameters::strided_ns_per_element},
    {"cuda.eltwise_ns_per_element", &CudaParameters::eltwise_ns_per_element},
    {"cuda.cudnn_fp32_efficiency", &CudaParameters::cudnn_fp32_efficiency},
    {"cuda.cudnn_tensor_efficiency", &CudaParameters::cudnn_tensor_efficiency},
    {"cuda.cudnn_graph_efficiency", &CudaParameters::cudnn_graph_efficiency},
    {"cuda.cudnn_graph_us", &CudaParameters::cudnn_graph_us},
    {"cuda.fp32_k_ns", &CudaParameters::fp32_k_ns},
    {"cuda.tensor_k_ns", &CudaParameters::tensor_k_ns},
    {"cuda.depthwise_efficiency", &CudaParameters::depthwise_efficiency},
    {"cuda.depthwise_us", &CudaParameters::depthwise_us},
    {"cuda.stem_efficiency", &CudaParameters::stem_efficiency},
};
constexpr Field<MemoryParameters> memory_fields[] = {
    {"memory.dram_gb_s", &MemoryParameters::dram_gb_s},
    {"memory.host_copy_gb_s", &MemoryParameters::host_copy_gb_s},
    {"memory.copy_latency_us", &MemoryParameters::copy_latency_us},
    {"memory.dma_gb_s", &MemoryParameters::dma_gb_s},
    {"memory.staging_threads", &MemoryParameters::staging_threads},
    {"memory.staging_gb_s", &MemoryParameters::staging_gb_s},
};

template <typename Group, size_t N>
Status read_fields(const placement::Target& target, const Field<Group> (&fields)[N], Group& group) {
  for (const Field<Group>& f : fields) {
    const placement::TargetParameter* p = target.find(f.key);
    if (!p || !p->number || *p->number < 0)
      return error(StatusCode::invalid_argument,
                   "target '{}': the simulator needs the non-negative number '{}' (add it to the target file)",
                   target.name, f.key);
    group.*f.member = *p->number;
  }
  return {};
}

bool has_group(const placement::Target& target, std::string_view group) {
  return std::any_of(target.parameters.begin(), target.parameters.end(), [&](const placement::TargetParameter& p) {
    return p.key.size() > group.size() && p.key.compare(0, group.size(), group) == 0 && p.key[group.size()] == '.';
  });
}

template <typename Group, size_t N>
double* find_field(const Field<Group> (&fields)[N], Group& group, std::string_view key) {
  for (const Field<Group>& f : fields)
    if (key == f.key) return &(group.*f.member);
  return nullptr;
}

}  // namespace

double host_copy_rate_gb_s(const MemoryParameters& m, double bytes) {
  if (m.dma_gb_s <= m.host_copy_gb_s || m.staging_threads < 2) return m.host_copy_gb_s;
  const double pieces = copy_pieces(static_cast<size_t>(bytes), static_cast<unsigned>(m.staging_threads));
  const double staging_s_per_gb = 1 / m.host_copy_gb_s - 1 / m.dma_gb_s;
  const double ceiling_s_per_gb = pieces > 1 && m.staging_gb_s > 0 ? 1 / m.staging_gb_s : 0;
  return 1 / (1 / m.dma_gb_s + std::max(staging_s_per_gb / pieces, ceiling_s_per_gb));
}

std::string_view precision_name(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::fp16: return "fp16";
    case Precision::int8: return "int8";
  }
  return "?";
}

Result<Precision> parse_precision(std::string_view text) {
  for (Precision p : {Precision::fp32, Precision::fp16, Precision::int8})
    if (text == precision_name(p)) return p;
  return error(StatusCode::invalid_argument, "--precision '{}': expected fp32, fp16 or int8", text);
}

int bytes_per_element(Precision p) { return p == Precision::fp32 ? 4 : p == Precision::fp16 ? 2 : 1; }

Result<TargetModel> target_model(const placement::Target& target) {
  TargetModel m;
  m.name = target.name;
  m.dla_cores = target.dla_cores;
  m.dla_version = target.dla_version;
  m.has_cpu = has_group(target, "cpu");
  m.has_gpu = !m.has_cpu || has_group(target, "gpu");  // a target without a cpu group describes its GPU
  if (m.has_gpu) ES_TRY(read_fields(target, gpu_fields, m.gpu));
  if (m.has_cpu) ES_TRY(read_fields(target, cpu_fields, m.cpu));
  m.has_cuda = has_group(target, "cuda");
  if (m.has_cuda) ES_TRY(read_fields(target, cuda_fields, m.cuda));
  ES_TRY(read_fields(target, memory_fields, m.memory));
  if (m.dla_cores > 0) ES_TRY(read_fields(target, dla_fields, m.dla));
  return m;
}

double* model_parameter(TargetModel& m, std::string_view key) {
  if (double* p = find_field(gpu_fields, m.gpu, key)) return p;
  if (double* p = find_field(dla_fields, m.dla, key)) return p;
  if (double* p = find_field(cpu_fields, m.cpu, key)) return p;
  if (double* p = find_field(cuda_fields, m.cuda, key)) return p;
  return find_field(memory_fields, m.memory, key);
}

RooflineConfig gpu_roofline(const TargetModel& t, Precision precision, bool matrix) {
  RooflineConfig c;
  c.dram_gb_s = t.memory.dram_gb_s;
  c.dram_fraction = t.gpu.dram_efficiency;
  c.launch_us = t.gpu.kernel_launch_us;
  c.compute_fraction = t.gpu.compute_efficiency;
  if (matrix) {
    // Tensor cores: TF32 runs at half the FP16 rate on Ampere.
    c.peak_tflops = precision == Precision::int8 ? t.gpu.int8_tensor_tops
                    : precision == Precision::fp16 ? t.gpu.fp16_tensor_tflops
                                                   : t.gpu.fp16_tensor_tflops / 2;
    c.tile_m = static_cast<int64_t>(t.gpu.tile_m);
    c.tile_n = static_cast<int64_t>(t.gpu.tile_n);
    c.tile_k = static_cast<int64_t>(t.gpu.tile_k);
  } else {
    // CUDA cores: packed half2 doubles the FP32 rate, dp4a quadruples it.
    c.peak_tflops = t.gpu.fp32_tflops * (4.0 / bytes_per_element(precision));
  }
  return c;
}

DlaConfig dla_config(const TargetModel& t, Precision precision) {
  ES_ASSERT(t.dla_cores > 0 && precision != Precision::fp32);
  const DlaParameters& d = t.dla;
  DlaConfig c;
  c.macs_per_clock = precision == Precision::int8 ? d.int8_macs_per_clock : d.fp16_macs_per_clock;
  c.channel_align = static_cast<int64_t>(d.atomic_c);
  c.kernel_align = std::max<int64_t>(1, static_cast<int64_t>(c.macs_per_clock / d.atomic_c));
  c.clock_ghz = d.clock_ghz;
  c.dram_gb_s = d.dram_gb_s;
  c.cbuf_bytes = static_cast<int64_t>(d.cbuf_kib * 1024);
  c.bytes_per_element = bytes_per_element(precision);
  c.winograd = d.winograd > 0;
  c.native_depthwise = t.dla_version >= 2;
  c.depthwise_macs_per_clock = d.depthwise_macs_per_clock;
  c.stripe_min = static_cast<int64_t>(d.stripe_min);
  c.output_elements_per_clock = d.output_elements_per_clock;
  c.sdp_elements_per_clock = d.sdp_elements_per_clock;
  c.pdp_elements_per_clock = d.pdp_elements_per_clock;
  c.layer_overhead_us = d.layer_overhead_us;
  return c;
}

}  // namespace es::sim
