#include "backends/cuda/storage_plan.h"

#include "backends/cuda/lowering.h"

#include <algorithm>
#include <array>
#include <map>
#include <numeric>

namespace es::cuda {

Strides stored_strides(std::span<const int64_t> shape, const Storage& storage) {
  Strides s;
  if (storage.nhwc && shape.size() == 4) {
    const int64_t c = shape[1], h = shape[2], w = shape[3];
    s.step[0] = h * w * c;
    s.step[1] = 1;
    s.step[2] = w * c;
    s.step[3] = c;
    return s;
  }
  int64_t step = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    s.step[i] = step;
    step *= shape[i];
  }
  return s;
}

void order_by_destination(Dims& dims, Strides& dst, std::initializer_list<Strides*> others) {
  std::array<int, kMaxRank> perm{};
  std::iota(perm.begin(), perm.begin() + dims.rank, 0);
  std::stable_sort(perm.begin(), perm.begin() + dims.rank, [&](int a, int b) { return dst.step[a] > dst.step[b]; });
  auto apply = [&](int64_t* values) {
    int64_t copy[kMaxRank];
    std::copy(values, values + kMaxRank, copy);
    for (int d = 0; d < dims.rank; ++d) values[d] = copy[perm[d]];
  };
  apply(dims.size);
  apply(dst.step);
  for (Strides* s : others) apply(s->step);
}

void count_reads(const Step& step, std::map<ValueId, int>& readers) {
  std::vector<ValueId> distinct = step.reads;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  for (ValueId r : distinct) ++readers[r];
}

bool layout_matters(const Value& value) {
  const Shape& s = value.shape;
  return s.size() == 4 && s[1] != 1 && s[2] * s[3] != 1;
}

namespace {

// A layout (and, at graph boundaries, element type) change between two stored forms of one tensor.
class ConvertStep final : public Step {
 public:
  Dims dims;
  Strides src_strides, dst_strides;
  bool src_half = false, dst_half = false;

  void configure(const Graph& graph, const std::vector<Storage>& storage) override {
    const Value& v = graph.value(reads[0]);
    dims = *dims_of(v.shape);
    src_half = storage[static_cast<size_t>(reads[0])].half;
    dst_half = storage[static_cast<size_t>(writes[0])].half;
    src_strides = stored_strides(v.shape, storage[static_cast<size_t>(reads[0])]);
    dst_strides = stored_strides(v.shape, storage[static_cast<size_t>(writes[0])]);
    order_by_destination(dims, dst_strides, {&src_strides});
  }
  Status run(const Context& ctx) override {
    launch_convert(ctx.stream, ctx.memory->data(reads[0]), src_half, src_strides, ctx.memory->data(writes[0]), dst_half,
                   dst_strides, dims);
    return check(cudaGetLastError(), name.c_str());
  }
};

class Planner {
 public:
  Planner(Graph& graph, Program& program, bool half) : graph_(graph), program_(program) {
    program_.storage.resize(graph.values.size());
    for (size_t i = 0; i < graph.values.size(); ++i)
      program_.storage[i].half = half && graph.values[i].dtype == DType::f32;
  }

  Storage& storage(ValueId id) { return program_.storage[static_cast<size_t>(id)]; }
  bool nhwc_that_matters(ValueId id) { return storage(id).nhwc && layout_matters(graph_.value(id)); }

  // The value `id` in layout `nhwc`, converting it (once) when its own layout differs in memory.
  ValueId in_layout(ValueId id, bool nhwc) {
    if (storage(id).nhwc == nhwc || !layout_matters(graph_.value(id))) return id;
    auto [it, added] = converted_.try_emplace({id, nhwc}, kNoValue);
    if (!added) return it->second;
    const Value v = graph_.value(id);
    const ValueId out = graph_.add_value(v.name + (nhwc ? "@nhwc" : "@nchw"), v.dtype, v.shape);
    program_.storage.push_back({storage(id).half, nhwc});
    auto step = std::make_unique<ConvertStep>();
    step->name = "convert " + v.name + (nhwc ? " to NHWC" : " to NCHW");
    step->op = "Convert";
    step->reads = {id};
    step->writes = {out};
    program_.steps.push_back(std::move(step));
    return it->second = out;
  }

  void add_step(std::unique_ptr<Step> step) {
    std::vector<ValueId> activations;
    for (ValueId r : step->reads)
      if (!graph_.value(r).is_initializer() && std::find(activations.begin(), activations.end(), r) == activations.end())
        activations.push_back(r);
    LayoutRule rule = step->layout_rule();
    // A convolution's weights are stored NHWC for it; one shared with another step stays row-major.
    if (rule == LayoutRule::nhwc) {
      const ValueId w = step->reads.size() > 1 ? step->reads[1] : kNoValue;
      if (w == kNoValue || !graph_.value(w).is_initializer() || readers_[w] > 1)
        rule = LayoutRule::dense;
      else
        storage(w).nhwc = true;
    }
    bool any_nhwc = false;
    for (ValueId r : activations) {
      if (rule == LayoutRule::nhwc && graph_.value(r).rank() == 4) step->rebind(r, in_layout(r, true));
      if (rule == LayoutRule::dense) step->rebind(r, in_layout(r, false));
      any_nhwc = any_nhwc || (graph_.value(r).rank() == 4 && storage(r).nhwc);
    }
    const bool first_nhwc = !activations.empty() && step->reads[0] == activations[0] && storage(activations[0]).nhwc;
    for (ValueId o : step->writes) {
      if (o == kNoValue) continue;
      const bool four_d = graph_.value(o).rank() == 4;
      storage(o).nhwc = four_d && (rule == LayoutRule::nhwc || rule == LayoutRule::nhwc_output ||
                                   (rule == LayoutRule::follow_any && any_nhwc) ||
                                   (rule == LayoutRule::follow_first && first_nhwc));
    }
    program_.steps.push_back(std::move(step));
  }

  void add_view(ValueId source, ValueId output) {
    // A view that keeps the shape keeps the layout; one that reshapes needs row-major bytes.
    const bool same_shape = graph_.value(source).shape == graph_.value(output).shape;
    if (!same_shape) source = in_layout(source, false);
    storage(output).nhwc = same_shape && storage(source).nhwc;
    views_.push_back({source, output});
  }

  void count_readers(const std::vector<PlanItem>& items) {
    for (const PlanItem& item : items)
      if (item.step != nullptr) count_reads(*item.step, readers_);
    for (ValueId o : graph_.outputs) ++readers_[o];
  }

  const std::vector<std::pair<ValueId, ValueId>>& views() const { return views_; }

 private:
  Graph& graph_;
  Program& program_;
  std::map<std::pair<ValueId, bool>, ValueId> converted_;
  std::map<ValueId, int> readers_;
  std::vector<std::pair<ValueId, ValueId>> views_;
};

}  // namespace

void plan_storage(Graph& graph, std::vector<PlanItem> items, bool half, Program& program) {
  Planner planner(graph, program, half);
  planner.count_readers(items);
  for (PlanItem& item : items) {
    if (item.step != nullptr)
      planner.add_step(std::move(item.step));
    else
      planner.add_view(item.view_of, item.view_output);
  }
  program.alias_of.resize(graph.values.size());
  std::iota(program.alias_of.begin(), program.alias_of.end(), ValueId{0});
  for (const auto& [source, output] : planner.views())
    program.alias_of[static_cast<size_t>(output)] = program.alias_of[static_cast<size_t>(source)];
  for (auto& step : program.steps) step->configure(graph, program.storage);
}

}  // namespace es::cuda
