// Renders a PlacementReport for people (table, md) and programs (json).
#pragma once

#include "base/status.h"
#include "placement/placement.h"

#include <string>
#include <string_view>

namespace es::placement {

// format: "table" | "json" | "md"; anything else is an error naming --format.
Result<std::string> render_placement(const PlacementReport& report, std::string_view format);

}  // namespace es::placement
