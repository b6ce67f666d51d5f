#include "backends/cpu/cpu_executable.h"

#include "base/log.h"

#include <omp.h>

#include <chrono>
#include <cstring>

namespace es::cpu {

namespace {

constexpr size_t kArenaAlignment = 64;

Status check_tensor(const Value& value, const Tensor& tensor, const char* what) {
  if (tensor.dtype() != value.dtype)
    return error(StatusCode::invalid_argument, "{} '{}': dtype {} given, the model expects {}", what, value.name,
                 dtype_name(tensor.dtype()), dtype_name(value.dtype));
  if (tensor.shape() != value.shape)
    return error(StatusCode::invalid_argument, "{} '{}': shape {} given, the model expects {}", what, value.name,
                 shape_str(tensor.shape()), shape_str(value.shape));
  return Status::ok_status();
}

}  // namespace

CpuExecutable::CpuExecutable(Program program, dnnl::engine engine, int threads)
    : program_(std::move(program)), engine_(std::move(engine)), stream_(engine_), threads_(threads) {
  memory_ = plan_program_memory(program_);
  const size_t arena_bytes = (std::max<size_t>(memory_.arena_bytes, 1) + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
  arena_.reset(static_cast<std::byte*>(std::aligned_alloc(kArenaAlignment, arena_bytes)));
  ES_ASSERT_MSG(arena_ != nullptr, "out of memory for the activation arena");
  std::memset(arena_.get(), 0, arena_bytes);  // deterministic contents for a profile run before any input
  if (program_.scratchpad_bytes > 0)
    scratchpad_ = dnnl::memory({{static_cast<int64_t>(program_.scratchpad_bytes)}, memory::data_type::u8, memory::format_tag::a},
                               engine_);
  storage_ = std::make_unique<Storage>(program_, engine_, arena_.get(), memory_.buffer_offsets, scratchpad_);
  for (auto& step : program_.steps) step->bind(*storage_);
  for (SlotId slot : program_.input_slots) inputs_.push_back(make_io_copy(slot, true));
  for (SlotId slot : program_.output_slots) outputs_.push_back(make_io_copy(slot, false));
  log::debug("cpu: {} steps, activation arena {} bytes ({} without reuse), scratchpad {} bytes",
             program_.steps.size(), memory_.arena_bytes, memory_.unshared_bytes, program_.scratchpad_bytes);
  for (const auto& step : program_.steps) {
    std::string outputs;
    for (SlotId s : step->writes)
      outputs += fmt::format(" {}:{}", program_.value_of(s).name, program_.slots[static_cast<size_t>(s)].layout.str());
    log::debug("cpu:   {} ({}, {}{}) ->{}", step->name, step->op, step->implementation,
               step->inplace_taken ? ", in place" : "", outputs);
  }
}

CpuExecutable::IoCopy CpuExecutable::make_io_copy(SlotId slot, bool to_slot) const {
  const Slot& s = program_.slots[static_cast<size_t>(slot)];
  if (s.layout.is_plain()) return {slot, std::nullopt, {}};
  const Value& v = program_.value_of(slot);
  dnnl::memory user(plain_desc(v.dtype, v.shape), engine_, nullptr);
  const memory::desc internal = s.layout.desc(v.dtype, v.shape);
  dnnl::reorder::primitive_desc pd = to_slot ? dnnl::reorder::primitive_desc(engine_, user.get_desc(), engine_, internal)
                                             : dnnl::reorder::primitive_desc(engine_, internal, engine_, user.get_desc());
  return {slot, dnnl::reorder(pd), user};
}

Status CpuExecutable::copy_inputs(std::span<const Tensor> inputs) {
  const Graph& graph = *program_.graph;
  if (inputs.size() != graph.inputs.size())
    return error(StatusCode::invalid_argument, "the model has {} inputs, {} given", graph.inputs.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) ES_TRY(check_tensor(graph.value(graph.inputs[i]), inputs[i], "input"));
  omp_set_num_threads(threads_);
  try {
    for (size_t i = 0; i < inputs.size(); ++i) {
      IoCopy& io = inputs_[i];
      void* internal = storage_->data(io.slot);
      if (!io.reorder) {
        std::memcpy(internal, inputs[i].raw(), inputs[i].nbytes());
        continue;
      }
      io.user.set_data_handle(const_cast<void*>(inputs[i].raw()));
      dnnl::memory internal_memory = storage_->memory(io.slot);
      io.reorder->execute(stream_, io.user, internal_memory);
    }
    stream_.wait();
  } catch (const dnnl::error& e) {
    return error(StatusCode::internal, "copying inputs: oneDNN: {}", e.what());
  }
  return Status::ok_status();
}

Status CpuExecutable::copy_outputs(std::span<Tensor> outputs) {
  const Graph& graph = *program_.graph;
  if (outputs.size() != graph.outputs.size())
    return error(StatusCode::invalid_argument, "the model has {} outputs, {} given", graph.outputs.size(), outputs.size());
  omp_set_num_threads(threads_);
  try {
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Value& v = graph.value(graph.outputs[i]);
      // Reuse the caller's tensor when it already fits (benchmark loops), else allocate.
      if (outputs[i].empty() || !check_tensor(v, outputs[i], "output").ok()) outputs[i] = Tensor(v.dtype, v.shape);
      IoCopy& io = outputs_[i];
      if (!io.reorder) {
        std::memcpy(outputs[i].raw(), storage_->data(io.slot), outputs[i].nbytes());
        continue;
      }
      io.user.set_data_handle(outputs[i].raw());
      dnnl::memory internal_memory = storage_->memory(io.slot);
      io.reorder->execute(stream_, internal_memory, io.user);
    }
    stream_.wait();
  } catch (const dnnl::error& e) {
    return error(StatusCode::internal, "copying outputs: oneDNN: {}", e.what());
  }
  return Status::ok_status();
}

Status CpuExecutable::run_steps(const std::function<void(size_t, double)>& on_step) {
  omp_set_num_threads(threads_);
  for (size_t i = 0; i < program_.steps.size(); ++i) {
    Step& step = *program_.steps[i];
    const auto start = std::chrono::steady_clock::now();
    try {
      Status status = step.run(stream_);
      if (!status.ok()) return status.with_context(fmt::format("layer '{}' ({})", step.name, step.op));
      if (on_step) stream_.wait();
    } catch (const dnnl::error& e) {
      return error(StatusCode::internal, "layer '{}' ({}): oneDNN: {}", step.name, step.op, e.what());
    }
    if (on_step)
      on_step(i, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return Status::ok_status();
}

Status CpuExecutable::execute() { return run_steps(nullptr); }

Status CpuExecutable::synchronize() {
  try {
    stream_.wait();
  } catch (const dnnl::error& e) {
    return error(StatusCode::internal, "synchronize: oneDNN: {}", e.what());
  }
  return Status::ok_status();
}

Result<std::vector<LayerTime>> CpuExecutable::profile_layers() {
  std::vector<LayerTime> layers;
  ES_TRY(run_steps([&](size_t i, double ms) {
    const Step& step = *program_.steps[i];
    layers.push_back({step.name, step.op, "cpu", ms, step.implementation});
  }));
  return layers;
}

}  // namespace es::cpu
