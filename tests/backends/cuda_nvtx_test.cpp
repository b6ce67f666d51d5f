// The CUDA backend's NVTX ranges as a profiler receives them, checked without one: nvtx_recorder (an NVTX
// injection library built beside this test) records every push and pop of short study-mode benches and a
// per-layer profile, and the ranges must nest as docs/cuda.md describes: per iteration H2D, compute (with a
// range per layer inside it, or none when a captured CUDA Graph replays), D2H, synchronize; in a profile run
// the layers on their own. Skipped where no GPU is visible.
#include "backends/cuda/cuda_backend.h"
#include "bench/harness.h"
#include "ir/builder.h"
#include "support/graph_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

namespace es::cuda {
namespace {

namespace fs = std::filesystem;
using Ints = std::vector<int64_t>;

struct Range {
  std::string name;
  std::vector<Range> children;
};

// The recorded pushes and pops as a forest of ranges; nullopt when a pop ends no open range, a range is
// left open, or a line is neither.
std::optional<std::vector<Range>> read_ranges(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Range> roots, open;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("push ")) {
      open.push_back({line.substr(5), {}});
    } else if (line == "pop" && !open.empty()) {
      Range done = std::move(open.back());
      open.pop_back();
      (open.empty() ? roots : open.back().children).push_back(std::move(done));
    } else {
      return std::nullopt;
    }
  }
  if (!open.empty()) return std::nullopt;
  return roots;
}

// "a | b[c | d]": ranges in order, children in brackets; ranges not named in `ours` (a library's own,
// should one emit any) are left out, their children kept in their place.
void render(const std::vector<Range>& ranges, const std::set<std::string>& ours, std::vector<std::string>& out) {
  for (const Range& r : ranges) {
    if (!ours.contains(r.name)) {
      render(r.children, ours, out);
      continue;
    }
    std::vector<std::string> inner;
    render(r.children, ours, inner);
    std::string s = r.name;
    for (size_t i = 0; i < inner.size(); ++i) s += (i == 0 ? "[" : " | ") + inner[i] + (i + 1 == inner.size() ? "]" : "");
    out.push_back(s);
  }
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : " | ") + p;
  return s;
}

Graph classifier() {
  GraphBuilder b("classifier");
  ValueId x = b.input("x", DType::f32, {1, 3, 16, 16});
  ValueId c = b.op(OpKind::FusedConv, {x, b.initializer("w", test::random_tensor({8, 3, 3, 3}, 1)),
                                       b.initializer("b", test::random_tensor({8}, 2))},
                   {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"activation", std::string("Relu")}});
  ValueId p = b.op(OpKind::GlobalAveragePool, {c});
  ValueId f = b.op(OpKind::Flatten, {p});
  b.output(b.op(OpKind::Gemm, {f, b.initializer("fc", test::random_tensor({5, 8}, 3))}, {{"transB", int64_t{1}}}));
  return test::build_inferred(b);
}

// A study-mode bench of `iterations` timed iterations after one warm-up, as `edgescope bench` runs it.
void bench(Executable& exe, const Graph& g, int64_t iterations) {
  std::vector<std::vector<Tensor>> outputs(1);
  for (ValueId id : g.outputs) outputs[0].emplace_back(g.value(id).dtype, g.value(id).shape);
  const bench::InputFeed feed{{test::random_inputs(g, 7)}};
  Executable* const executables[] = {&exe};
  auto run = bench::run(executables, outputs, feed, {.iterations = iterations, .warmup_iterations = 1}, {});
  ASSERT_TRUE(run.ok()) << run.status().message();
}

TEST(CudaNvtx, PhaseAndLayerRangesNestAsAProfilerSeesThem) {
  if (device_count() == 0) GTEST_SKIP() << "no CUDA device";
  const fs::path recorder = fs::read_symlink("/proc/self/exe").parent_path() / "libes_nvtx_recorder.so";
  ASSERT_TRUE(fs::exists(recorder)) << recorder;
  const fs::path record = fs::path(testing::TempDir()) / "cuda_nvtx_record.txt";
  // NVTX reads both at the process's first NVTX call, which comes after this (device_count makes none).
  setenv("NVTX_INJECTION64_PATH", recorder.c_str(), 1);
  setenv("ES_NVTX_RECORD", record.c_str(), 1);

  const Graph g = classifier();
  auto plain = compile_cuda(g, {});
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  bench(**plain, g, 3);
  auto layers = (*plain)->profile_layers();
  ASSERT_TRUE(layers.ok()) << layers.status().message();
  auto replayed = compile_cuda(g, {.cuda_graph = true});
  ASSERT_TRUE(replayed.ok()) << replayed.status().message();
  bench(**replayed, g, 2);

  std::vector<std::string> layer_names;
  for (const LayerTime& l : *layers) layer_names.push_back(l.name);
  ASSERT_EQ(layer_names.size(), 3u);  // conv (packing its 3-channel input itself), pool, gemm (flatten is a view)
  std::set<std::string> ours(layer_names.begin(), layer_names.end());
  ours.insert({"H2D", "compute", "D2H", "synchronize"});
  std::string layers_in_compute;
  for (const std::string& name : layer_names) layers_in_compute += (layers_in_compute.empty() ? "[" : " | ") + name;
  layers_in_compute += "]";

  std::vector<std::string> expected;
  auto iteration = [&](bool layers_inside) {
    expected.insert(expected.end(), {"H2D", layers_inside ? "compute" + layers_in_compute : "compute", "D2H",
                                     "synchronize"});
  };
  for (int i = 0; i < 4; ++i) iteration(true);                            // warm-up + 3 timed iterations
  expected.insert(expected.end(), layer_names.begin(), layer_names.end());  // the profile run
  iteration(true);                                                        // the warm-up captures the graph
  for (int i = 0; i < 2; ++i) iteration(false);                           // replays: no layer ranges

  std::optional<std::vector<Range>> ranges = read_ranges(record);
  ASSERT_TRUE(ranges.has_value()) << "unbalanced pushes and pops in " << record;
  std::vector<std::string> seen;
  render(*ranges, ours, seen);
  EXPECT_EQ(join(seen), join(expected));
}

}  // namespace
}  // namespace es::cuda
