#include "runtime/hetero_executable.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace es {

namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::string names_of(const Graph& graph, const std::vector<ValueId>& ids) {
  std::string out;
  for (ValueId id : ids) out += (out.empty() ? "" : ",") + graph.value(id).name;
  return out;
}

}  // namespace

HeteroExecutable::HeteroExecutable(const Graph& graph, std::vector<Part> parts)
    : graph_(std::make_shared<const Graph>(graph)), parts_(std::move(parts)), host_(graph.values.size()) {
  for (const Part& p : parts_) {
    for (ValueId id : p.segment.inputs) host_[static_cast<size_t>(id)] = Tensor(graph.value(id).dtype, graph.value(id).shape);
    for (ValueId id : p.segment.outputs) host_[static_cast<size_t>(id)] = Tensor(graph.value(id).dtype, graph.value(id).shape);
  }
  for (ValueId id : graph.inputs) host_[static_cast<size_t>(id)] = Tensor(graph.value(id).dtype, graph.value(id).shape);
  for (ValueId id : graph.outputs)
    if (graph.value(id).is_initializer()) host_[static_cast<size_t>(id)] = *graph.value(id).data;
}

std::string HeteroExecutable::device_name() const {
  std::vector<std::string> devices;
  for (const Part& p : parts_)
    if (std::find(devices.begin(), devices.end(), p.exe->device_name()) == devices.end())
      devices.push_back(p.exe->device_name());
  std::sort(devices.begin(), devices.end(), [](const std::string& a, const std::string& b) { return a > b; });
  std::string name;
  for (const std::string& d : devices) name += (name.empty() ? "" : "+") + d;
  return name;  // "cuda:0+cpu"
}

Status HeteroExecutable::copy_inputs(std::span<const Tensor> inputs) {
  const Graph& g = *graph_;
  if (inputs.size() != g.inputs.size())
    return error(StatusCode::invalid_argument, "the model has {} inputs, {} given", g.inputs.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    Tensor& dst = host_[static_cast<size_t>(g.inputs[i])];
    if (inputs[i].dtype() != dst.dtype() || inputs[i].shape() != dst.shape())
      return error(StatusCode::invalid_argument, "input '{}': {} {} given, the model expects {} {}",
                   g.value(g.inputs[i]).name, dtype_name(inputs[i].dtype()), shape_str(inputs[i].shape()),
                   dtype_name(dst.dtype()), shape_str(dst.shape()));
    std::memcpy(dst.raw(), inputs[i].raw(), dst.nbytes());
  }
  return Status::ok_status();
}

Status HeteroExecutable::run_part(size_t i, std::vector<LayerTime>* layers) {
  Part& part = parts_[i];
  const Graph& g = *graph_;
  const bool device = part.segment.device != "cpu";
  std::vector<Tensor> ins, outs;
  for (ValueId id : part.segment.inputs) ins.push_back(host_[static_cast<size_t>(id)]);
  for (ValueId id : part.segment.outputs) outs.push_back(host_[static_cast<size_t>(id)]);  // shares the bytes

  auto start = std::chrono::steady_clock::now();
  ES_TRY(part.exe->copy_inputs(ins));
  ES_TRY(part.exe->synchronize());
  double ms = ms_since(start);
  if (device) phases_.h2d_ms += ms;
  if (layers && device && !ins.empty())
    layers->push_back({"copy " + names_of(g, part.segment.inputs) + " cpu->" + part.segment.device, "Copy",
                       part.segment.device, ms});

  start = std::chrono::steady_clock::now();
  if (layers) {
    ES_ASSIGN_OR_RETURN(std::vector<LayerTime> own, part.exe->profile_layers());
    layers->insert(layers->end(), own.begin(), own.end());
  } else {
    ES_TRY(part.exe->execute());
    ES_TRY(part.exe->synchronize());
  }
  phases_.compute_ms += ms_since(start);

  start = std::chrono::steady_clock::now();
  ES_TRY(part.exe->copy_outputs(outs));
  ES_TRY(part.exe->synchronize());
  ms = ms_since(start);
  if (device) phases_.d2h_ms += ms;
  if (layers && device && !outs.empty())
    layers->push_back({"copy " + names_of(g, part.segment.outputs) + " " + part.segment.device + "->cpu", "Copy",
                       part.segment.device, ms});
  return Status::ok_status();
}

Status HeteroExecutable::execute() {
  phases_ = {};
  for (size_t i = 0; i < parts_.size(); ++i) ES_TRY(run_part(i, nullptr));
  return Status::ok_status();
}

Status HeteroExecutable::copy_outputs(std::span<Tensor> outputs) {
  const Graph& g = *graph_;
  if (outputs.size() != g.outputs.size())
    return error(StatusCode::invalid_argument, "the model has {} outputs, {} given", g.outputs.size(), outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& src = host_[static_cast<size_t>(g.outputs[i])];
    if (outputs[i].empty() || outputs[i].dtype() != src.dtype() || outputs[i].shape() != src.shape())
      outputs[i] = Tensor(src.dtype(), src.shape());
    std::memcpy(outputs[i].raw(), src.raw(), src.nbytes());
  }
  return Status::ok_status();
}

Result<std::vector<LayerTime>> HeteroExecutable::profile_layers() {
  phases_ = {};
  std::vector<LayerTime> layers;
  for (size_t i = 0; i < parts_.size(); ++i) ES_TRY(run_part(i, &layers));
  return layers;
}

size_t HeteroExecutable::activation_bytes() const {
  size_t bytes = 0;
  for (const Part& p : parts_) bytes += p.exe->activation_bytes();
  for (const Tensor& t : host_)
    if (!t.empty()) bytes += t.nbytes();
  return bytes;
}

Result<std::unique_ptr<Executable>> compile_segments(
    const Graph& graph, std::vector<Segment> segments,
    const std::function<Result<std::unique_ptr<Executable>>(const Segment&)>& compile_segment) {
  std::vector<HeteroExecutable::Part> parts;
  for (Segment& s : segments) {
    Result<std::unique_ptr<Executable>> exe = compile_segment(s);
    if (!exe.ok())
      return exe.status().with_context(fmt::format("segment of {} nodes on {} from node '{}'", s.nodes.size(), s.device,
                                                   graph.node(s.nodes.front()).name));
    parts.push_back({std::move(s), std::move(exe).value()});
  }
  return std::unique_ptr<Executable>(std::make_unique<HeteroExecutable>(graph, std::move(parts)));
}

}  // namespace es
