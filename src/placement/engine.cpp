#include "placement/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace es::placement {
namespace {

bool conv_like(TrtLayerType t) {
  return t == TrtLayerType::Convolution || t == TrtLayerType::Deconvolution || t == TrtLayerType::FullyConnected ||
         t == TrtLayerType::MatrixMultiply;
}

// Layers the builder cannot evaluate at build time even with constant inputs.
bool foldable(TrtLayerType t) {
  return t != TrtLayerType::Unmapped && t != TrtLayerType::PluginV2 && t != TrtLayerType::NonZero &&
         t != TrtLayerType::Quantize && t != TrtLayerType::Dequantize;
}

class EngineBuilder {
 public:
  EngineBuilder(const TrtNetwork& net, const EngineOptions& options)
      : net_(net), o_(options), constant_(net.tensors.size(), false), folded_(net.layers.size(), false),
        group_of_(net.layers.size(), -1), consumers_(net.tensors.size()) {
    for (LayerId l = 0; l < static_cast<LayerId>(net.layers.size()); ++l)
      for (TensorId t : layer(l).inputs) consumers_[static_cast<size_t>(t)].push_back(l);
  }

  EngineModel run() {
    fold();
    find_absorbed_flattens();
    std::vector<Verdict> verdicts = judge();
    fuse(verdicts);
    partition();
    const int per_core = 16;
    while (model_.dla_loadables() > per_core) {
      // Too many loadables for one core: the smallest one goes to the GPU and the partition is redone.
      const EngineSegment* smallest = nullptr;
      for (const EngineSegment& s : model_.segments)
        if (s.on_dla && (!smallest || s.layers.size() < smallest->layers.size())) smallest = &s;
      for (int e : smallest->layers) {
        EngineLayer& el = model_.layers[static_cast<size_t>(e)];
        el.on_dla = false;
        el.verdict = {false, "loadables.max",
                      fmt::format("{}: {} loadables needed", find_dla_rule("loadables.max").limit,
                                  model_.dla_loadables())};
      }
      ++model_.loadables_moved_to_gpu;
      partition();
    }
    find_boundaries();
    return std::move(model_);
  }

 private:
  const TrtLayer& layer(LayerId l) const { return net_.layers[static_cast<size_t>(l)]; }
  const TrtTensor& tensor(TensorId t) const { return net_.tensors[static_cast<size_t>(t)]; }

  void fold() {
    for (LayerId l = 0; l < static_cast<LayerId>(net_.layers.size()); ++l) {
      const TrtLayer& L = layer(l);
      bool inputs_constant = std::all_of(L.inputs.begin(), L.inputs.end(),
                                         [&](TensorId t) { return constant_[static_cast<size_t>(t)]; });
      // IShape of a tensor is known at build time: the profile fixes every dimension.
      bool fold_it = L.type == TrtLayerType::Constant || L.type == TrtLayerType::Shape ||
                     (foldable(L.type) && !L.inputs.empty() && inputs_constant);
      if (!fold_it) continue;
      folded_[static_cast<size_t>(l)] = true;
      model_.folded.push_back(l);
      for (TensorId t : L.outputs) constant_[static_cast<size_t>(t)] = true;
    }
  }

  // A Shuffle that only flattens [N, C, 1, 1] to [N, C] in front of a matrix multiply by constant weights
  // disappears when the builder turns the multiply into a fully connected / 1x1 convolution layer (TensorRT's
  // engine for resnet50-v1-12 has no flatten_473 left, only "resnetv17_dense0_fwd").
  void find_absorbed_flattens() {
    absorbed_into_.assign(net_.layers.size(), kNone);
    for (LayerId l = 0; l < static_cast<LayerId>(net_.layers.size()); ++l) {
      const TrtLayer& S = layer(l);
      if (folded_[static_cast<size_t>(l)] || S.type != TrtLayerType::Shuffle || !S.params.permutation.empty()) continue;
      bool static_shape = std::all_of(S.inputs.begin() + 1, S.inputs.end(),
                                      [&](TensorId t) { return constant_[static_cast<size_t>(t)]; });
      if (!static_shape) continue;
      const Shape& in = tensor(S.inputs[0]).dims;
      const Shape& out = tensor(S.outputs[0]).dims;
      bool flattens = in.size() == 4 && in[2] == 1 && in[3] == 1 && out.size() == 2;
      if (!flattens || !single_use(S.outputs[0], kNone)) continue;
      const std::vector<LayerId>& users = consumers_[static_cast<size_t>(S.outputs[0])];
      if (users.size() != 1) continue;
      const TrtLayer& M = layer(users[0]);
      if (M.type == TrtLayerType::MatrixMultiply && M.inputs[0] == S.outputs[0] && M.inputs.size() > 1 &&
          constant_[static_cast<size_t>(M.inputs[1])])
        absorbed_into_[static_cast<size_t>(l)] = users[0];
    }
  }

  std::vector<Verdict> judge() {
    std::vector<Verdict> verdicts(net_.layers.size());
    DlaCheckContext checks = o_.checks;
    checks.is_constant = [this](TensorId t) { return constant_[static_cast<size_t>(t)]; };
    for (LayerId l = 0; l < static_cast<LayerId>(net_.layers.size()); ++l) {
      if (folded_[static_cast<size_t>(l)]) continue;
      if (!o_.use_dla) {
        verdicts[static_cast<size_t>(l)] = {false, "device.gpu", std::string(find_dla_rule("device.gpu").limit)};
        continue;
      }
      verdicts[static_cast<size_t>(l)] = check_dla(net_, layer(l), checks);
    }
    return verdicts;
  }

  // The producing layer of `t` that is still in the engine, or kNone.
  LayerId live_producer(TensorId t) const {
    LayerId p = tensor(t).producer;
    return p == kNone || folded_[static_cast<size_t>(p)] ? kNone : p;
  }
  // No engine layer other than `user` reads `t` (kNone: at most one reads it).
  bool single_use(TensorId t, LayerId user) const {
    if (tensor(t).network_output) return false;
    int others = 0;
    for (LayerId c : consumers_[static_cast<size_t>(t)])
      if (c != user && !folded_[static_cast<size_t>(c)]) ++others;
    return others <= (user == kNone ? 1 : 0);
  }

  void fuse(const std::vector<Verdict>& verdicts) {
    for (LayerId l = 0; l < static_cast<LayerId>(net_.layers.size()); ++l) {
      if (folded_[static_cast<size_t>(l)] || absorbed_into_[static_cast<size_t>(l)] != kNone) continue;
      const TrtLayer& L = layer(l);
      int target = -1;
      bool absorbable = L.type == TrtLayerType::Scale || L.type == TrtLayerType::Activation ||
                        L.type == TrtLayerType::ElementWise;
      if (absorbable) {
        for (TensorId t : L.inputs) {
          LayerId p = live_producer(t);
          if (p == kNone || constant_[static_cast<size_t>(t)] || !single_use(t, l)) continue;
          int g = group_of_[static_cast<size_t>(p)];
          const EngineLayer& group = model_.layers[static_cast<size_t>(g)];
          if (!conv_like(layer(group.members.front()).type)) continue;
          if (group.on_dla != verdicts[static_cast<size_t>(l)].on_dla) continue;
          if (L.type != TrtLayerType::ElementWise && t != L.inputs[0]) continue;
          target = std::max(target, g);  // a residual add joins the later of two convolutions
        }
      }
      if (target >= 0) {
        EngineLayer& group = model_.layers[static_cast<size_t>(target)];
        group.members.push_back(l);
        group.name += " + " + L.name;
        group_of_[static_cast<size_t>(l)] = target;
        continue;
      }
      EngineLayer e;
      e.name = L.name;
      e.members = {l};
      e.verdict = verdicts[static_cast<size_t>(l)];
      e.on_dla = e.verdict.on_dla;
      int id = static_cast<int>(model_.layers.size());
      group_of_[static_cast<size_t>(l)] = id;
      for (LayerId s = 0; s < l; ++s)
        if (absorbed_into_[static_cast<size_t>(s)] == l) {
          e.members.push_back(s);
          group_of_[static_cast<size_t>(s)] = id;
        }
      model_.layers.push_back(std::move(e));
    }
  }

  // List scheduling that stays on one device while it has ready layers: each maximal run is one segment.
  void partition() {
    model_.segments.clear();
    size_t n = model_.layers.size();
    std::vector<std::set<int>> successors(n);
    std::vector<int> indegree(n, 0);
    for (size_t e = 0; e < n; ++e)
      for (LayerId m : model_.layers[e].members)
        for (TensorId t : layer(m).inputs) {
          LayerId p = live_producer(t);
          if (p == kNone) continue;
          int from = group_of_[static_cast<size_t>(p)];
          if (from != static_cast<int>(e) && successors[static_cast<size_t>(from)].insert(static_cast<int>(e)).second)
            ++indegree[e];
        }
    std::set<int> ready;
    for (size_t e = 0; e < n; ++e)
      if (indegree[e] == 0) ready.insert(static_cast<int>(e));
    while (!ready.empty()) {
      bool device = model_.layers[static_cast<size_t>(*ready.begin())].on_dla;
      EngineSegment segment;
      segment.on_dla = device;
      for (;;) {
        auto it = std::find_if(ready.begin(), ready.end(),
                               [&](int e) { return model_.layers[static_cast<size_t>(e)].on_dla == device; });
        if (it == ready.end()) break;
        int e = *it;
        ready.erase(it);
        segment.layers.push_back(e);
        model_.layers[static_cast<size_t>(e)].segment = static_cast<int>(model_.segments.size());
        for (int s : successors[static_cast<size_t>(e)])
          if (--indegree[static_cast<size_t>(s)] == 0) ready.insert(s);
      }
      model_.segments.push_back(std::move(segment));
    }
    int gpu_islands = 0;
    for (EngineSegment& s : model_.segments) {
      if (s.on_dla) {
        // TensorRT names a DLA region after its first and last network layers.
        LayerId first = std::numeric_limits<LayerId>::max(), last = kNone;
        for (int e : s.layers)
          for (LayerId m : model_.layers[static_cast<size_t>(e)].members) {
            first = std::min(first, m);
            last = std::max(last, m);
          }
        s.name = fmt::format("{{ForeignNode[{}...{}]}}", layer(first).name, layer(last).name);
      } else {
        s.name = fmt::format("GPU island {}", gpu_islands++);
      }
    }
  }

  std::string format(TensorId t, bool dla_side) const {
    if (dla_side)
      return o_.checks.precision == Precision::int8 ? "int8 kCHW32 (DLA)" : "fp16 kCHW16 (DLA)";
    const TrtTensor& x = tensor(t);
    if (x.network_input || x.network_output) return fmt::format("{} kLINEAR (GPU)", dtype_name(x.dtype));
    return fmt::format("{} kLINEAR (GPU)", precision_name(o_.checks.precision));
  }
  DType side_dtype(TensorId t, bool dla_side) const {
    const TrtTensor& x = tensor(t);
    if (!dla_side && (x.network_input || x.network_output)) return x.dtype;
    return o_.checks.precision == Precision::int8 ? DType::i8 : DType::f16;
  }

  void add_boundary(TensorId t, const std::string& from, bool from_dla, const std::string& to, bool to_dla) {
    const TrtTensor& x = tensor(t);
    Boundary b;
    b.tensor = x.name;
    b.dims = x.dims;
    b.from = from;
    b.to = to;
    b.from_format = format(t, from_dla);
    b.to_format = format(t, to_dla);
    b.from_bytes = tensor_bytes(x.dims, side_dtype(t, from_dla), from_dla);
    b.to_bytes = tensor_bytes(x.dims, side_dtype(t, to_dla), to_dla);
    model_.boundaries.push_back(std::move(b));
  }

  void find_boundaries() {
    if (!o_.use_dla) return;
    std::set<std::pair<TensorId, int>> seen;
    for (size_t s = 0; s < model_.segments.size(); ++s) {
      const EngineSegment& seg = model_.segments[s];
      for (int e : seg.layers)
        for (LayerId m : model_.layers[static_cast<size_t>(e)].members)
          for (TensorId t : layer(m).inputs) {
            if (constant_[static_cast<size_t>(t)] || !seen.insert({t, static_cast<int>(s)}).second) continue;
            LayerId p = live_producer(t);
            if (p == kNone) {
              if (seg.on_dla && tensor(t).network_input) add_boundary(t, "network input", false, seg.name, true);
              continue;
            }
            const EngineSegment& from = model_.segments[static_cast<size_t>(
                model_.layers[static_cast<size_t>(group_of_[static_cast<size_t>(p)])].segment)];
            if (from.on_dla != seg.on_dla) add_boundary(t, from.name, from.on_dla, seg.name, seg.on_dla);
          }
    }
    for (TensorId t : net_.outputs) {
      LayerId p = live_producer(t);
      if (p == kNone) continue;
      const EngineSegment& from = model_.segments[static_cast<size_t>(
          model_.layers[static_cast<size_t>(group_of_[static_cast<size_t>(p)])].segment)];
      if (from.on_dla) add_boundary(t, from.name, true, "network output", false);
    }
  }

  const TrtNetwork& net_;
  const EngineOptions& o_;
  std::vector<bool> constant_;
  std::vector<bool> folded_;
  std::vector<int> group_of_;
  std::vector<LayerId> absorbed_into_;  // flatten Shuffle -> the matrix multiply that absorbs it
  std::vector<std::vector<LayerId>> consumers_;
  EngineModel model_;
};

}  // namespace

EngineModel build_engine(const TrtNetwork& network, const EngineOptions& options) {
  return EngineBuilder(network, options).run();
}

int EngineModel::dla_loadables() const {
  return static_cast<int>(std::count_if(segments.begin(), segments.end(), [](const EngineSegment& s) { return s.on_dla; }));
}

int EngineModel::gpu_layers() const {
  return static_cast<int>(std::count_if(layers.begin(), layers.end(), [](const EngineLayer& l) { return !l.on_dla; }));
}

int64_t tensor_bytes(const Shape& dims, DType dtype, bool dla_format) {
  int64_t elements = 1;
  size_t c_axis = dims.size() >= 3 ? dims.size() - 3 : dims.size();
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = std::max<int64_t>(dims[i], 1);  // -1: the build profile's 1
    if (dla_format && i == c_axis) {
      int64_t align = dtype == DType::i8 ? 32 : 16;
      d = (d + align - 1) / align * align;
    }
    elements *= d;
  }
  return elements * static_cast<int64_t>(dtype_size(dtype));
}

}  // namespace es::placement
