// resnet50-v1-12: the ONNX Model Zoo's ResNet50 v1, exported from MXNet Gluon (resnet50_v1) by mx2onnx
// and converted to opset 12. What is confirmed, and where (search tool, public repositories):
//  - every layer name and order, and the stride on the FIRST 1x1 conv of each downsampling block: the
//    TensorRT layer listing of resnet50-v1-12.onnx in a "trt-summary" README (conv0 -> batchnorm0 -> relu0 ->
//    pool0; per block conv/batchnorm 3k..3k+2, relu 2 per block, the downsample conv3/batchnorm3 after the
//    body, "__plus<i>", "activation<i>"; pool1; "flatten_473"; resnetv17_dense0_fwd with
//    resnetv17_dense0_weight/_bias), output [-1,128,28,28] right after stage2_conv0;
//  - input "data" ['N',3,224,224], output "resnetv17_dense0_fwd" ['N',1000] and the kernel/stride/pad of the
//    stem conv (7/2/3) and max pool (3/2/1): an api-translator log of the same file;
//  - graph name "mxnet_converted_model": an IREE run log of the file;
//  - the Flatten node named "flatten_<idx>" before a Gemm (transA 0, transB 1, alpha/beta 1): mx2onnx's
//    convert_fully_connected.
// Not confirmed (no copy of the file was reachable): initializer names follow Gluon's parameter names
// (<layer>_weight, <bn>_gamma/_beta/_running_mean/_running_var), BatchNormalization epsilon 1e-5 and
// momentum 0.9 (Gluon's defaults, which mx2onnx writes out).
#include "zoo/graph_helpers.h"
#include "zoo/resnet_layout.h"
#include "zoo/weights.h"
#include "zoo/zoo.h"

#include <cmath>

namespace es::zoo {
namespace {

class ResNet50V1Builder {
 public:
  explicit ResNet50V1Builder(const ZooOptions& options) : weights_(options.seed), batch_(options.batch) {
    graph_.name = "mxnet_converted_model";
    graph_.opset = 12;
  }

  Graph build() {
    ValueId x = graph_.add_value("data", DType::f32, {batch_, 3, 224, 224});
    graph_.inputs.push_back(x);
    Counters stem;
    x = conv_bn(x, "resnetv17_", stem, 3, kResNetStemChannels, 7, 2, 3, 1.0);
    x = relu(x, "resnetv17_", stem);
    x = op(OpKind::MaxPool, "resnetv17_pool0_fwd", {x},
           make_attrs({{"kernel_shape", std::vector<int64_t>{3, 3}},
                       {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                       {"strides", std::vector<int64_t>{2, 2}}}));
    int64_t channels = kResNetStemChannels;
    int stage_index = 1;
    for (const ResNetStage& stage : kResNet50Stages) {
      std::string prefix = fmt::format("resnetv17_stage{}_", stage_index++);
      Counters counters;
      for (int64_t b = 0; b < stage.blocks; ++b) {
        x = bottleneck(x, prefix, counters, channels, stage.mid_channels, b == 0 ? stage.stride : 1);
        channels = stage.mid_channels * 4;
      }
    }
    x = op(OpKind::GlobalAveragePool, "resnetv17_pool1_fwd", {x});
    x = op(OpKind::Flatten, "flatten_473", {x});
    ValueId w = graph_.add_initializer("resnetv17_dense0_weight", weights_.kaiming({kImageNetClasses, channels}, 1.0));
    ValueId b = graph_.add_initializer("resnetv17_dense0_bias", weights_.uniform({kImageNetClasses}, -0.1, 0.1));
    x = op(OpKind::Gemm, "resnetv17_dense0_fwd", {x, w, b},
           make_attrs({{"alpha", 1.0f}, {"beta", 1.0f}, {"transA", int64_t{0}}, {"transB", int64_t{1}}}));
    set_classifier_output(graph_, x, batch_, kImageNetClasses);
    return std::move(graph_);
  }

 private:
  // Gluon numbers layers per block (HybridSequential prefix): convN/batchnormN share N; reluN separately.
  struct Counters {
    int conv = 0;
    int relu = 0;
    int plus = 0;
  };

  // MXNet names each node's output after the node.
  ValueId op(OpKind kind, const std::string& name, std::vector<ValueId> inputs, Attributes attrs = {}) {
    return add_op(graph_, kind, name, std::move(inputs), name, std::move(attrs));
  }

  ValueId relu(ValueId x, const std::string& prefix, Counters& c) {
    return op(OpKind::Relu, fmt::format("{}relu{}_fwd", prefix, c.relu++), {x});
  }

  // Conv (no bias) + BatchNormalization; `gamma_scale` shrinks the BN's gamma (residual branch ends).
  ValueId conv_bn(ValueId x, const std::string& prefix, Counters& c, int64_t in, int64_t out, int64_t kernel,
                  int64_t stride, int64_t pad, double gamma_scale) {
    int n = c.conv++;
    std::string conv_name = fmt::format("{}conv{}", prefix, n);
    ValueId w = graph_.add_initializer(conv_name + "_weight", weights_.kaiming({out, in, kernel, kernel}, std::sqrt(2.0)));
    ValueId y = op(OpKind::Conv, conv_name + "_fwd", {x, w}, conv_attrs(kernel, stride, pad));
    std::string bn = fmt::format("{}batchnorm{}", prefix, n);
    ValueId gamma = graph_.add_initializer(bn + "_gamma", weights_.uniform({out}, 0.9 * gamma_scale, 1.1 * gamma_scale));
    ValueId beta = graph_.add_initializer(bn + "_beta", weights_.uniform({out}, -0.05, 0.05));
    ValueId mean = graph_.add_initializer(bn + "_running_mean", weights_.uniform({out}, -0.05, 0.05));
    ValueId var = graph_.add_initializer(bn + "_running_var", weights_.uniform({out}, 0.9, 1.1));
    return op(OpKind::BatchNormalization, bn + "_fwd", {y, gamma, beta, mean, var},
              make_attrs({{"epsilon", 1e-5f}, {"momentum", 0.9f}}));
  }

  // BottleneckV1: 1x1 (stride) -> 3x3 -> 1x1, then the downsample 1x1 (stride) in the first block.
  ValueId bottleneck(ValueId x, const std::string& prefix, Counters& c, int64_t in, int64_t mid, int64_t stride) {
    int64_t out = mid * 4;
    ValueId y = relu(conv_bn(x, prefix, c, in, mid, 1, stride, 0, 1.0), prefix, c);
    y = relu(conv_bn(y, prefix, c, mid, mid, 3, 1, 1, 1.0), prefix, c);
    y = conv_bn(y, prefix, c, mid, out, 1, 1, 0, kResidualBranchScale);
    ValueId shortcut = x;
    if (stride != 1 || in != out) shortcut = conv_bn(x, prefix, c, in, out, 1, stride, 0, 1.0 / std::sqrt(2.0));
    int n = c.plus++;
    ValueId sum = op(OpKind::Add, fmt::format("{}_plus{}", prefix, n), {y, shortcut});
    return op(OpKind::Relu, fmt::format("{}activation{}", prefix, n), {sum});
  }

  Graph graph_;
  WeightGenerator weights_;
  int64_t batch_;
};

}  // namespace

Graph build_resnet50_v1_12(const ZooOptions& options) { return ResNet50V1Builder(options).build(); }

}  // namespace es::zoo
