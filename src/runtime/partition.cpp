#include "runtime/partition.h"

#include <algorithm>
#include <set>

namespace es {

namespace {

// The pin for a node: by its own name, else by an ONNX node it stands for (after fusion).
const std::string* find_pin(const PlacementPolicy& policy, const Node& node) {
  if (auto it = policy.pins.find(node.name); it != policy.pins.end()) return &it->second;
  for (const std::string& origin : node.origin)
    if (auto it = policy.pins.find(origin); it != policy.pins.end()) return &it->second;
  return nullptr;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_pins(const std::vector<std::string>& pins) {
  std::map<std::string, std::string> out;
  for (const std::string& pin : pins) {
    const size_t eq = pin.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pin.size())
      return error(StatusCode::invalid_argument, "--pin '{}': expected NODE=DEVICE (e.g. Conv_12=cpu)", pin);
    out[pin.substr(0, eq)] = pin.substr(eq + 1);
  }
  return out;
}

Result<bool> parse_fallback(const std::string& fallback) {
  if (fallback == "cpu") return true;
  if (fallback == "none") return false;
  return error(StatusCode::invalid_argument, "--fallback '{}': expected cpu or none", fallback);
}

Result<std::vector<std::string>> assign_devices(const Graph& graph, const PlacementPolicy& policy) {
  std::set<std::string> used_pins;
  std::vector<std::string> devices;
  for (const Node& node : graph.nodes) {
    if (const std::string* pin = find_pin(policy, node)) {
      if (*pin != "cpu" && *pin != policy.accelerator && policy.accelerator.rfind(*pin + ":", 0) != 0)
        return error(StatusCode::invalid_argument, "pin of node '{}': device '{}' is neither cpu nor {}", node.name, *pin,
                     policy.accelerator);
      if (*pin != "cpu" && !policy.accelerator_runs(graph, node))
        return error(StatusCode::unsupported, "pin of node '{}' to {}: op {} does not run there", node.name,
                     policy.accelerator, op_name(node.op));
      if (auto r = policy.restricted.find(node.name); *pin != "cpu" && r != policy.restricted.end())
        return error(StatusCode::unsupported, "pin of node '{}' to {}: its rule set keeps it off ({})", node.name,
                     policy.accelerator, r->second);
      devices.push_back(*pin == "cpu" ? "cpu" : policy.accelerator);
      for (const auto& [name, device] : policy.pins)
        if (name == node.name || std::find(node.origin.begin(), node.origin.end(), name) != node.origin.end())
          used_pins.insert(name);
      continue;
    }
    const auto restricted = policy.restricted.find(node.name);
    const bool runs = policy.accelerator_runs(graph, node);
    if (runs && restricted == policy.restricted.end()) {
      devices.push_back(policy.accelerator);
    } else if (policy.fallback_cpu) {
      devices.push_back("cpu");
    } else if (!runs) {
      return error(StatusCode::unsupported, "node '{}': op {} does not run on {} and CPU fallback is off", node.name,
                   op_name(node.op), policy.accelerator);
    } else {
      return error(StatusCode::unsupported, "node '{}': its rule set keeps it off {} ({}) and CPU fallback is off",
                   node.name, policy.accelerator, restricted->second);
    }
  }
  for (const auto& [name, device] : policy.pins)
    if (!used_pins.count(name)) return error(StatusCode::not_found, "pin '{}={}': no node of that name", name, device);
  return devices;
}

std::vector<Segment> partition(const Graph& graph, const std::vector<std::string>& devices) {
  std::vector<Segment> segments;
  std::vector<int> segment_of(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (segments.empty() || segments.back().device != devices[i]) segments.push_back({devices[i], {}, {}, {}, {}});
    segments.back().nodes.push_back(static_cast<NodeId>(i));
    segment_of[i] = static_cast<int>(segments.size()) - 1;
  }
  // A value crosses out of its segment when a later segment or the caller reads it.
  std::vector<bool> leaves(graph.values.size(), false);
  for (ValueId id : graph.outputs) leaves[static_cast<size_t>(id)] = true;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (ValueId id : graph.nodes[i].inputs) {
      if (id == kNoValue) continue;
      const NodeId producer = graph.value(id).producer;
      if (producer != kNoNode && segment_of[static_cast<size_t>(producer)] != segment_of[i])
        leaves[static_cast<size_t>(id)] = true;
    }

  for (Segment& seg : segments) {
    Graph& g = seg.graph;
    g.name = graph.name;
    g.opset = graph.opset;
    std::vector<ValueId> local(graph.values.size(), kNoValue);
    auto import = [&](ValueId id) {
      ValueId& l = local[static_cast<size_t>(id)];
      if (l != kNoValue) return l;
      const Value& v = graph.value(id);
      if (v.data != nullptr) {
        l = g.add_initializer(v.name, *v.data);  // known at compile time: no transfer needed
      } else {
        l = g.add_value(v.name, v.dtype, v.shape);
        g.inputs.push_back(l);
        seg.inputs.push_back(id);
      }
      return l;
    };
    for (NodeId n : seg.nodes) {
      const Node& node = graph.node(n);
      std::vector<ValueId> ins, outs;
      for (ValueId id : node.inputs) ins.push_back(id == kNoValue ? kNoValue : import(id));
      for (ValueId id : node.outputs) {
        if (id == kNoValue) {
          outs.push_back(kNoValue);
          continue;
        }
        const Value& v = graph.value(id);
        const ValueId l = g.add_value(v.name, v.dtype, v.shape);
        g.value(l).data = v.data;
        local[static_cast<size_t>(id)] = l;
        outs.push_back(l);
        if (leaves[static_cast<size_t>(id)]) {
          g.outputs.push_back(l);
          seg.outputs.push_back(id);
        }
      }
      const NodeId added = g.add_node(node.op, node.name, ins, outs, node.attrs);
      g.node(added).origin = node.origin;
    }
  }
  return segments;
}

}  // namespace es
