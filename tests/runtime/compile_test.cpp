// runtime/compile: device selection and the options every device checks.
#include "backends/ref/ref_kernels.h"
#include "ir/builder.h"
#include "ir/shape_inference.h"
#include "runtime/compile.h"

#include <gtest/gtest.h>

namespace es {
namespace {

Graph relu_graph() {
  GraphBuilder b("relu");
  b.output(b.op(OpKind::Relu, {b.input("x", DType::f32, {1, 4})}));
  Graph g = b.build();
  EXPECT_TRUE(infer_shapes(g, ref::evaluator()).ok());
  return g;
}

CompileOptions options(const std::string& device, int threads = 0, const std::string& precision = "fp32") {
  CompileOptions o;
  o.device = device;
  o.threads = threads;
  o.precision = precision;
  return o;
}

TEST(Compile, CpuDevice) {
  auto exe = compile(relu_graph(), options("cpu", 1));
  ASSERT_TRUE(exe.ok()) << exe.status().message();
  EXPECT_EQ((*exe)->device_name(), "cpu");
}

TEST(Compile, RejectsUnknownDevicesAndOptions) {
  const Graph g = relu_graph();
  auto unknown = compile(g, options("tpu"));
  EXPECT_EQ(unknown.status().code(), StatusCode::invalid_argument);
  EXPECT_NE(unknown.status().message().find("'tpu'"), std::string::npos) << unknown.status().message();
  EXPECT_EQ(compile(g, options("cpu:1")).status().code(), StatusCode::invalid_argument);
  auto fp16 = compile(g, options("cpu", 0, "fp16"));
  EXPECT_EQ(fp16.status().code(), StatusCode::unsupported);
  EXPECT_NE(fp16.status().message().find("fp16"), std::string::npos) << fp16.status().message();
  EXPECT_EQ(compile(g, options("cpu", -2)).status().code(), StatusCode::invalid_argument);
}

}  // namespace
}  // namespace es
