#include "base/log.h"

namespace es::log {
namespace {
Level current_level = Level::info;
}
Level level() { return current_level; }
void set_level(Level l) { current_level = l; }
}  // namespace es::log
