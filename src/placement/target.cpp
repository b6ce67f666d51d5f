#include "placement/target.h"

#include "base/assert.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace es::placement {
namespace {

using nlohmann::json;

constexpr const char* kGroups[] = {"cpu", "gpu", "cuda", "dla", "memory"};

Status field_error(const std::string& file, const std::string& field, const std::string& problem) {
  return error(StatusCode::invalid_argument, "target file '{}': field '{}': {}", file, field, problem);
}

std::string number_text(double v) {
  std::string text = fmt::format("{}", v);
  return text;
}

Result<TargetParameter> parse_parameter(const std::string& file, const std::string& key, const json& entry) {
  if (!entry.is_object()) return field_error(file, key, "expected an object {\"value\": ..., \"source\": \"...\"}");
  if (!entry.contains("value")) return field_error(file, key + ".value", "missing");
  if (!entry.contains("source") || !entry["source"].is_string() || entry["source"].get<std::string>().empty())
    return field_error(file, key + ".source", "missing or not a non-empty string (every parameter names its source)");
  TargetParameter p;
  p.key = key;
  p.source = entry["source"].get<std::string>();
  const json& value = entry["value"];
  if (value.is_number()) {
    p.number = value.get<double>();
    p.value = number_text(*p.number);
  } else if (value.is_string()) {
    p.value = value.get<std::string>();
  } else {
    return field_error(file, key + ".value", "expected a number or a string");
  }
  return p;
}

// Reads an integer parameter that must exist and lie in [lo, hi].
Result<int> required_int(const Target& t, const std::string& file, const std::string& key, int lo, int hi) {
  const TargetParameter* p = t.find(key);
  if (!p) return field_error(file, key, "missing");
  if (!p->number || *p->number != static_cast<double>(static_cast<int64_t>(*p->number)) || *p->number < lo ||
      *p->number > hi)
    return field_error(file, key + ".value", fmt::format("expected an integer in [{}, {}], got {}", lo, hi, p->value));
  return static_cast<int>(*p->number);
}

}  // namespace

const TargetParameter* Target::find(std::string_view key) const {
  for (const TargetParameter& p : parameters)
    if (p.key == key) return &p;
  return nullptr;
}

Result<Target> parse_target(std::string_view json_text, const std::string& display_name) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded())
    return error(StatusCode::invalid_argument, "target file '{}': not valid JSON", display_name);
  if (!doc.is_object()) return field_error(display_name, "(top level)", "expected an object");
  Target t;
  t.origin = display_name;
  if (!doc.contains("name") || !doc["name"].is_string() || doc["name"].get<std::string>().empty())
    return field_error(display_name, "name", "missing or not a non-empty string");
  t.name = doc["name"].get<std::string>();
  if (doc.contains("description")) {
    if (!doc["description"].is_string()) return field_error(display_name, "description", "expected a string");
    t.description = doc["description"].get<std::string>();
  }
  for (const auto& [key, group] : doc.items()) {
    if (key == "name" || key == "description") continue;
    if (std::find(std::begin(kGroups), std::end(kGroups), key) == std::end(kGroups))
      return field_error(display_name, key, "unknown field (expected name, description, cpu, gpu, cuda, dla, memory)");
    if (!group.is_object()) return field_error(display_name, key, "expected an object of parameters");
    for (const auto& [name, entry] : group.items()) {
      ES_ASSIGN_OR_RETURN(TargetParameter p, parse_parameter(display_name, key + "." + name, entry));
      t.parameters.push_back(std::move(p));
    }
  }
  ES_ASSIGN_OR_RETURN(t.dla_cores, required_int(t, display_name, "dla.cores", 0, 16));
  if (t.dla_cores > 0) {
    ES_ASSIGN_OR_RETURN(t.dla_version, required_int(t, display_name, "dla.version", 1, 2));
  }
  return t;
}

Result<Target> load_target_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return error(StatusCode::not_found, "target file '{}': cannot be opened", path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_target(text.str(), path);
}

std::vector<Target> builtin_targets() {
  std::vector<Target> targets;
  for (const EmbeddedTargetFile& file : embedded_target_files()) {
    Result<Target> t = parse_target(file.json, std::string(file.name) + ".json (built in)");
    // The shipped files are tested; a broken one is a build defect, not a user error.
    ES_ASSERT_MSG(t.ok(), t.status().message().c_str());
    t->origin = "built-in";
    targets.push_back(std::move(t.value()));
  }
  std::sort(targets.begin(), targets.end(), [](const Target& a, const Target& b) { return a.name < b.name; });
  targets.push_back(detect_host_target());
  return targets;
}

Result<Target> find_target(const std::string& name_or_path) {
  if (name_or_path == "host") return detect_host_target();
  for (const EmbeddedTargetFile& file : embedded_target_files())
    if (file.name == name_or_path) {
      ES_ASSIGN_OR_RETURN(Target t, parse_target(file.json, std::string(file.name) + ".json (built in)"));
      t.origin = "built-in";
      return t;
    }
  if (std::filesystem::exists(name_or_path)) return load_target_file(name_or_path);
  std::string names;
  for (const EmbeddedTargetFile& file : embedded_target_files()) names += std::string(file.name) + ", ";
  return error(StatusCode::not_found, "--target '{}': neither a built-in target ({}host) nor an existing file",
               name_or_path, names);
}

}  // namespace es::placement
