// The ResNet-50 bottleneck layout both ResNet builders share (He et al. 2015, table 1).
#pragma once

#include <cstdint>

namespace es::zoo {

struct ResNetStage {
  int64_t blocks;
  int64_t mid_channels;  // of the 1x1 -> 3x3 part; the block outputs 4x this
  int64_t stride;        // of the first block
};
inline constexpr ResNetStage kResNet50Stages[] = {{3, 64, 1}, {4, 128, 2}, {6, 256, 2}, {3, 512, 2}};
inline constexpr int64_t kResNetStemChannels = 64;
inline constexpr int64_t kResNetFeatures = 2048;
inline constexpr int64_t kImageNetClasses = 1000;
// Residual branches end with a small scale (their last BN gamma, or the folded conv's gain), so the
// sixteen additions keep activations at a steady magnitude with random weights.
inline constexpr double kResidualBranchScale = 0.2;

}  // namespace es::zoo
