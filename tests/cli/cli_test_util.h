// Running the built edgescope binary from tests: its exit code and output, and the one-line error check
// every command's bad-input tests share.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>

namespace es::cli_test {

inline const std::string kCli = ES_BINARY_DIR "/src/cli/edgescope";

struct Outcome {
  std::string command;  // the subcommand run, e.g. "bench"
  int exit_code = -1;
  std::string output;   // stdout and stderr
};

// Runs `edgescope ARGS` (ARGS starts with the subcommand) and collects its output.
inline Outcome run_cli(const std::string& args) {
  Outcome o;
  o.command = args.substr(0, args.find(' '));
  FILE* pipe = popen((kCli + " " + args + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return o;
  std::array<char, 4096> buffer;
  while (size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) o.output.append(buffer.data(), n);
  int status = pclose(pipe);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

// An error is one line, "edgescope COMMAND: error: ...", containing `fragment`, and exit code 2.
inline void expect_one_line_error(const Outcome& o, const std::string& fragment) {
  EXPECT_EQ(o.exit_code, 2) << o.output;
  size_t at = o.output.rfind("edgescope " + o.command + ": error:");
  ASSERT_NE(at, std::string::npos) << o.output;
  std::string message = o.output.substr(at);
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << o.output;
  EXPECT_NE(message.find(fragment), std::string::npos) << o.output;
}

// A JSON file; a missing or malformed one reads as a discarded value (and fails the caller's checks).
inline nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

}  // namespace es::cli_test
