// Node attributes: a sorted map from name to a typed value, with typed getters that take defaults.
#pragma once

#include "ir/tensor.h"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace es {

using AttrValue = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>,
                               std::vector<std::string>, Tensor>;

class Attributes {
 public:
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  void set(const std::string& name, AttrValue value) { values_[name] = std::move(value); }
  void erase(const std::string& name) { values_.erase(name); }
  const std::map<std::string, AttrValue>& all() const { return values_; }

  // Typed getters: the default when absent; asserts on a type mismatch (the importer validates types).
  int64_t get_int(const std::string& name, int64_t fallback) const { return get_or<int64_t>(name, fallback); }
  float get_float(const std::string& name, float fallback) const { return get_or<float>(name, fallback); }
  std::string get_string(const std::string& name, std::string fallback = {}) const {
    return get_or<std::string>(name, std::move(fallback));
  }
  std::vector<int64_t> get_ints(const std::string& name, std::vector<int64_t> fallback = {}) const {
    return get_or<std::vector<int64_t>>(name, std::move(fallback));
  }
  std::vector<float> get_floats(const std::string& name, std::vector<float> fallback = {}) const {
    return get_or<std::vector<float>>(name, std::move(fallback));
  }
  std::vector<std::string> get_strings(const std::string& name) const {
    return get_or<std::vector<std::string>>(name, {});
  }
  const Tensor* get_tensor(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : std::get_if<Tensor>(&it->second);
  }

  template <typename T>
  bool holds(const std::string& name) const {
    auto it = values_.find(name);
    return it != values_.end() && std::holds_alternative<T>(it->second);
  }

 private:
  template <typename T>
  T get_or(const std::string& name, T fallback) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    const T* v = std::get_if<T>(&it->second);
    ES_ASSERT_MSG(v != nullptr, "attribute has another type");
    return *v;
  }

  std::map<std::string, AttrValue> values_;
};

}  // namespace es
