#include "zoo/zoo.h"

#include <array>

namespace es::zoo {
namespace {

constexpr std::array kModels = {
    ZooModel{"mobilenetv2-12",
             "MobileNetV2-1.0, ONNX Model Zoo PyTorch export (opset 12): 52 Conv (BN folded), 35 Clip, 10 Add",
             12, "batch_size", build_mobilenetv2_12},
    ZooModel{"resnet50-v1-12",
             "ResNet50 v1, ONNX Model Zoo MXNet export (opset 12): Conv + BatchNormalization, stride on the 1x1",
             12, "N", build_resnet50_v1_12},
    ZooModel{"resnet50-v1.5",
             "ResNet50 v1.5, torchvision exported by torch.onnx (opset 12): BN folded, stride on the 3x3",
             12, "batch_size", build_resnet50_v1_5},
};

}  // namespace

std::span<const ZooModel> zoo_models() { return kModels; }

const ZooModel* find_zoo_model(std::string_view name) {
  for (const ZooModel& m : kModels)
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace es::zoo
