// A fresh folder per test under the gtest temp dir, for files the tests write.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <unistd.h>

namespace es::onnx_test {

inline std::string scratch_dir(const std::string& name) {
  const auto* info = testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir = std::filesystem::path(testing::TempDir()) /
                              ("es_onnx_" + std::to_string(getpid()) + "_" + info->name() + "_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace es::onnx_test
