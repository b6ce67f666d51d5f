// Facts about this build and machine that every result carries.
#pragma once

#include <map>
#include <string>

namespace es {

std::map<std::string, std::string> library_versions();  // "oneDNN" -> "2.6.3", ...
std::string host_description();                        // "AMD EPYC 9R45 (2 cores)"
std::string utc_now_iso8601();

}  // namespace es
