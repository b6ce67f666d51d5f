// A tiny leveled logger on stderr. The level is a value set once by the CLI (-v / -q), not an env var.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <utility>

namespace es::log {

enum class Level { quiet = 0, warn = 1, info = 2, debug = 3 };

Level level();
void set_level(Level level);

template <typename... Args>
void emit(Level at, const char* prefix, fmt::format_string<Args...> format, Args&&... args) {
  if (static_cast<int>(at) > static_cast<int>(level())) return;
  fmt::print(stderr, "{}{}\n", prefix, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... a) { emit(Level::warn, "warning: ", f, std::forward<Args>(a)...); }
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... a) { emit(Level::info, "", f, std::forward<Args>(a)...); }
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... a) { emit(Level::debug, "debug: ", f, std::forward<Args>(a)...); }

}  // namespace es::log
