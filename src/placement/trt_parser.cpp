// The ONNX -> TensorRT layer mapping of onnx-tensorrt (builtin_op_importers.cpp, onnx2trt_utils.cpp,
// ShapeTensor.cpp of the 8.5-GA branch; 10.x differences noted where they change layers). Summarised with
// sources in ../shared/docs/dla-rules.md §2. The parts that decide layer counts:
//  - weights (initializers, Constant nodes) are not layers; convertToTensor() adds an IConstant when a
//    consumer needs a tensor, once per weights value;
//  - explicit ONNX shape ops (Shape, Gather, Concat, Unsqueeze, Reshape with a tensor shape) are always layers;
//  - the parser's own shape arithmetic (ShapeTensor) is free while every value it touches is known, and adds
//    IShape/IGather/IConcatenation/IConstant/IElementWise layers as soon as one is not (a -1 dimension).
#include "placement/trt_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>

namespace es::placement {
namespace {

using Type = TrtLayerType;

struct OutSpec {
  DType dtype;
  Shape dims;
};

struct ChainStep {
  Type type;
  const char* op;
};

std::optional<std::string_view> unary_op(OpKind op) {
  switch (op) {
    case OpKind::Abs: return "kABS";
    case OpKind::Acos: return "kACOS";
    case OpKind::Acosh: return "kACOSH";
    case OpKind::Asin: return "kASIN";
    case OpKind::Asinh: return "kASINH";
    case OpKind::Atan: return "kATAN";
    case OpKind::Atanh: return "kATANH";
    case OpKind::Ceil: return "kCEIL";
    case OpKind::Cos: return "kCOS";
    case OpKind::Cosh: return "kCOSH";
    case OpKind::Erf: return "kERF";
    case OpKind::Exp: return "kEXP";
    case OpKind::Floor: return "kFLOOR";
    case OpKind::Log: return "kLOG";
    case OpKind::Neg: return "kNEG";
    case OpKind::Not: return "kNOT";
    case OpKind::Reciprocal: return "kRECIP";
    case OpKind::Round: return "kROUND";
    case OpKind::Sign: return "kSIGN";
    case OpKind::Sin: return "kSIN";
    case OpKind::Sinh: return "kSINH";
    case OpKind::Sqrt: return "kSQRT";
    case OpKind::Tan: return "kTAN";
    default: return std::nullopt;
  }
}

std::optional<std::string_view> activation_op(OpKind op) {
  switch (op) {
    case OpKind::Relu: return "kRELU";
    case OpKind::LeakyRelu: return "kLEAKY_RELU";
    case OpKind::Sigmoid: return "kSIGMOID";
    case OpKind::Tanh: return "kTANH";
    case OpKind::HardSigmoid: return "kHARD_SIGMOID";
    case OpKind::Elu: return "kELU";
    case OpKind::Selu: return "kSELU";
    case OpKind::Softplus: return "kSOFTPLUS";
    case OpKind::Softsign: return "kSOFTSIGN";
    case OpKind::ThresholdedRelu: return "kTHRESHOLDED_RELU";
    default: return std::nullopt;
  }
}

std::optional<std::string_view> elementwise_op(OpKind op) {
  switch (op) {
    case OpKind::Add:
    case OpKind::Sum: return "kSUM";
    case OpKind::Sub: return "kSUB";
    case OpKind::Mul: return "kPROD";
    case OpKind::Div: return "kDIV";
    case OpKind::Pow: return "kPOW";
    case OpKind::Max: return "kMAX";
    case OpKind::Min: return "kMIN";
    case OpKind::Equal: return "kEQUAL";
    case OpKind::Greater: return "kGREATER";
    case OpKind::Less: return "kLESS";
    case OpKind::And: return "kAND";
    case OpKind::Or: return "kOR";
    case OpKind::Xor: return "kXOR";
    default: return std::nullopt;
  }
}

// Single-input ops the parser lowers to a fixed chain of layers (reduce variants without a native kind).
std::vector<ChainStep> chain_of(OpKind op) {
  switch (op) {
    case OpKind::GlobalAveragePool:
    case OpKind::ReduceMean: return {{Type::Reduce, "kAVG"}};
    case OpKind::GlobalMaxPool:
    case OpKind::ReduceMax: return {{Type::Reduce, "kMAX"}};
    case OpKind::ReduceMin: return {{Type::Reduce, "kMIN"}};
    case OpKind::ReduceSum: return {{Type::Reduce, "kSUM"}};
    case OpKind::ReduceProd: return {{Type::Reduce, "kPROD"}};
    case OpKind::ReduceL1: return {{Type::Unary, "kABS"}, {Type::Reduce, "kSUM"}};
    case OpKind::ReduceL2: return {{Type::ElementWise, "kPROD"}, {Type::Reduce, "kSUM"}, {Type::Unary, "kSQRT"}};
    case OpKind::ReduceSumSquare: return {{Type::ElementWise, "kPROD"}, {Type::Reduce, "kSUM"}};
    case OpKind::ReduceLogSum: return {{Type::Reduce, "kSUM"}, {Type::Unary, "kLOG"}};
    case OpKind::ReduceLogSumExp: return {{Type::Unary, "kEXP"}, {Type::Reduce, "kSUM"}, {Type::Unary, "kLOG"}};
    case OpKind::HardSwish: return {{Type::Activation, "kHARD_SIGMOID"}, {Type::ElementWise, "kPROD"}};
    case OpKind::LogSoftmax: return {{Type::SoftMax, ""}, {Type::Unary, "kLOG"}};
    case OpKind::DepthToSpace:
    case OpKind::SpaceToDepth: return {{Type::Shuffle, ""}, {Type::Shuffle, ""}};
    default: return {};
  }
}

// Ops that become one layer of a fixed type whose inputs are all converted to tensors.
std::optional<Type> plain_layer(OpKind op) {
  switch (op) {
    case OpKind::Where: return Type::Select;
    case OpKind::TopK:
    case OpKind::ArgMax:
    case OpKind::ArgMin: return Type::TopK;
    case OpKind::NonZero: return Type::NonZero;
    case OpKind::Einsum: return Type::Einsum;
    case OpKind::OneHot: return Type::OneHot;
    case OpKind::GatherElements:
    case OpKind::GatherND: return Type::Gather;
    case OpKind::Expand:
    case OpKind::Tile: return Type::Slice;
    case OpKind::Range:
    case OpKind::ConstantOfShape: return Type::Fill;
    case OpKind::LRN: return Type::LRN;
    default: return std::nullopt;
  }
}

// The parser's ShapeTensor: a 1-D vector of int values, each known at parse time or not (-1), materialised as
// a TensorRT tensor only when a layer needs it.
struct ShapeVec {
  std::vector<int64_t> values;
  TensorId tensor = kNone;   // the TensorRT tensor holding it, once materialised
  TensorId shape_of = kNone;  // it is the shape of this tensor (materialised as an IShape layer)
  // Values stay known after materialisation, as in ShapeTensor: only layer results are unknown (-1).
  bool known() const { return std::all_of(values.begin(), values.end(), [](int64_t v) { return v >= 0; }); }
  bool known_at(size_t i) const { return values[i] >= 0; }
};

class Parser {
 public:
  Parser(const Graph& graph, const ParserOptions& options)
      : g_(graph), o_(options), tensor_of_(graph.values.size(), kNone), weights_(graph.values.size(), false) {
    net_.version = options.version;
  }

  Result<TrtNetwork> run() {
    for (size_t v = 0; v < g_.values.size(); ++v) weights_[v] = g_.values[v].is_initializer();
    for (ValueId id : g_.inputs) {
      const Value& v = g_.value(id);
      if (!v.shape_known) return error(StatusCode::invalid_argument, "input '{}' has no static shape", v.name);
      Shape dims = v.shape;
      if (o_.dynamic_batch && !dims.empty()) dims[0] = -1;
      TensorId t = new_tensor(v.name, trt_dtype(v.dtype), dims, kNone);
      net_.tensors[static_cast<size_t>(t)].network_input = true;
      net_.inputs.push_back(t);
      tensor_of_[static_cast<size_t>(id)] = t;
    }
    for (const Node& n : g_.nodes) ES_TRY(import_node(n));
    for (ValueId id : g_.outputs) {
      TensorId t = tensor(id);
      net_.tensors[static_cast<size_t>(t)].network_output = true;
      net_.outputs.push_back(t);
    }
    return std::move(net_);
  }

 private:
  // ---- tensors and layers ------------------------------------------------------------------------------
  DType trt_dtype(DType d) const {
    // The 8.x parser stores INT64 as INT32; 10.x keeps INT64.
    if (d == DType::i64 && o_.version != TrtVersion::v10) return DType::i32;
    return d;
  }
  DType shape_dtype() const { return o_.version == TrtVersion::v10 ? DType::i64 : DType::i32; }

  TensorId new_tensor(std::string name, DType dtype, Shape dims, LayerId producer) {
    net_.tensors.push_back({std::move(name), dtype, std::move(dims), producer, false, false});
    return static_cast<TensorId>(net_.tensors.size() - 1);
  }
  const TrtTensor& t(TensorId id) const { return net_.tensors[static_cast<size_t>(id)]; }

  // Adds a layer for the current node; outputs get -1 in front when a data input has a dynamic first dim.
  LayerId add(Type type, std::vector<TensorId> inputs, std::vector<OutSpec> outs, LayerParams params = {},
              std::string note = {}) {
    LayerId id = static_cast<LayerId>(net_.layers.size());
    bool dynamic0 = type != Type::Shape && type != Type::Constant &&
                    std::any_of(inputs.begin(), inputs.end(),
                                [&](TensorId in) { return !t(in).dims.empty() && t(in).dims[0] < 0; });
    TrtLayer layer;
    layer.name = fmt::format("(Unnamed Layer* {}) [{}]", id, layer_type_name(type));
    layer.type = type;
    layer.inputs = std::move(inputs);
    layer.params = std::move(params);
    layer.note = std::move(note);
    if (node_) layer.onnx_nodes.push_back(node_->name);
    net_.layers.push_back(std::move(layer));
    for (size_t i = 0; i < outs.size(); ++i) {
      Shape dims = outs[i].dims;
      if (dynamic0 && !dims.empty()) dims[0] = -1;
      TensorId out = new_tensor(fmt::format("{}_out{}", net_.layers.back().name, i), outs[i].dtype, dims, id);
      net_.layers.back().outputs.push_back(out);
    }
    return id;
  }
  TensorId add1(Type type, std::vector<TensorId> inputs, OutSpec out, LayerParams params = {}, std::string note = {}) {
    LayerId l = add(type, std::move(inputs), {std::move(out)}, std::move(params), std::move(note));
    return net_.layers[static_cast<size_t>(l)].outputs[0];
  }

  OutSpec spec(ValueId v) const { return {trt_dtype(g_.value(v).dtype), g_.value(v).shape}; }
  OutSpec spec_of(TensorId id) const { return {t(id).dtype, t(id).dims}; }
  OutSpec out(size_t i = 0) const { return spec(node_->outputs[i]); }

  bool is_weights(ValueId v) const { return weights_[static_cast<size_t>(v)]; }
  const Tensor* weights_data(ValueId v) const { return is_weights(v) ? g_.value(v).data.get() : nullptr; }
  bool input_is_weights(size_t i) const { return !node_->has_input(i) || is_weights(node_->inputs[i]); }

  // convertToTensor(): a tensor as it is, or an IConstant for weights (one per weights value).
  TensorId tensor(ValueId v) {
    if (is_weights(v)) {
      auto it = constant_of_.find(v);
      if (it != constant_of_.end()) return it->second;
      TensorId c = add1(Type::Constant, {}, spec(v), {}, fmt::format("weights '{}'", g_.value(v).name));
      // TensorRT names a weights constant after the weights (e.g. "resnetv17_dense0_weight").
      net_.layers[static_cast<size_t>(t(c).producer)].name = g_.value(v).name;
      constant_of_[v] = c;
      return c;
    }
    TensorId id = tensor_of_[static_cast<size_t>(v)];
    ES_ASSERT_MSG(id != kNone, "value used before the node producing it was imported");
    return id;
  }
  TensorId in(size_t i) { return tensor(node_->inputs[i]); }
  TensorId constant(Shape dims, DType dtype, std::string note) {
    return add1(Type::Constant, {}, {dtype, std::move(dims)}, {}, std::move(note));
  }

  void bind(size_t output, TensorId id) {
    tensor_of_[static_cast<size_t>(node_->outputs[output])] = id;
    TrtTensor& tensor = net_.tensors[static_cast<size_t>(id)];
    tensor.name = g_.value(node_->outputs[output]).name;
  }
  void bind_weights(size_t output) { weights_[static_cast<size_t>(node_->outputs[output])] = true; }

  // broadcastTensor(): lower-rank operands get an IShuffle that prepends 1s.
  TensorId broadcast(TensorId id, size_t rank, const char* note) {
    if (t(id).dims.size() >= rank) return id;
    Shape dims(rank - t(id).dims.size(), 1);
    dims.insert(dims.end(), t(id).dims.begin(), t(id).dims.end());
    LayerParams p;
    p.reshape = true;
    return add1(Type::Shuffle, {id}, {t(id).dtype, dims}, p, note);
  }

  // ---- ShapeTensor emulation ---------------------------------------------------------------------------
  ShapeVec shape_of(TensorId id) {
    ShapeVec s;
    s.values = t(id).dims;
    s.shape_of = id;
    return s;
  }
  ShapeVec known(std::vector<int64_t> values) {
    ShapeVec s;
    s.values = std::move(values);
    return s;
  }
  TensorId materialize(ShapeVec& s, const char* note) {
    if (s.tensor != kNone) return s.tensor;
    const Shape dims{static_cast<int64_t>(s.values.size())};
    if (s.known()) {
      s.tensor = constant(dims, shape_dtype(), note);
    } else {
      ES_ASSERT(s.shape_of != kNone);
      s.tensor = add1(Type::Shape, {s.shape_of}, {shape_dtype(), dims}, {}, note);
    }
    return s.tensor;
  }
  ShapeVec gather(ShapeVec& data, const std::vector<int64_t>& indices, const char* note) {
    bool all = std::all_of(indices.begin(), indices.end(), [&](int64_t i) { return data.known_at(static_cast<size_t>(i)); });
    if (all) {
      std::vector<int64_t> values;
      for (int64_t i : indices) values.push_back(data.values[static_cast<size_t>(i)]);
      return known(values);
    }
    ShapeVec idx = known(indices);
    // Indices before data: the order in which TensorRT 8.5 (built with GCC) creates them.
    TensorId i = materialize(idx, note);
    TensorId d = materialize(data, note);
    ShapeVec r;
    r.values.assign(indices.size(), -1);
    r.tensor = add1(Type::Gather, {d, i}, {shape_dtype(), {static_cast<int64_t>(indices.size())}}, {}, note);
    return r;
  }
  ShapeVec mul(ShapeVec& a, ShapeVec& b, const char* note) {
    auto all_one = [](const ShapeVec& s) {
      return s.known() && std::all_of(s.values.begin(), s.values.end(), [](int64_t v) { return v == 1; });
    };
    if (all_one(a)) return b;
    if (all_one(b)) return a;
    if (a.known() && b.known()) {
      std::vector<int64_t> values(a.values.size());
      for (size_t i = 0; i < values.size(); ++i) values[i] = a.values[i] * b.values[i];
      return known(values);
    }
    TensorId x = materialize(a, note), y = materialize(b, note);
    LayerParams p;
    p.op = "kPROD";
    ShapeVec r;
    r.values.assign(a.values.size(), -1);
    r.tensor = add1(Type::ElementWise, {x, y}, {shape_dtype(), {static_cast<int64_t>(a.values.size())}}, p, note);
    return r;
  }
  ShapeVec product(ShapeVec& dims, size_t first, size_t last, const char* note) {
    ShapeVec z = known({1});
    for (size_t i = first; i < last; ++i) {
      ShapeVec g = gather(dims, {static_cast<int64_t>(i)}, note);
      z = mul(z, g, note);
    }
    return z;
  }
  ShapeVec concat(ShapeVec& a, ShapeVec& b, const char* note) {
    if (a.known() && b.known()) {
      std::vector<int64_t> values = a.values;
      values.insert(values.end(), b.values.begin(), b.values.end());
      return known(values);
    }
    TensorId x = materialize(a, note), y = materialize(b, note);
    ShapeVec r;
    r.values.assign(a.values.size() + b.values.size(), -1);
    r.tensor = add1(Type::Concatenation, {x, y}, {shape_dtype(), {static_cast<int64_t>(r.values.size())}}, {}, note);
    return r;
  }
  // addShuffle(): reshape dimensions set on the layer when known, else wired in as a shape tensor.
  TensorId reshape(TensorId data, ShapeVec& dims, OutSpec result, const char* note) {
    LayerParams p;
    p.reshape = true;
    if (dims.known()) return add1(Type::Shuffle, {data}, std::move(result), p, note);
    p.runtime_params = true;
    TensorId shape = materialize(dims, note);
    return add1(Type::Shuffle, {data, shape}, std::move(result), p, note);
  }
  // flattenTensor(): [d0 * .. * d(axis-1), d(axis) * .. * d(n-1)].
  TensorId flatten(TensorId data, size_t axis, OutSpec result, const char* note) {
    ShapeVec dims = shape_of(data);
    ShapeVec d0 = product(dims, 0, axis, note);
    ShapeVec d1 = product(dims, axis, dims.values.size(), note);
    ShapeVec both = concat(d0, d1, note);
    return reshape(data, both, std::move(result), note);
  }

  // ---- attributes --------------------------------------------------------------------------------------
  std::vector<int64_t> ints(const char* name, std::vector<int64_t> fallback = {}) const {
    return node_->attrs.get_ints(name, std::move(fallback));
  }
  int64_t normalized_axis(int64_t axis, size_t rank) const {
    return axis < 0 ? axis + static_cast<int64_t>(rank) : axis;
  }
  std::vector<int64_t> int_input(size_t i) const {
    const Tensor* w = node_->has_input(i) ? weights_data(node_->inputs[i]) : nullptr;
    return w ? w->to_int64_vector() : std::vector<int64_t>{};
  }

  // Kernel, stride, padding and dilation of Conv/ConvTranspose/pools, with auto_pad resolved from the shapes.
  LayerParams window_params(const Shape& in_dims, std::vector<int64_t> kernel) const {
    LayerParams p;
    size_t n = kernel.size();
    p.kernel = kernel;
    p.strides = ints("strides", std::vector<int64_t>(n, 1));
    p.dilations = ints("dilations", std::vector<int64_t>(n, 1));
    std::vector<int64_t> pads = ints("pads", std::vector<int64_t>(2 * n, 0));
    std::string auto_pad = node_->attrs.get_string("auto_pad", "NOTSET");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      for (size_t i = 0; i < n && i + 2 < in_dims.size(); ++i) {
        int64_t in = in_dims[i + 2];
        int64_t out = (in + p.strides[i] - 1) / p.strides[i];
        int64_t total = std::max<int64_t>(0, (out - 1) * p.strides[i] + (kernel[i] - 1) * p.dilations[i] + 1 - in);
        pads[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        pads[i + n] = total - pads[i];
      }
    }
    p.pads_begin.assign(pads.begin(), pads.begin() + static_cast<long>(n));
    p.pads_end.assign(pads.begin() + static_cast<long>(n), pads.end());
    return p;
  }

  // ---- importers ---------------------------------------------------------------------------------------
  Status import_node(const Node& n) {
    node_ = &n;
    for (ValueId v : n.inputs)
      if (v != kNoValue && !g_.value(v).shape_known)
        return error(StatusCode::invalid_argument, "node '{}' ({}): input '{}' has no inferred shape", n.name,
                     op_name(n.op), g_.value(v).name);
    for (ValueId v : n.outputs)
      if (!g_.value(v).shape_known)
        return error(StatusCode::invalid_argument, "node '{}' ({}): output '{}' has no inferred shape", n.name,
                     op_name(n.op), g_.value(v).name);
    size_t first_layer = net_.layers.size();
    primary_ = kNone;
    dispatch(n);
    // The node's main layer carries the node's name, as in TensorRT's logs: the one an importer marks
    // (Gemm: the MatrixMultiply), else the one producing the node's first output.
    LayerId main = primary_;
    if (main == kNone && !n.outputs.empty() && !is_weights(n.outputs[0])) {
      TensorId o = tensor_of_[static_cast<size_t>(n.outputs[0])];
      main = o == kNone ? kNone : t(o).producer;
    }
    if (main != kNone && static_cast<size_t>(main) >= first_layer) net_.layers[static_cast<size_t>(main)].name = n.name;
    node_ = nullptr;
    return {};
  }

  void dispatch(const Node& n) {
    if (auto op = activation_op(n.op)) return activation(*op);
    if (auto op = unary_op(n.op)) return single(Type::Unary, *op);
    if (auto op = elementwise_op(n.op)) return elementwise(*op);
    if (auto type = plain_layer(n.op)) return plain(*type);
    if (auto steps = chain_of(n.op); !steps.empty()) return chain(steps);
    switch (n.op) {
      case OpKind::Constant: return bind_weights(0);
      case OpKind::Identity:
      case OpKind::Dropout: return identity();
      case OpKind::Cast: return cast();
      case OpKind::Conv: return conv();
      case OpKind::ConvTranspose: return deconv();
      case OpKind::MaxPool:
      case OpKind::AveragePool: return pool();
      case OpKind::BatchNormalization: return batchnorm();
      case OpKind::Clip: return clip();
      case OpKind::Gemm: return gemm();
      case OpKind::MatMul: return matmul();
      case OpKind::Flatten: return flatten_node();
      case OpKind::Reshape: return reshape_node();
      case OpKind::Transpose: return transpose();
      case OpKind::Squeeze: return squeeze();
      case OpKind::Unsqueeze: return unsqueeze();
      case OpKind::Concat: return concat_node();
      case OpKind::Shape: return shape_node();
      case OpKind::Gather: return gather_node();
      case OpKind::Slice: return slice();
      case OpKind::Split: return split();
      case OpKind::Softmax: return softmax();
      case OpKind::Resize: return resize();
      case OpKind::Pad: return pad();
      case OpKind::PRelu: return prelu();
      case OpKind::Mean: return mean();
      case OpKind::QuantizeLinear: return qdq(Type::Quantize);
      case OpKind::DequantizeLinear: return qdq(Type::Dequantize);
      case OpKind::InstanceNormalization: return normalization(o_.version == TrtVersion::v8_5);
      case OpKind::LayerNormalization:
        if (o_.version != TrtVersion::v8_5) return normalization(false);
        return unmapped("TensorRT 8.5's parser has no LayerNormalization importer");
      default: return unmapped("edgescope has no TensorRT mapping for this op");
    }
  }

  void unmapped(const char* why) {
    std::vector<TensorId> inputs;
    for (size_t i = 0; i < node_->inputs.size(); ++i)
      if (node_->has_input(i)) inputs.push_back(in(i));
    std::vector<OutSpec> outs;
    for (size_t i = 0; i < node_->outputs.size(); ++i) outs.push_back(out(i));
    LayerId l = add(Type::Unmapped, inputs, outs, {}, why);
    for (size_t i = 0; i < node_->outputs.size(); ++i) bind(i, net_.layers[static_cast<size_t>(l)].outputs[i]);
  }

  void single(Type type, std::string_view op) {
    LayerParams p;
    p.op = op;
    bind(0, add1(type, {in(0)}, out(), p));
  }

  void activation(std::string_view op) {
    LayerParams p;
    p.op = op;
    if (node_->op == OpKind::LeakyRelu) p.alpha = node_->attrs.get_float("alpha", 0.01f);
    if (node_->op == OpKind::HardSigmoid) {
      p.alpha = node_->attrs.get_float("alpha", 0.2f);
      p.beta = node_->attrs.get_float("beta", 0.5f);
    }
    bind(0, add1(Type::Activation, {in(0)}, out(), p));
  }

  void chain(const std::vector<ChainStep>& steps) {
    TensorId x = in(0);
    TensorId current = x;
    bool reduced = false;
    for (size_t i = 0; i < steps.size(); ++i) {
      LayerParams p;
      p.op = steps[i].op;
      reduced = reduced || steps[i].type == Type::Reduce;
      OutSpec s = i + 1 == steps.size() || reduced ? out() : spec_of(current);
      // HardSwish multiplies the gate with the input; ReduceL2/SumSquare square it.
      std::vector<TensorId> inputs{current};
      if (steps[i].type == Type::ElementWise) inputs.push_back(i == 0 ? current : x);
      current = add1(steps[i].type, inputs, s, p);
    }
    bind(0, current);
  }

  void plain(Type type) {
    std::vector<TensorId> inputs;
    // TopK's k and the ONNX shape/repeat inputs of Expand/Tile/Range are read as weights when they are.
    for (size_t i = 0; i < node_->inputs.size(); ++i)
      if (node_->has_input(i) && (i == 0 || !is_weights(node_->inputs[i]) || type == Type::Select))
        inputs.push_back(in(i));
    std::vector<OutSpec> outs;
    for (size_t i = 0; i < node_->outputs.size(); ++i) outs.push_back(out(i));
    LayerParams p;
    if (type == Type::LRN) p.kernel = {node_->attrs.get_int("size", 1)};
    LayerId l = add(type, inputs, outs, p);
    TensorId result = net_.layers[static_cast<size_t>(l)].outputs[0];
    if ((node_->op == OpKind::ArgMax || node_->op == OpKind::ArgMin) && node_->attrs.get_int("keepdims", 1) == 0) {
      LayerParams r;
      r.reshape = true;
      result = add1(Type::Shuffle, {result}, out(), r, "ArgMax keepdims=0");
    }
    bind(0, result);
    for (size_t i = 1; i < node_->outputs.size() && i < net_.layers[static_cast<size_t>(l)].outputs.size(); ++i)
      bind(i, net_.layers[static_cast<size_t>(l)].outputs[i]);
  }

  void identity() {
    if (is_weights(node_->inputs[0])) return bind_weights(0);
    bind(0, add1(Type::Identity, {in(0)}, out()));
  }

  // 8.x imports Cast as an IIdentity with an output type; 10.x has ICastLayer.
  void cast() {
    bind(0, add1(o_.version == TrtVersion::v10 ? Type::Cast : Type::Identity, {in(0)}, out()));
  }

  void conv() {
    TensorId x = in(0);
    const Value& w = g_.value(node_->inputs[1]);
    std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
    LayerParams p = window_params(g_.value(node_->inputs[0]).shape, kernel);
    p.groups = node_->attrs.get_int("group", 1);
    p.out_maps = w.shape[0];
    std::vector<TensorId> inputs{x};
    if (!is_weights(node_->inputs[1])) inputs.push_back(in(1));  // run-time kernel weights
    if (kernel.size() == 1) {
      // 1-D convolution: the parser unsqueezes to 2-D and squeezes back.
      LayerParams r;
      r.reshape = true;
      Shape d = t(x).dims;
      d.push_back(1);
      inputs[0] = add1(Type::Shuffle, {x}, {t(x).dtype, d}, r, "Conv1d unsqueeze");
      p.kernel.push_back(1);
      p.strides.push_back(1);
      p.dilations.push_back(1);
      p.pads_begin.push_back(0);
      p.pads_end.push_back(0);
      Shape o = out().dims;
      o.push_back(1);
      TensorId c = add1(Type::Convolution, inputs, {out().dtype, o}, p);
      return bind(0, add1(Type::Shuffle, {c}, out(), r, "Conv1d squeeze"));
    }
    bind(0, add1(Type::Convolution, inputs, out(), p));
  }

  void deconv() {
    const Value& w = g_.value(node_->inputs[1]);
    std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
    LayerParams p = window_params(g_.value(node_->inputs[0]).shape, kernel);
    p.groups = node_->attrs.get_int("group", 1);
    p.out_maps = w.shape.size() > 1 ? w.shape[1] * p.groups : 0;
    bind(0, add1(Type::Deconvolution, {in(0)}, out(), p));
  }

  void pool() {
    LayerParams p = window_params(g_.value(node_->inputs[0]).shape, ints("kernel_shape"));
    p.op = node_->op == OpKind::MaxPool ? "kMAX" : "kAVERAGE";
    bind(0, add1(Type::Pooling, {in(0)}, out(), p));
  }

  // BatchNormalization with constant parameters folds into one IScale; otherwise the parser spells the
  // formula out (batchnormFallback): broadcast parameters, (x - mean) / sqrt(var + eps) * scale + bias.
  void batchnorm() {
    bool constant = true;
    for (size_t i = 1; i < 5; ++i) constant = constant && input_is_weights(i);
    if (constant) {
      LayerParams p;
      p.op = "kCHANNEL";
      return bind(0, add1(Type::Scale, {in(0)}, out(), p));
    }
    size_t rank = t(in(0)).dims.size();
    std::vector<TensorId> params;
    for (size_t i = 1; i < 5; ++i) params.push_back(broadcast(in(i), rank, "batchnorm parameter broadcast"));
    TensorId eps = constant_tensor_like(params[3], "batchnorm epsilon");
    OutSpec s = out();
    auto ew = [&](TensorId a, TensorId b, const char* op) {
      LayerParams p;
      p.op = op;
      return add1(Type::ElementWise, {a, b}, s, p, "batchnorm fallback");
    };
    LayerParams sqrt_p;
    sqrt_p.op = "kSQRT";
    TensorId var_eps = ew(params[3], eps, "kSUM");
    TensorId stddev = add1(Type::Unary, {var_eps}, spec_of(var_eps), sqrt_p, "batchnorm fallback");
    TensorId centered = ew(in(0), params[2], "kSUB");
    TensorId normalized = ew(centered, stddev, "kDIV");
    TensorId scaled = ew(normalized, params[0], "kPROD");
    bind(0, ew(scaled, params[1], "kSUM"));
  }
  TensorId constant_tensor_like(TensorId like, const char* note) {
    return constant(Shape(t(like).dims.size(), 1), t(like).dtype, note);
  }

  // Clip with constant bounds is one IActivation kCLIP; bounds computed at run time become max/min.
  void clip() {
    if (input_is_weights(1) && input_is_weights(2)) {
      LayerParams p;
      p.op = "kCLIP";
      auto bound = [&](size_t i, float fallback) {
        const Tensor* w = node_->has_input(i) ? weights_data(node_->inputs[i]) : nullptr;
        return w && w->numel() == 1 ? w->to_float_vector()[0] : fallback;
      };
      p.alpha = bound(1, -INFINITY);
      p.beta = bound(2, INFINITY);
      return bind(0, add1(Type::Activation, {in(0)}, out(), p));
    }
    TensorId x = in(0);
    size_t rank = t(x).dims.size();
    const char* ops[] = {nullptr, "kMAX", "kMIN"};
    for (size_t i = 1; i < 3; ++i) {
      if (!node_->has_input(i)) continue;
      LayerParams p;
      p.op = ops[i];
      x = add1(Type::ElementWise, {x, broadcast(in(i), rank, "Clip bound broadcast")}, out(), p, "Clip bound");
    }
    bind(0, x);
  }

  void elementwise(std::string_view op) {
    std::vector<TensorId> inputs;
    size_t rank = 0;
    for (size_t i = 0; i < node_->inputs.size(); ++i) {
      inputs.push_back(in(i));
      rank = std::max(rank, t(inputs.back()).dims.size());
    }
    for (TensorId& x : inputs) x = broadcast(x, rank, "elementwise broadcast");
    if (inputs.size() == 1) return bind(0, add1(Type::Identity, {inputs[0]}, out()));
    TensorId acc = inputs[0];
    for (size_t i = 1; i < inputs.size(); ++i) {
      LayerParams p;
      p.op = op;
      acc = add1(Type::ElementWise, {acc, inputs[i]}, out(), p);
    }
    bind(0, acc);
  }

  // Mean = sum, then divide by a constant count.
  void mean() {
    elementwise("kSUM");
    if (node_->inputs.size() < 2) return;
    TensorId sum = tensor_of_[static_cast<size_t>(node_->outputs[0])];
    TensorId count = constant_tensor_like(sum, "Mean count");
    LayerParams p;
    p.op = "kDIV";
    bind(0, add1(Type::ElementWise, {sum, count}, out(), p, "Mean division"));
  }

  // Gemm (parser 8.2 and later): IMatrixMultiply on convertToTensor(B), then alpha, then C broadcast and
  // added. Parsers up to 8.0 used IFullyConnected instead; edgescope models 8.5 onwards.
  void gemm() {
    float alpha = node_->attrs.get_float("alpha", 1.0f);
    float beta = node_->attrs.get_float("beta", 1.0f);
    bool has_c = node_->has_input(2);
    LayerParams mm;
    mm.op = fmt::format("{} x {}", node_->attrs.get_int("transA", 0) ? "kTRANSPOSE" : "kNONE",
                        node_->attrs.get_int("transB", 0) ? "kTRANSPOSE" : "kNONE");
    TensorId a = in(0);
    TensorId b = in(1);
    mm.out_maps = out().dims.empty() ? 0 : out().dims.back();
    TensorId y = add1(Type::MatrixMultiply, {a, b}, out(), mm);
    primary_ = t(y).producer;
    auto scaled = [&](TensorId x, const char* note) {
      TensorId c = constant(Shape(t(x).dims.size(), 1), t(x).dtype, note);
      LayerParams p;
      p.op = "kPROD";
      return add1(Type::ElementWise, {x, c}, spec_of(x), p, note);
    };
    if (alpha != 1.0f) y = scaled(y, "Gemm alpha");
    if (has_c) {
      TensorId c = in(2);
      if (beta != 1.0f) c = scaled(c, "Gemm beta");
      c = broadcast(c, t(y).dims.size(), "Gemm bias broadcast");
      LayerParams p;
      p.op = "kSUM";
      y = add1(Type::ElementWise, {y, c}, out(), p, "Gemm bias");
    }
    bind(0, y);
  }

  void matmul() {
    TensorId a = in(0), b = in(1);
    LayerParams r;
    r.reshape = true;
    bool squeeze = false;
    for (TensorId* x : {&a, &b}) {
      if (t(*x).dims.size() == 1) {
        Shape d = x == &a ? Shape{1, t(*x).dims[0]} : Shape{t(*x).dims[0], 1};
        *x = add1(Type::Shuffle, {*x}, {t(*x).dtype, d}, r, "MatMul 1-D operand");
        squeeze = true;
      }
    }
    size_t rank = std::max(t(a).dims.size(), t(b).dims.size());
    a = broadcast(a, rank, "MatMul broadcast");
    b = broadcast(b, rank, "MatMul broadcast");
    LayerParams p;
    p.out_maps = t(b).dims.back();
    if (!squeeze) return bind(0, add1(Type::MatrixMultiply, {a, b}, out(), p));
    Shape d = t(a).dims;
    d.back() = t(b).dims.back();
    TensorId y = add1(Type::MatrixMultiply, {a, b}, {out().dtype, d}, p);
    bind(0, add1(Type::Shuffle, {y}, out(), r, "MatMul 1-D result"));
  }

  void flatten_node() {
    TensorId x = in(0);
    size_t rank = t(x).dims.size();
    size_t axis = static_cast<size_t>(normalized_axis(node_->attrs.get_int("axis", 1), rank));
    if (rank == 2 && axis == 1) return bind(0, add1(Type::Identity, {x}, out(), {}, "no-op Flatten"));
    bind(0, flatten(x, axis, out(), "Flatten"));
  }

  void reshape_node() {
    if (is_weights(node_->inputs[0]) && is_weights(node_->inputs[1])) return bind_weights(0);
    TensorId x = in(0);
    LayerParams p;
    p.reshape = true;
    if (is_weights(node_->inputs[1])) return bind(0, add1(Type::Shuffle, {x}, out(), p));
    p.runtime_params = true;
    bind(0, add1(Type::Shuffle, {x, in(1)}, out(), p));
  }

  void transpose() {
    if (is_weights(node_->inputs[0])) return bind_weights(0);
    LayerParams p;
    size_t rank = g_.value(node_->inputs[0]).shape.size();
    std::vector<int64_t> identity(rank);
    std::iota(identity.begin(), identity.end(), 0);
    p.permutation = ints("perm", std::vector<int64_t>(identity.rbegin(), identity.rend()));
    bind(0, add1(Type::Shuffle, {in(0)}, out(), p));
  }

  // squeezeTensor(): gathers the kept dimensions of shapeOf(x) and reshapes.
  void squeeze() {
    TensorId x = in(0);
    size_t rank = t(x).dims.size();
    std::vector<int64_t> axes = int_input(1);
    if (axes.empty())
      for (size_t i = 0; i < rank; ++i)
        if (t(x).dims[i] == 1) axes.push_back(static_cast<int64_t>(i));
    for (int64_t& a : axes) a = normalized_axis(a, rank);
    std::vector<int64_t> kept;
    for (size_t i = 0; i < rank; ++i)
      if (std::find(axes.begin(), axes.end(), static_cast<int64_t>(i)) == axes.end()) kept.push_back(static_cast<int64_t>(i));
    ShapeVec dims = shape_of(x);
    ShapeVec new_dims = gather(dims, kept, "Squeeze shape");
    bind(0, reshape(x, new_dims, out(), "Squeeze"));
  }

  // unsqueezeTensor(): interlace(shapeOf(x), [1]) = gather(concat(shapeOf(x), [1]), subscripts).
  void unsqueeze() {
    TensorId x = in(0);
    size_t rank = t(x).dims.size();
    std::vector<int64_t> axes = int_input(1);
    size_t out_rank = rank + axes.size();
    for (int64_t& a : axes) a = normalized_axis(a, out_rank);
    std::sort(axes.begin(), axes.end());
    std::vector<int64_t> subscripts(rank);
    std::iota(subscripts.begin(), subscripts.end(), 0);
    for (int64_t a : axes) subscripts.insert(subscripts.begin() + a, static_cast<int64_t>(rank));
    ShapeVec dims = shape_of(x);
    ShapeVec one = known({1});
    ShapeVec extended = concat(dims, one, "Unsqueeze shape");
    ShapeVec new_dims = gather(extended, subscripts, "Unsqueeze shape");
    bind(0, reshape(x, new_dims, out(), "Unsqueeze"));
  }

  void concat_node() {
    std::vector<TensorId> inputs;
    for (size_t i = 0; i < node_->inputs.size(); ++i) inputs.push_back(in(i));
    LayerParams p;
    p.axis = normalized_axis(node_->attrs.get_int("axis", 0), out().dims.size());
    bind(0, add1(Type::Concatenation, inputs, out(), p));
  }

  // Shape is always an IShape (even of a static tensor); 10.x adds an ICastLayer to INT64.
  void shape_node() {
    TensorId x = in(0);
    if (restores_softmax_shape(*node_) && std::none_of(t(x).dims.begin(), t(x).dims.end(), [](int64_t d) { return d < 0; }))
      return bind_weights(0);
    Shape dims{static_cast<int64_t>(t(x).dims.size())};
    if (o_.version != TrtVersion::v10) return bind(0, add1(Type::Shape, {x}, {DType::i32, dims}));
    TensorId s = add1(Type::Shape, {x}, {DType::i32, dims});
    bind(0, add1(Type::Cast, {s}, out(), {}, "Shape INT32 -> INT64"));
  }

  void gather_node() {
    LayerParams p;
    p.axis = normalized_axis(node_->attrs.get_int("axis", 0), g_.value(node_->inputs[0]).shape.size());
    TensorId data = in(0);
    TensorId indices = in(1);
    bind(0, add1(Type::Gather, {data, indices}, out(), p));
  }

  void slice() {
    LayerParams p;
    for (size_t i = 1; i < node_->inputs.size(); ++i)
      p.runtime_params = p.runtime_params || (node_->has_input(i) && !is_weights(node_->inputs[i]));
    std::vector<TensorId> inputs{in(0)};
    p.axis = -1;
    const Shape& in_dims = g_.value(node_->inputs[0]).shape;
    const Shape& out_dims = out().dims;
    for (size_t d = 0; d < in_dims.size() && d < out_dims.size(); ++d)
      if (in_dims[d] != out_dims[d] && p.axis < 0) p.axis = static_cast<int64_t>(d);
    bind(0, add1(Type::Slice, inputs, out(), p));
  }

  void split() {
    TensorId x = in(0);
    LayerParams p;
    p.axis = normalized_axis(node_->attrs.get_int("axis", 0), t(x).dims.size());
    for (size_t i = 0; i < node_->outputs.size(); ++i) bind(i, add1(Type::Slice, {x}, out(i), p));
  }

  // Before opset 13 the importer rewrites a Softmax whose axis is not the last one into
  // Shape(x) -> Flatten(x) -> Softmax(axis 1) -> Reshape(back to Shape(x)) (onnx/handlers/softmax.cpp): exactly
  // the parser's own flatten / reshape-back, whose target shape it knows at parse time (shapeOf of a static
  // tensor). That Shape node is therefore weights here, not an IShape layer.
  bool restores_softmax_shape(const Node& n) const {
    const std::string suffix = "_shape";
    if (n.name.size() <= suffix.size() || n.name.compare(n.name.size() - suffix.size(), suffix.size(), suffix) != 0)
      return false;
    std::string base = n.name.substr(0, n.name.size() - suffix.size());
    NodeId softmax = g_.find_node(base);
    if (softmax == kNoNode || g_.node(softmax).op != OpKind::Softmax) return false;
    std::vector<NodeId> users = g_.consumers(n.outputs[0]);
    return users.size() == 1 && g_.node(users[0]).name == base + "_reshape";
  }

  // Softmax since opset 13 works on one axis; before, the parser flattens to 2-D around `axis` and reshapes
  // back to shapeOf(input) (unless the importer already spelled that out, see restores_softmax_shape).
  void softmax() {
    TensorId x = in(0);
    size_t rank = t(x).dims.size();
    int64_t axis = normalized_axis(node_->attrs.get_int("axis", g_.opset < 13 ? 1 : -1), rank);
    LayerParams p;
    NodeId producer = g_.value(node_->inputs[0]).producer;
    bool expanded = producer != kNoNode && g_.node(producer).op == OpKind::Flatten &&
                    g_.node(producer).name == node_->name + "_flatten";
    if (g_.opset >= 13 || expanded) {
      p.axis = axis;
      return bind(0, add1(Type::SoftMax, {x}, out(), p));
    }
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i < rank; ++i) (static_cast<int64_t>(i) < axis ? outer : inner) *= out().dims[i];
    TensorId flat = flatten(x, static_cast<size_t>(axis), {t(x).dtype, {outer, inner}}, "Softmax (opset < 13) flatten");
    p.axis = 1;
    TensorId s = add1(Type::SoftMax, {flat}, spec_of(flat), p);
    ShapeVec back = shape_of(x);
    bind(0, reshape(s, back, out(), "Softmax (opset < 13) reshape back"));
  }

  void resize() {
    LayerParams p;
    std::string mode = node_->attrs.get_string("mode", "nearest");
    p.op = mode == "nearest" ? "kNEAREST" : mode == "linear" ? "kLINEAR" : "kCUBIC";
    const Shape& in_dims = g_.value(node_->inputs[0]).shape;
    const Shape& out_dims = out().dims;
    for (size_t i = 0; i < in_dims.size() && i < out_dims.size(); ++i)
      p.scales.push_back(in_dims[i] ? static_cast<double>(out_dims[i]) / static_cast<double>(in_dims[i]) : 0.0);
    // scales (input 2) or sizes (input 3) given as a run-time tensor: the layer takes them as an input.
    std::vector<TensorId> inputs{in(0)};
    for (size_t i = 1; i < node_->inputs.size(); ++i)
      if (node_->has_input(i) && !is_weights(node_->inputs[i])) {
        p.runtime_params = true;
        inputs.push_back(in(i));
      }
    bind(0, add1(Type::Resize, inputs, out(), p));
  }

  void pad() {
    std::vector<int64_t> pads = int_input(1);
    TensorId x = in(0);
    if (!pads.empty() && std::all_of(pads.begin(), pads.end(), [](int64_t v) { return v == 0; }))
      return bind(0, add1(Type::Identity, {x}, out(), {}, "Pad with zero pads"));
    size_t rank = t(x).dims.size();
    bool spatial_only = pads.size() == 2 * rank && rank == 4 && pads[0] == 0 && pads[1] == 0 && pads[4] == 0 &&
                        pads[5] == 0 && node_->attrs.get_string("mode", "constant") == "constant";
    LayerParams p;
    if (spatial_only) {
      p.pads_begin = {pads[2], pads[3]};
      p.pads_end = {pads[6], pads[7]};
    }
    p.runtime_params = pads.empty();
    bind(0, add1(spatial_only ? Type::Padding : Type::Slice, {x}, out(), p));
  }

  void prelu() {
    TensorId x = in(0);
    TensorId slope = broadcast(in(1), t(x).dims.size(), "PRelu slope broadcast");
    bind(0, add1(Type::ParametricReLU, {x, slope}, out()));
  }

  void qdq(Type type) {
    TensorId x = in(0);
    TensorId scale = in(1);  // the zero point is read as weights (it must be 0)
    bind(0, add1(type, {x, scale}, out()));
  }

  // InstanceNormalization is the InstanceNormalization_TRT plugin in 8.5; 8.6 and 10.x use INormalizationLayer
  // (also for LayerNormalization) with scale and bias tensors.
  void normalization(bool plugin) {
    if (plugin) return bind(0, add1(Type::PluginV2, {in(0)}, out(), {}, "InstanceNormalization_TRT plugin"));
    std::vector<TensorId> inputs{in(0)};
    for (size_t i = 1; i < node_->inputs.size(); ++i)
      if (node_->has_input(i)) inputs.push_back(in(i));
    bind(0, add1(Type::Normalization, inputs, out()));
  }

  const Graph& g_;
  ParserOptions o_;
  TrtNetwork net_;
  std::vector<TensorId> tensor_of_;
  std::vector<bool> weights_;
  std::map<ValueId, TensorId> constant_of_;
  const Node* node_ = nullptr;
  LayerId primary_ = kNone;  // the current node's main layer when it is not the last one
};

}  // namespace

Result<TrtNetwork> build_trt_network(const Graph& graph, const ParserOptions& options) {
  return Parser(graph, options).run();
}

}  // namespace es::placement
