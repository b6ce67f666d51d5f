// The CUDA plan's own element-wise kernels: bound by their work per element written where it outlasts their
// traffic (cuda.strided_ns_per_element for binary ops and strided copies, cuda.eltwise_ns_per_element for
// unary ones), by DRAM where the traffic takes longer; other kernels (pools) pay neither rate. Each pays a launch
// per kernel it is: a Concat one per input.
#include "sim/native_plan.h"

#include "backends/ref/ref_kernels.h"
#include "ir/builder.h"
#include "ir/shape_inference.h"
#include "placement/target.h"

#include <gtest/gtest.h>

namespace es::sim {
namespace {

constexpr double kX = 32.0 * 56 * 56;  // elements of x

class CudaEltwiseCost : public testing::Test {
 protected:
  void SetUp() override {
    GraphBuilder b("eltwise");
    ValueId x = b.input("x", DType::f32, {1, 32, 56, 56});
    b.output(b.op(OpKind::Mul, {x, b.initializer("scale", Tensor(DType::f32, {1, 32, 1, 1}))}, {}, "mul"));
    b.output(b.op(OpKind::Sigmoid, {x}, {}, "sigmoid"));
    b.output(b.op(OpKind::Concat, {x, x}, {{"axis", int64_t{1}}}, "concat"));
    b.output(b.op(OpKind::MaxPool, {x}, {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}},
                  "pool"));
    graph = b.build();
    Status shapes = infer_shapes(graph, ref::evaluator());
    ASSERT_TRUE(shapes.ok()) << shapes.message();
    h100.cuda = {0.8, 0.3, 0.5, 4, 12, 1.5, 2.5, 0.05, 0.02};  // ..., strided and unary ns per element
    h100.cuda.depthwise_efficiency = 0.5;
    o.device = "cuda";
    o.precision = Precision::fp32;
  }
  PlanStep step(const char* name, double bytes) {
    const Node& n = graph.node(graph.find_node(name));
    NativeKernel k{.name = n.name, .op = std::string(op_name(n.op)), .implementation = "", .node = &n, .fused = {},
                   .read_bytes = bytes / 2, .write_bytes = bytes / 2};
    Result<InferencePlan> plan = plan_native(graph, {k}, "h100-sxm", h100, o);
    EXPECT_TRUE(plan.ok()) << plan.status().message();
    for (const PlanStep& s : plan->steps)
      if (s.layer) return s;
    return {};
  }
  double dram_us(double bytes) const { return bytes / (h100.memory.dram_gb_s * 1e3 * 0.5); }

  Graph graph;
  TargetModel h100 = *target_model(*placement::find_target("h100-sxm"));
  PlanOptions o;
};

TEST_F(CudaEltwiseCost, OwnKernelsPayTheirRatePerElementWritten) {
  // 100,352 elements written: 5.02 µs at 0.05 ns (strided), 2.01 µs at 0.02 ns (unary); their 0.8 MB of
  // traffic take 0.48 µs at half of 3.35 TB/s.
  const double traffic = 8 * kX;
  ASSERT_LT(dram_us(traffic), kX * 0.02 / 1000);
  EXPECT_NEAR(step("mul", traffic).compute_us, kX * 0.05 / 1000, 1e-9);
  EXPECT_NEAR(step("sigmoid", traffic).compute_us, kX * 0.02 / 1000, 1e-9);
  EXPECT_NEAR(step("concat", traffic).compute_us, 2 * kX * 0.05 / 1000, 1e-9);  // writes both copies
  EXPECT_LT(step("pool", traffic).compute_us, kX / 4 * 0.02 / 1000);          // a pool pays neither rate
  // Where the traffic takes longer than the elements, DRAM bounds the kernel as before.
  const PlanStep streaming = step("sigmoid", 100 * traffic);
  EXPECT_GT(dram_us(streaming.dram_bytes), streaming.compute_us);
  EXPECT_DOUBLE_EQ(streaming.fixed_us, 4);
}

TEST_F(CudaEltwiseCost, ConcatLaunchesOneCopyPerInput) {
  // The backend's Concat is a strided copy per input (backends/cuda/lower_data.cpp); other kernels launch once.
  EXPECT_DOUBLE_EQ(step("concat", 8 * kX).fixed_us, 2 * 4);
  EXPECT_DOUBLE_EQ(step("mul", 8 * kX).fixed_us, 4);
}

}  // namespace
}  // namespace es::sim
