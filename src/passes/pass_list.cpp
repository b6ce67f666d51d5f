// The passes edgescope has, in the default pipeline's order. Order matters: constants are folded and
// no-ops removed first so the fusions see Conv -> BN -> Add -> activation chains directly; batchnorm is
// folded before conv+add, and conv+add before conv+activation, so ResNet's Conv+BN+Add+Relu becomes
// one FusedConv with Sum and Relu.
#include "passes/pass.h"
#include "passes/passes.h"

namespace es {

const std::vector<Pass>& all_passes() {
  static const std::vector<Pass> passes = {
      {"fold_constants", "evaluate nodes whose inputs are all constant into initializers", passes::fold_constants},
      {"eliminate_identity", "remove Identity, inference Dropout and no-op Reshape/Expand/Transpose/Cast/Pad",
       passes::eliminate_identity},
      {"eliminate_dead_nodes", "remove nodes whose results reach no graph output", passes::eliminate_dead_nodes},
      {"fuse_conv_batchnorm", "fold BatchNormalization with constant parameters into the preceding Conv",
       passes::fuse_conv_batchnorm},
      {"fuse_conv_add", "fuse a residual Add of a same-shaped tensor into the preceding Conv (FusedConv Sum)",
       passes::fuse_conv_add},
      {"fuse_conv_activation", "fuse Relu/Clip/LeakyRelu/Sigmoid/HardSigmoid/HardSwish/Tanh into the preceding Conv",
       passes::fuse_conv_activation},
  };
  return passes;
}

}  // namespace es
