// resnet50-v1.5: torchvision's resnet50 (stride on the 3x3 conv of each downsampling block) as
// torch.onnx.export writes it in eval mode at opset 12: BatchNormalization folded into Conv (with bias),
// Relu, Add, MaxPool, GlobalAveragePool (adaptive_avg_pool2d to 1x1), Flatten(axis 1), Gemm(transB 1):
// 53 Conv, 49 Relu, 16 Add, 1 MaxPool, 1 GlobalAveragePool, 1 Flatten, 1 Gemm.
// Names follow the torch.onnx 1.x scheme seen in mobilenetv2-12 (see mobilenetv2.cpp): nodes
// "<Op>_<position>", traced values numbered from (state-dict entries + 1) = 321, each folded Conv takes
// three fresh numbers after the trace (output, weight, bias); "input"/"output"/"batch_size" are the
// names the export call gives. No real export was available to compare numbers against.
#include "zoo/graph_helpers.h"
#include "zoo/resnet_layout.h"
#include "zoo/weights.h"
#include "zoo/zoo.h"

#include <cmath>

namespace es::zoo {
namespace {

constexpr int64_t kStateDictEntries = 53 + 53 * 5 + 2;  // conv weights, BN (5 tensors each), fc
// Values the trace numbers: 2 per conv+bn, 1 per relu/add/maxpool/pool/flatten/gemm (the Gemm's is renamed).
constexpr int64_t kTracedValues = 53 * 2 + 49 + 16 + 1 + 1 + 1 + 1;

class ResNet50V15Builder {
 public:
  explicit ResNet50V15Builder(const ZooOptions& options) : weights_(options.seed), batch_(options.batch) {
    graph_.name = "torch-jit-export";
    graph_.opset = 12;
  }

  Graph build() {
    ValueId x = graph_.add_value("input", DType::f32, {batch_, 3, 224, 224});
    graph_.inputs.push_back(x);
    x = relu(conv(x, 3, kResNetStemChannels, 7, 2, 3, std::sqrt(2.0)));
    x = add_op(graph_, OpKind::MaxPool, node_name("MaxPool"), {x}, trace_number(),
               make_attrs({{"ceil_mode", int64_t{0}},
                           {"kernel_shape", std::vector<int64_t>{3, 3}},
                           {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                           {"strides", std::vector<int64_t>{2, 2}}}));
    int64_t channels = kResNetStemChannels;
    for (const ResNetStage& stage : kResNet50Stages) {
      for (int64_t b = 0; b < stage.blocks; ++b) {
        x = bottleneck(x, channels, stage.mid_channels, b == 0 ? stage.stride : 1);
        channels = stage.mid_channels * 4;
      }
    }
    x = add_op(graph_, OpKind::GlobalAveragePool, node_name("GlobalAveragePool"), {x}, trace_number());
    x = add_op(graph_, OpKind::Flatten, node_name("Flatten"), {x}, trace_number(),
               make_attrs({{"axis", int64_t{1}}}));
    ValueId w = graph_.add_initializer("fc.weight", weights_.kaiming({kImageNetClasses, channels}, 1.0));
    ValueId b = graph_.add_initializer("fc.bias", weights_.uniform({kImageNetClasses}, -0.1, 0.1));
    x = add_op(graph_, OpKind::Gemm, node_name("Gemm"), {x, w, b}, "output",
               make_attrs({{"alpha", 1.0f}, {"beta", 1.0f}, {"transB", int64_t{1}}}));
    set_classifier_output(graph_, x, batch_, kImageNetClasses);
    return std::move(graph_);
  }

 private:
  std::string node_name(std::string_view op) const { return fmt::format("{}_{}", op, graph_.nodes.size()); }
  std::string trace_number() { return std::to_string(trace_++); }

  // Conv with the folded BN's bias.
  ValueId conv(ValueId x, int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t pad, double gain) {
    trace_ += 2;  // the traced Conv and BatchNormalization outputs, replaced by the folded Conv
    int64_t fresh = folded_;
    folded_ += 3;
    ValueId w = graph_.add_initializer(std::to_string(fresh + 1), weights_.kaiming({out, in, kernel, kernel}, gain));
    ValueId b = graph_.add_initializer(std::to_string(fresh + 2), weights_.uniform({out}, -0.05, 0.05));
    return add_op(graph_, OpKind::Conv, node_name("Conv"), {x, w, b}, std::to_string(fresh),
                  conv_attrs(kernel, stride, pad));
  }

  ValueId relu(ValueId x) { return add_op(graph_, OpKind::Relu, node_name("Relu"), {x}, trace_number()); }

  // torchvision Bottleneck: conv1 (1x1) -> conv2 (3x3, stride) -> conv3 (1x1), downsample after conv3.
  ValueId bottleneck(ValueId x, int64_t in, int64_t mid, int64_t stride) {
    int64_t out = mid * 4;
    ValueId y = relu(conv(x, in, mid, 1, 1, 0, std::sqrt(2.0)));
    y = relu(conv(y, mid, mid, 3, stride, 1, std::sqrt(2.0)));
    y = conv(y, mid, out, 1, 1, 0, std::sqrt(2.0) * kResidualBranchScale);
    ValueId identity = x;
    if (stride != 1 || in != out) identity = conv(x, in, out, 1, stride, 0, 1.0);
    ValueId sum = add_op(graph_, OpKind::Add, node_name("Add"), {y, identity}, trace_number());
    return relu(sum);
  }

  Graph graph_;
  WeightGenerator weights_;
  int64_t batch_;
  int64_t trace_ = kStateDictEntries + 1;
  int64_t folded_ = kStateDictEntries + 1 + kTracedValues;  // the first number after the trace
};

}  // namespace

Graph build_resnet50_v1_5(const ZooOptions& options) { return ResNet50V15Builder(options).build(); }

}  // namespace es::zoo
