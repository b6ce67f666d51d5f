#include "bench/result.h"
#include "bench/stats.h"

#include <map>

namespace es::bench {

es::Result<std::vector<LayerProfile>> profile_layers(Executable& executable, int64_t iterations) {
  std::vector<LayerProfile> layers;
  std::map<std::string, size_t> index;  // layer name -> position (keeps execution order)
  std::vector<std::vector<double>> samples;
  for (int64_t i = 0; i < iterations; ++i) {
    ES_ASSIGN_OR_RETURN(std::vector<LayerTime> times, executable.profile_layers());
    for (const LayerTime& t : times) {
      auto [it, added] = index.try_emplace(t.name, layers.size());
      if (added) {
        layers.push_back({.name = t.name, .op = t.op, .device = t.device, .implementation = t.implementation});
        samples.emplace_back();
      }
      samples[it->second].push_back(t.milliseconds);
    }
  }
  double grand_total = 0;
  for (size_t l = 0; l < layers.size(); ++l) {
    Summary s = summarize(samples[l]);
    layers[l].total_ms = s.mean * static_cast<double>(s.count);
    layers[l].average_ms = s.mean;
    layers[l].median_ms = s.median;
    grand_total += layers[l].total_ms;
  }
  for (LayerProfile& layer : layers) layer.percentage = grand_total > 0 ? layer.total_ms / grand_total * 100 : 0;
  return layers;
}

}  // namespace es::bench
