#include "placement/trt_network.h"

#include "base/assert.h"

namespace es::placement {

std::string_view layer_type_name(TrtLayerType type) {
  switch (type) {
#define ES_TRT_NAME(name) \
  case TrtLayerType::name: return #name;
    ES_TRT_LAYER_TYPES(ES_TRT_NAME)
#undef ES_TRT_NAME
  }
  ES_UNREACHABLE();
}

std::vector<LayerId> TrtNetwork::consumers(TensorId t) const {
  std::vector<LayerId> result;
  for (LayerId l = 0; l < static_cast<LayerId>(layers.size()); ++l)
    for (TensorId in : layers[static_cast<size_t>(l)].inputs)
      if (in == t) {
        result.push_back(l);
        break;
      }
  return result;
}

}  // namespace es::placement
