// The fuzzer is a standalone build without the generated build_info.cpp; it names itself.
#include "base/build_info.h"

namespace es {

const BuildInfo& build_info() {
  static const BuildInfo info{"fuzz", "fuzz", "fuzz"};
  return info;
}

}  // namespace es
