// mobilenetv2-12: the ONNX Model Zoo's MobileNetV2-1.0 (torchvision, exported by torch.onnx at opset 12,
// BatchNormalization folded into Conv, ReLU6 as Clip). Copied node by node from
// shared/models/mobilenetv2-12-fp32-dequantized.onnx (same topology as the zoo file), including its names:
//  - nodes are "<Op>_<position>";
//  - Conv initializers are "conv<position>.weight/.bias"; every Clip reads the shared "clip_min"/"clip_max"
//    ([1]-shaped, 0 and 6);
//  - a Conv followed by Clip writes "conv<position>_out"; the Clip (or a Conv without Clip) writes the
//    number torch.onnx gave the folded Conv: a fresh counter from 474 in steps of 3 (output, weight, bias);
//  - Add and the classifier tail keep torch's trace numbers: a counter from 315 (after the 314 state-dict
//    entries) that each traced op of the unfolded model advances (ConvBNReLU 3, ConvBN 2, Add 1);
//  - the Reshape target's constant tail [-1] was folded into initializer "630" (next fresh number).
#include "zoo/graph_helpers.h"
#include "zoo/weights.h"
#include "zoo/zoo.h"

#include <cmath>

namespace es::zoo {
namespace {

struct InvertedResidualStage {
  int64_t expand;    // t
  int64_t channels;  // c
  int64_t repeats;   // n
  int64_t stride;    // s of the first block
};
constexpr InvertedResidualStage kStages[] = {
    {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
};

class MobileNetV2Builder {
 public:
  explicit MobileNetV2Builder(const ZooOptions& options) : weights_(options.seed), batch_(options.batch) {
    graph_.name = "torch-jit-export";
    graph_.opset = 12;
  }

  Graph build() {
    ValueId x = graph_.add_value("input", DType::f32, {batch_, 3, 224, 224});
    graph_.inputs.push_back(x);
    clip_min_ = graph_.add_initializer("clip_min", Tensor::from_vector<float>({1}, {0.0f}));
    clip_max_ = graph_.add_initializer("clip_max", Tensor::from_vector<float>({1}, {6.0f}));

    int64_t channels = 32;
    x = conv(x, 3, channels, 3, 2, 1, true);
    for (const InvertedResidualStage& stage : kStages) {
      for (int64_t i = 0; i < stage.repeats; ++i) {
        x = inverted_residual(x, channels, stage.channels, i == 0 ? stage.stride : 1, stage.expand);
        channels = stage.channels;
      }
    }
    x = conv(x, channels, 1280, 1, 1, 0, true);
    classifier(x, 1280, 1000);
    return std::move(graph_);
  }

 private:
  std::string node_name(std::string_view op) const { return fmt::format("{}_{}", op, graph_.nodes.size()); }
  std::string trace_number() { return std::to_string(trace_++); }

  // Conv with a folded-BN bias, optionally followed by ReLU6.
  ValueId conv(ValueId x, int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t pad, bool relu6,
               int64_t group = 1) {
    size_t position = graph_.nodes.size();
    // Projections (no activation) get gain 1: their output feeds an Add or the next block unrectified.
    double gain = relu6 ? std::sqrt(2.0) : 1.0;
    ValueId w = graph_.add_initializer(fmt::format("conv{}.weight", position),
                                       weights_.kaiming({out, in / group, kernel, kernel}, gain));
    ValueId b = graph_.add_initializer(fmt::format("conv{}.bias", position), weights_.uniform({out}, -0.1, 0.1));
    std::string folded = std::to_string(folded_);
    folded_ += 3;
    trace_ += relu6 ? 3 : 2;  // Conv, BatchNormalization[, Clip] of the traced model
    ValueId y = add_op(graph_, OpKind::Conv, node_name("Conv"), {x, w, b},
                       relu6 ? fmt::format("conv{}_out", position) : folded, conv_attrs(kernel, stride, pad, group));
    if (!relu6) return y;
    return add_op(graph_, OpKind::Clip, node_name("Clip"), {y, clip_min_, clip_max_}, folded);
  }

  ValueId inverted_residual(ValueId x, int64_t in, int64_t out, int64_t stride, int64_t expand) {
    int64_t hidden = in * expand;
    ValueId y = x;
    if (expand != 1) y = conv(y, in, hidden, 1, 1, 0, true);
    y = conv(y, hidden, hidden, 3, stride, 1, true, hidden);
    y = conv(y, hidden, out, 1, 1, 0, false);
    if (stride != 1 || in != out) return y;
    return add_op(graph_, OpKind::Add, node_name("Add"), {x, y}, trace_number());
  }

  // x.reshape(x.shape[0], -1) after the global pool, then the Linear layer.
  void classifier(ValueId x, int64_t features, int64_t classes) {
    ValueId pooled = add_op(graph_, OpKind::GlobalAveragePool, node_name("GlobalAveragePool"), {x}, trace_number());
    ValueId shape = add_op(graph_, OpKind::Shape, node_name("Shape"), {x}, trace_number(), {}, DType::i64);
    ValueId zero = add_op(graph_, OpKind::Constant, node_name("Constant"), {}, trace_number(),
                          make_attrs({{"value", Tensor::scalar<int64_t>(0)}}), DType::i64);
    ValueId batch = add_op(graph_, OpKind::Gather, node_name("Gather"), {shape, zero}, trace_number(),
                           make_attrs({{"axis", int64_t{0}}}), DType::i64);
    // The axes constant takes the next trace number; opset 12 writes it as an attribute instead.
    ValueId axes = graph_.add_initializer(trace_number(), Tensor::from_vector<int64_t>({1}, {0}));
    ValueId batch_1d = add_op(graph_, OpKind::Unsqueeze, node_name("Unsqueeze"), {batch, axes}, trace_number(), {},
                              DType::i64);
    ++trace_;  // the [-1] constant, folded into the fresh-numbered initializer below
    ValueId minus_one = graph_.add_initializer(std::to_string(folded_++), Tensor::from_vector<int64_t>({1}, {-1}));
    ValueId target = add_op(graph_, OpKind::Concat, node_name("Concat"), {batch_1d, minus_one}, trace_number(),
                            make_attrs({{"axis", int64_t{0}}}), DType::i64);
    ValueId flat = add_op(graph_, OpKind::Reshape, node_name("Reshape"), {pooled, target}, trace_number());
    ValueId w = graph_.add_initializer("classifier.1.weight", weights_.kaiming({classes, features}, 1.0));
    ValueId b = graph_.add_initializer("classifier.1.bias", weights_.uniform({classes}, -0.1, 0.1));
    ValueId out = add_op(graph_, OpKind::Gemm, node_name("Gemm"), {flat, w, b}, "output",
                         make_attrs({{"alpha", 1.0f}, {"beta", 1.0f}, {"transB", int64_t{1}}}));
    set_classifier_output(graph_, out, batch_, classes);
  }

  Graph graph_;
  WeightGenerator weights_;
  int64_t batch_;
  ValueId clip_min_ = kNoValue;
  ValueId clip_max_ = kNoValue;
  int64_t trace_ = 315;
  int64_t folded_ = 474;
};

}  // namespace

Graph build_mobilenetv2_12(const ZooOptions& options) { return MobileNetV2Builder(options).build(); }

}  // namespace es::zoo
