// The DLA's layer rules, one per documented limit, versioned by TensorRT release: what canRunOnDLA() answers
// for a layer of a TensorRT network, with the rule that decided it. Sources: ../shared/docs/dla-rules.md §1
// (TensorRT 8.4/8.5 developer guides, the 10.x DLA restriction pages, NVIDIA's Deep-Learning-Accelerator-SW
// operator matrix up to TensorRT 8.6.12). Limits marked [unverified] there are marked so in the rule text.
#pragma once

#include "placement/trt_network.h"

#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace es::placement {

enum class Precision { fp16, int8 };
std::string_view precision_name(Precision p);

struct DlaRule {
  std::string_view id;      // "conv.kernel"
  std::string_view limit;   // the rule in words: "kernel dimensions in [1, 32]"
  std::string_view source;  // where it is documented
};
// Every rule that applies under `version`, in the order they are checked.
std::vector<DlaRule> dla_rules(TrtVersion version);
const DlaRule& find_dla_rule(std::string_view id);  // asserts the id exists

struct Verdict {
  bool on_dla = true;
  std::string rule;    // rule id that sent the layer to the GPU ("" when it runs on the DLA)
  std::string reason;  // the rule's limit and the layer's offending value
};

struct DlaCheckContext {
  TrtVersion version = TrtVersion::v8_5;
  Precision precision = Precision::fp16;
  int dla_version = 2;  // 1 = Xavier, 2 = Orin
  // Whether a tensor is a build-time constant (an IConstant output, or folded by the builder).
  std::function<bool(TensorId)> is_constant;
};

Verdict check_dla(const TrtNetwork& network, const TrtLayer& layer, const DlaCheckContext& context);

// The convolution-buffer bank estimate of the 8.4 guide: weight banks for one kernel plus data banks for one
// kernel height of input rows; FAIL above 16 banks.
struct CbufBanks {
  int64_t weight_banks = 0;
  int64_t data_banks = 0;
  int64_t total() const { return weight_banks + data_banks; }
};
CbufBanks conv_cbuf_banks(int64_t input_channels, int64_t input_width, int64_t kernel_h, int64_t kernel_w,
                          int64_t dilation_h, Precision precision);

}  // namespace es::placement
