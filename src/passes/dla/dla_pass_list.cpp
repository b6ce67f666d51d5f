// The DLA pipeline's order: shape arithmetic is folded and no-ops dropped first, so the patterns below see
// static shapes and direct producer/consumer pairs; batchnorm folds into convolutions before the standalone
// ones are rewritten; pools are rewritten before fc_to_conv so that the classifier head
// GlobalAveragePool -> Flatten -> Gemm becomes AveragePool -> 1x1 Conv; dead nodes (the flattens) go last.
#include "passes/dla/dla_passes.h"
#include "passes/passes.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace es::passes::dla {
namespace {

Pass shared(std::string_view name) {
  const std::vector<Pass>& all = all_passes();
  auto it = std::find_if(all.begin(), all.end(), [&](const Pass& p) { return p.name == name; });
  ES_ASSERT(it != all.end());
  return *it;
}

}  // namespace

const std::vector<Pass>& dla_passes() {
  static const std::vector<Pass> passes = {
      shared("fold_constants"),
      shared("eliminate_identity"),
      shared("fuse_conv_batchnorm"),
      {"batchnorm_to_conv", "BatchNormalization with constant parameters (not after a Conv) -> depthwise 1x1 Conv "
       "(per-channel scale and shift; exact up to float rounding)", batchnorm_to_conv},
      {"global_pool_to_average_pool", "GlobalAveragePool / ReduceMean over H,W -> AveragePool, split into a cascade "
       "when a window exceeds 8 (one window exact; a cascade exact up to float rounding)", global_pool_to_average_pool},
      {"fc_to_conv", "Flatten/Reshape/Squeeze + Gemm or MatMul (+Add) -> Conv on the feature map + Reshape to the "
       "original shape (exact up to float rounding: summation order)", fc_to_conv},
      {"hard_activations_to_clip", "HardSigmoid / HardSwish -> (depthwise 1x1 Conv or Mul+Add) + Clip(0,1) (+Mul) "
       "(exact up to float rounding)", hard_activations_to_clip},
      {"div_to_mul", "Div by a constant -> Mul by its reciprocal (exact for powers of two, else up to float rounding)",
       div_to_mul},
      {"split_max_pool", "stride-1 'same' MaxPool with a window above 8 -> cascade of MaxPools of window <= 7 (exact)",
       split_max_pool},
      {"undilate_conv", "dilated Conv with padding >= kernel -> the same Conv with the dilation written into a "
       "zero-filled kernel (exact for finite inputs; more multiply-adds)", undilate_conv},
      {"concat_to_channel_axis", "Concat of 4-D tensors on H or W -> Transpose, Concat on C, Transpose back (exact)",
       concat_to_channel_axis},
      {"resize_sizes_to_scales", "Resize given by constant sizes -> the same Resize given by scales (exact)",
       resize_sizes_to_scales},
      shared("eliminate_dead_nodes"),
      {kKeep4dOutputs, "(--keep-4d-output) a [N,C,1,1] -> [N,C] reshape at a graph output is dropped: the output "
       "becomes 4-D (same values)", keep_4d_outputs},
  };
  return passes;
}

std::string dla_pass_list(std::string_view spec, bool keep_4d_output) {
  std::vector<std::string> names;
  if (spec == "default") {
    for (const Pass& p : dla_passes())
      if (p.name != kKeep4dOutputs) names.emplace_back(p.name);
  } else {
    names.emplace_back(spec);
  }
  std::string list = fmt::format("{}", fmt::join(names, ","));
  bool listed = spec != "default" && list.find(kKeep4dOutputs) != std::string::npos;
  if (keep_4d_output && !listed) list += fmt::format(",{}", kKeep4dOutputs);
  return list;
}

}  // namespace es::passes::dla
