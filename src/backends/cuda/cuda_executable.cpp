#include "backends/cuda/cuda_executable.h"

#include "backends/cpu/memory_plan.h"
#include "backends/cuda/lowering.h"
#include "backends/cuda/storage_plan.h"
#include "base/log.h"
#include "base/parallel_copy.h"

#include <cuda_fp16.h>
#include <nvtx3/nvToolsExt.h>

#include <algorithm>
#include <cstring>

namespace es::cuda {

namespace {

constexpr size_t kAlignment = 256;                      // cudaMalloc's own alignment, kept inside the arena
// The most any cuDNN/cuBLASLt algorithm or im2col matrix may use while the steps choose their form. 256 MiB lets
// ResNet-50's 56x56 3x3 convolutions at batch 32 in FP16 take the im2col + cuBLASLt form (115 MB matrices): on the
// H100 its compute went 1.781 -> 1.459 ms against 64 MiB (zoo resnet50-v1.5, --cuda-graph, 2 rounds). After the
// choice the workspace shrinks to what the chosen forms use.
constexpr size_t kConvWorkspaceBytes = size_t{256} << 20;
constexpr size_t kCublasWorkspaceBytes = size_t{32} << 20;  // a fixed one lets cuBLAS run inside graph capture

size_t aligned(size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }
size_t host_bytes(const Value& v) { return static_cast<size_t>(shape_numel(v.shape)) * dtype_size(v.dtype); }
size_t stored_bytes(const Value& v, const Storage& s) {
  return static_cast<size_t>(shape_numel(v.shape)) * (s.half ? 2 : dtype_size(v.dtype));
}

// An initializer's bytes as the device stores it: f16 and, for a convolution's filter, KRSC (NHWC).
std::vector<std::byte> stored_constant(const Tensor& t, const Storage& s) {
  const std::span<const std::byte> raw(static_cast<const std::byte*>(t.raw()), t.nbytes());
  if (!s.half && !s.nhwc) return {raw.begin(), raw.end()};
  const std::vector<float> values = t.to_float_vector();
  const Shape& shape = t.shape();
  std::vector<size_t> source(values.size());  // element of `values` at each stored position
  for (size_t i = 0; i < source.size(); ++i) source[i] = i;
  if (s.nhwc && shape.size() == 4) {
    const size_t c = static_cast<size_t>(shape[1]), hw = static_cast<size_t>(shape[2] * shape[3]);
    for (size_t i = 0; i < source.size(); ++i) {
      const size_t k = i / (hw * c), pixel = (i / c) % hw, ch = i % c;
      source[i] = (k * c + ch) * hw + pixel;
    }
  }
  std::vector<std::byte> out(values.size() * (s.half ? 2 : 4));
  for (size_t i = 0; i < source.size(); ++i) {
    if (s.half) {
      const __half h = __float2half(values[source[i]]);
      std::memcpy(out.data() + 2 * i, &h, 2);
    } else {
      std::memcpy(out.data() + 4 * i, &values[source[i]], 4);
    }
  }
  return out;
}

// NVTX range for Nsight Systems, closed at scope exit.
struct NvtxRange {
  explicit NvtxRange(const char* name) { nvtxRangePushA(name); }
  ~NvtxRange() { nvtxRangePop(); }
};

Status check_tensor(const Value& value, const Tensor& tensor, const char* what) {
  if (tensor.dtype() != value.dtype || tensor.shape() != value.shape)
    return error(StatusCode::invalid_argument, "{} '{}': {} {} given, the model expects {} {}", what, value.name,
                 dtype_name(tensor.dtype()), shape_str(tensor.shape()), dtype_name(value.dtype), shape_str(value.shape));
  return Status::ok_status();
}

// Page-locked host memory (cudaHostAlloc'ed or registered) is what the copy engine reads and writes directly.
bool is_pinned(const void* host) {
  cudaPointerAttributes attributes{};
  if (cudaPointerGetAttributes(&attributes, host) != cudaSuccess) {
    cudaGetLastError();  // a plain host pointer is not an error worth keeping
    return false;
  }
  return attributes.type == cudaMemoryTypeHost;
}

}  // namespace

Result<std::unique_ptr<Executable>> CudaExecutable::create(Program program, const CudaOptions& options) {
  std::unique_ptr<CudaExecutable> exe(new CudaExecutable(std::move(program), options));
  ES_TRY(exe->init());
  return std::unique_ptr<Executable>(std::move(exe));
}

CudaExecutable::~CudaExecutable() {
  // Teardown after a device error has nothing to report to: the codes are ignored on purpose.
  cudaStreamSynchronize(ctx_.stream);
  program_.steps.clear();  // descriptors before the handles
  if (graph_exec_) cudaGraphExecDestroy(graph_exec_);
  if (profile_graph_exec_) cudaGraphExecDestroy(profile_graph_exec_);
  for (cudaEvent_t e : events_)
    if (e) cudaEventDestroy(e);
  for (cudaEvent_t e : marks_)
    if (e) cudaEventDestroy(e);
  for (void* p : {arena_, constants_, ctx_.workspace, cublas_workspace_, staging_})
    if (p) cudaFree(p);
  for (std::byte* p : {pinned_inputs_, pinned_outputs_})
    if (p) cudaFreeHost(p);
  if (ctx_.cublaslt) cublasLtDestroy(ctx_.cublaslt);
  if (ctx_.cublas) cublasDestroy(ctx_.cublas);
  if (ctx_.cudnn) cudnnDestroy(ctx_.cudnn);
  if (ctx_.stream) cudaStreamDestroy(ctx_.stream);
}

Status CudaExecutable::init() {
  ES_CUDA_TRY(cudaSetDevice(options_.device));
  ES_CUDA_TRY(cudaStreamCreateWithFlags(&ctx_.stream, cudaStreamNonBlocking));
  ES_CUDA_TRY(cudnnCreate(&ctx_.cudnn));
  ES_CUDA_TRY(cudnnSetStream(ctx_.cudnn, ctx_.stream));
  ES_CUDA_TRY(cublasCreate(&ctx_.cublas));
  ES_CUDA_TRY(cublasSetStream(ctx_.cublas, ctx_.stream));
  ES_CUDA_TRY(cublasLtCreate(&ctx_.cublaslt));
  ES_CUDA_TRY(cudaMalloc(&cublas_workspace_, kCublasWorkspaceBytes));
  ES_CUDA_TRY(cublasSetWorkspace(ctx_.cublas, cublas_workspace_, kCublasWorkspaceBytes));
  ctx_.tf32 = options_.precision == "tf32";  // FP16 steps choose tensor cores themselves
  ctx_.conv_form = options_.conv_form;
  ctx_.cuda_graph = options_.cuda_graph;
  ES_CUDA_TRY(cublasSetMathMode(ctx_.cublas, ctx_.tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_PEDANTIC_MATH));
  for (cudaEvent_t& e : events_) ES_CUDA_TRY(cudaEventCreate(&e));
  ES_TRY(plan_and_allocate());
  ES_TRY(upload_constants());
  ES_CUDA_TRY(cudaMalloc(&ctx_.workspace, kConvWorkspaceBytes));
  ctx_.workspace_bytes = kConvWorkspaceBytes;
  ctx_.memory = this;
  size_t most_needed = 0;
  for (auto& step : program_.steps) {
    size_t needed = 0;
    ES_TRY(step->prepare(ctx_, needed).with_context(fmt::format("layer '{}' ({})", step->name, step->op)));
    ES_ASSERT(needed <= ctx_.workspace_bytes);
    most_needed = std::max(most_needed, needed);
  }
  // Steps read ctx_.workspace and its size when they run, and none needs more than it reported.
  ES_CUDA_TRY(cudaFree(ctx_.workspace));
  ctx_.workspace = nullptr;
  if (most_needed > 0) ES_CUDA_TRY(cudaMalloc(&ctx_.workspace, most_needed));
  ctx_.workspace_bytes = most_needed;
  ES_CUDA_TRY(cudaStreamSynchronize(ctx_.stream));
  log::debug("cuda: {} steps, activation arena {} bytes", program_.steps.size(), arena_bytes_);
  return Status::ok_status();
}

// Activation buffers: one per alias root that a step writes or the caller feeds, live from its first
// write to its last read (graph outputs to the end), packed by the CPU backend's planner.
Status CudaExecutable::plan_and_allocate() {
  const Graph& graph = *program_.graph;
  const int last = std::max<int>(static_cast<int>(program_.steps.size()) - 1, 0);
  std::vector<int> buffer_of(graph.values.size(), -1);
  std::vector<cpu::BufferUse> uses;
  std::vector<ValueId> roots;
  auto touch = [&](ValueId id, int step) {
    const ValueId root = program_.alias_of[static_cast<size_t>(id)];
    if (graph.value(root).is_initializer()) return;
    int& b = buffer_of[static_cast<size_t>(root)];
    if (b < 0) {
      b = static_cast<int>(uses.size());
      uses.push_back({aligned(stored_bytes(graph.value(root), program_.storage[static_cast<size_t>(root)])), step, step});
      roots.push_back(root);
    }
    uses[static_cast<size_t>(b)].first_step = std::min(uses[static_cast<size_t>(b)].first_step, step);
    uses[static_cast<size_t>(b)].last_step = std::max(uses[static_cast<size_t>(b)].last_step, step);
  };
  for (ValueId id : graph.inputs) touch(id, 0);
  for (size_t i = 0; i < program_.steps.size(); ++i) {
    for (ValueId id : program_.steps[i]->reads) touch(id, static_cast<int>(i));
    for (ValueId id : program_.steps[i]->writes)
      if (id != kNoValue) touch(id, static_cast<int>(i));
  }
  for (ValueId id : graph.outputs) touch(id, last);
  const cpu::MemoryPlan plan = cpu::plan_memory(uses, kAlignment);
  staging_output_base_ = 0;
  arena_bytes_ = plan.total_bytes;
  ES_CUDA_TRY(cudaMalloc(&arena_, std::max<size_t>(arena_bytes_, kAlignment)));
  ES_CUDA_TRY(cudaMemsetAsync(arena_, 0, std::max<size_t>(arena_bytes_, kAlignment), ctx_.stream));
  pointers_.assign(graph.values.size(), nullptr);
  for (size_t b = 0; b < roots.size(); ++b)
    pointers_[static_cast<size_t>(roots[b])] = static_cast<std::byte*>(arena_) + plan.offsets[b];

  size_t in_bytes = 0, out_bytes = 0;
  for (ValueId id : graph.inputs) input_offsets_.push_back(std::exchange(in_bytes, in_bytes + aligned(host_bytes(graph.value(id)))));
  for (ValueId id : graph.outputs) output_offsets_.push_back(std::exchange(out_bytes, out_bytes + aligned(host_bytes(graph.value(id)))));
  ES_CUDA_TRY(cudaHostAlloc(reinterpret_cast<void**>(&pinned_inputs_), std::max<size_t>(in_bytes, 1), cudaHostAllocDefault));
  ES_CUDA_TRY(cudaHostAlloc(reinterpret_cast<void**>(&pinned_outputs_), std::max<size_t>(out_bytes, 1), cudaHostAllocDefault));
  // Inputs and outputs stored otherwise than the host holds them (FP16) pass through a device staging
  // buffer in host form and a conversion kernel.
  staging_output_base_ = in_bytes;
  ES_CUDA_TRY(cudaMalloc(&staging_, std::max<size_t>(in_bytes + out_bytes, kAlignment)));
  return Status::ok_status();
}

// Initializers that steps read (or graph outputs that are constants), uploaded once into one allocation.
Status CudaExecutable::upload_constants() {
  const Graph& graph = *program_.graph;
  std::vector<ValueId> used;
  std::vector<bool> seen(graph.values.size(), false);
  auto need = [&](ValueId id) {
    const ValueId root = program_.alias_of[static_cast<size_t>(id)];
    if (!graph.value(root).is_initializer() || seen[static_cast<size_t>(root)]) return;
    seen[static_cast<size_t>(root)] = true;
    used.push_back(root);
  };
  for (const auto& step : program_.steps)
    for (ValueId id : step->reads) need(id);
  for (ValueId id : graph.outputs) need(id);
  size_t total = 0;
  std::vector<size_t> offsets;
  for (ValueId id : used)
    offsets.push_back(std::exchange(total, total + aligned(stored_bytes(graph.value(id), program_.storage[static_cast<size_t>(id)]))));
  if (total == 0) return Status::ok_status();
  ES_CUDA_TRY(cudaMalloc(&constants_, total));
  for (size_t i = 0; i < used.size(); ++i) {
    const std::vector<std::byte> bytes =
        stored_constant(*graph.value(used[i]).data, program_.storage[static_cast<size_t>(used[i])]);
    std::byte* dst = static_cast<std::byte*>(constants_) + offsets[i];
    ES_CUDA_TRY(cudaMemcpy(dst, bytes.data(), bytes.size(), cudaMemcpyHostToDevice));
    pointers_[static_cast<size_t>(used[i])] = dst;
  }
  return Status::ok_status();
}

Status CudaExecutable::copy_inputs(std::span<const Tensor> inputs) {
  const Graph& graph = *program_.graph;
  if (inputs.size() != graph.inputs.size())
    return error(StatusCode::invalid_argument, "the model has {} inputs, {} given", graph.inputs.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) ES_TRY(check_tensor(graph.value(graph.inputs[i]), inputs[i], "input"));
  NvtxRange range("H2D");
  // The copy engine reads pinned memory directly and asynchronously at full PCIe speed; other inputs are staged
  // into the executable's pinned buffer first, large ones on several cores (parallel_copy.h).
  std::vector<const std::byte*> sources(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    sources[i] = static_cast<const std::byte*>(inputs[i].raw());
    if (is_pinned(sources[i])) continue;
    parallel_copy(pinned_inputs_ + input_offsets_[i], sources[i], inputs[i].nbytes());
    sources[i] = pinned_inputs_ + input_offsets_[i];
  }
  ES_CUDA_TRY(cudaEventRecord(events_[h2d_begin], ctx_.stream));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ValueId id = graph.inputs[i];
    const bool convert = needs_conversion(id);
    void* dst = convert ? static_cast<std::byte*>(staging_) + input_offsets_[i] : data(id);
    ES_CUDA_TRY(cudaMemcpyAsync(dst, sources[i], inputs[i].nbytes(), cudaMemcpyHostToDevice, ctx_.stream));
    if (convert) ES_TRY(convert_value(id, dst, true));
  }
  ES_CUDA_TRY(cudaEventRecord(events_[h2d_end], ctx_.stream));
  recorded_[h2d_begin] = recorded_[h2d_end] = true;
  return Status::ok_status();
}

bool CudaExecutable::needs_conversion(ValueId id) const {
  const Storage& s = program_.storage[static_cast<size_t>(id)];
  return s.half || (s.nhwc && layout_matters(program_.graph->value(id)));
}

// Between the value's device storage and its host form (f32 or its own type, row-major) in `host_form`.
Status CudaExecutable::convert_value(ValueId id, void* host_form, bool to_device) {
  const Value& v = program_.graph->value(id);
  const Storage& stored = program_.storage[static_cast<size_t>(id)];
  Dims dims = *dims_of(v.shape);
  Strides device_strides = stored_strides(v.shape, stored), host_strides = stored_strides(v.shape, {});
  if (to_device) {
    order_by_destination(dims, device_strides, {&host_strides});
    launch_convert(ctx_.stream, host_form, false, host_strides, data(id), stored.half, device_strides, dims);
  } else {
    order_by_destination(dims, host_strides, {&device_strides});
    launch_convert(ctx_.stream, data(id), stored.half, device_strides, host_form, false, host_strides, dims);
  }
  return check(cudaGetLastError(), "conversion kernel");
}

Status CudaExecutable::run_steps(Marks marks) {
  const unsigned flags = marks == Marks::graph ? cudaEventRecordExternal : cudaEventRecordDefault;
  if (marks != Marks::none) ES_CUDA_TRY(cudaEventRecordWithFlags(marks_[0], ctx_.stream, flags));
  for (size_t i = 0; i < program_.steps.size(); ++i) {
    Step& step = *program_.steps[i];
    NvtxRange range(step.name.c_str());
    ES_TRY(step.run(ctx_).with_context(fmt::format("layer '{}' ({})", step.name, step.op)));
    if (marks != Marks::none) ES_CUDA_TRY(cudaEventRecordWithFlags(marks_[i + 1], ctx_.stream, flags));
  }
  return Status::ok_status();
}

Status CudaExecutable::run_or_replay(cudaGraphExec_t& exec, const std::function<Status()>& enqueue) {
  if (!options_.cuda_graph) return enqueue();
  if (exec == nullptr) {
    // Captured once: the steps' pointers and descriptors never change after compile.
    cudaGraph_t graph = nullptr;
    ES_CUDA_TRY(cudaStreamBeginCapture(ctx_.stream, cudaStreamCaptureModeThreadLocal));
    Status captured = enqueue();
    const cudaError_t end = cudaStreamEndCapture(ctx_.stream, &graph);
    ES_TRY(captured);
    ES_CUDA_TRY(end);
    const cudaError_t made = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    ES_CUDA_TRY(made);
  }
  return check(cudaGraphLaunch(exec, ctx_.stream), "cudaGraphLaunch");
}

Status CudaExecutable::execute() {
  NvtxRange range("compute");
  ES_CUDA_TRY(cudaEventRecord(events_[compute_begin], ctx_.stream));
  ES_TRY(run_or_replay(graph_exec_, [&] { return run_steps(Marks::none); }));
  ES_CUDA_TRY(cudaEventRecord(events_[compute_end], ctx_.stream));
  recorded_[compute_begin] = recorded_[compute_end] = true;
  return Status::ok_status();
}

Status CudaExecutable::copy_outputs(std::span<Tensor> outputs) {
  const Graph& graph = *program_.graph;
  if (outputs.size() != graph.outputs.size())
    return error(StatusCode::invalid_argument, "the model has {} outputs, {} given", graph.outputs.size(), outputs.size());
  NvtxRange range("D2H");
  ES_CUDA_TRY(cudaEventRecord(events_[d2h_begin], ctx_.stream));
  pending_.clear();
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Value& v = graph.value(graph.outputs[i]);
    // Reuse the caller's tensor when it already fits (benchmark loops), else allocate.
    if (outputs[i].empty() || !check_tensor(v, outputs[i], "output").ok()) outputs[i] = Tensor(v.dtype, v.shape);
    const bool direct = is_pinned(outputs[i].raw());
    std::byte* staged = direct ? static_cast<std::byte*>(outputs[i].raw()) : pinned_outputs_ + output_offsets_[i];
    const void* src = data(graph.outputs[i]);
    if (needs_conversion(graph.outputs[i])) {
      void* host_form = static_cast<std::byte*>(staging_) + staging_output_base_ + output_offsets_[i];
      ES_TRY(convert_value(graph.outputs[i], host_form, false));
      src = host_form;
    }
    ES_CUDA_TRY(cudaMemcpyAsync(staged, src, outputs[i].nbytes(), cudaMemcpyDeviceToHost, ctx_.stream));
    if (!direct) pending_.push_back({outputs[i].raw(), staged, outputs[i].nbytes()});
  }
  ES_CUDA_TRY(cudaEventRecord(events_[d2h_end], ctx_.stream));
  recorded_[d2h_begin] = recorded_[d2h_end] = true;
  return Status::ok_status();
}

// Waits for the stream, then moves staged outputs into the tensors copy_outputs was given (which the
// caller keeps alive until here, as the Executable contract's call order implies).
Status CudaExecutable::synchronize() {
  NvtxRange range("synchronize");
  ES_CUDA_TRY(cudaStreamSynchronize(ctx_.stream));
  for (const PendingOutput& p : pending_) parallel_copy(p.dst, p.staged, p.bytes);
  pending_.clear();
  return Status::ok_status();
}

Result<std::optional<Tensor>> CudaExecutable::pinned_host_tensor(DType dtype, const Shape& shape) {
  const size_t bytes = std::max<size_t>(static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype), 1);
  void* p = nullptr;
  // Portable: every stream's executable of a multi-stream bench copies from it.
  ES_CUDA_TRY(cudaHostAlloc(&p, bytes, cudaHostAllocPortable));
  std::memset(p, 0, bytes);
  std::shared_ptr<std::byte[]> storage(static_cast<std::byte*>(p), [](std::byte* q) { cudaFreeHost(q); });
  return std::optional<Tensor>(Tensor(dtype, shape, std::move(storage)));
}

std::optional<DevicePhaseTimes> CudaExecutable::last_phase_times() const {
  auto elapsed = [&](Event begin, Event end) {
    float ms = 0;
    if (recorded_[begin] && recorded_[end] && cudaEventElapsedTime(&ms, events_[begin], events_[end]) == cudaSuccess)
      return static_cast<double>(ms);
    return 0.0;
  };
  return DevicePhaseTimes{elapsed(h2d_begin, h2d_end), elapsed(compute_begin, compute_end), elapsed(d2h_begin, d2h_end)};
}

// Without --cuda-graph each step is launched by the host as execute() launches it, so a layer's time includes
// the host's enqueue where the GPU waits for it. With --cuda-graph the steps run as execute() runs them, replayed
// in a graph, with an event node between each two: the layers add up to the replayed inference.
Result<std::vector<LayerTime>> CudaExecutable::profile_layers() {
  if (marks_.empty()) {
    marks_.assign(program_.steps.size() + 1, nullptr);
    for (cudaEvent_t& e : marks_) ES_CUDA_TRY(cudaEventCreate(&e));
  }
  const Marks marks = options_.cuda_graph ? Marks::graph : Marks::stream;
  ES_TRY(run_or_replay(profile_graph_exec_, [&] { return run_steps(marks); }));
  ES_CUDA_TRY(cudaStreamSynchronize(ctx_.stream));
  std::vector<LayerTime> layers;
  for (size_t i = 0; i < program_.steps.size(); ++i) {
    const Step& step = *program_.steps[i];
    float ms = 0;
    ES_CUDA_TRY(cudaEventElapsedTime(&ms, marks_[i], marks_[i + 1]));
    layers.push_back({step.name, step.op, device_name(), ms, step.implementation()});
  }
  return layers;
}

}  // namespace es::cuda
