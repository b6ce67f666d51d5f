// Status and Result<T>: how expected failures travel (bad model, unsupported op, bad option, I/O error).
// A Status carries a one-line message that names the file, node, op or option concerned; only `main`
// turns it into an exit code. Broken invariants are not Statuses: see ES_ASSERT in assert.h.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace es {

// Why an operation failed; selects the exit code at the top level.
enum class StatusCode {
  ok = 0,
  invalid_argument,  // bad option, bad input file, wrong shape/dtype given by the user
  invalid_model,     // the model itself is malformed (corrupt, truncated, inconsistent)
  unsupported,       // valid but not supported by edgescope (op, opset, dtype, attribute value)
  not_found,         // a file, tensor, device or name that does not exist
  resource,          // out of memory, tensor too large, device failure
  internal,          // an error inside a library we call (oneDNN, CUDA) that is not the user's fault
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return {}; }
  bool ok() const { return code_ == StatusCode::ok; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context ("loading model.onnx: ") so messages name where the failure happened.
  Status with_context(const std::string& context) const {
    if (ok()) return *this;
    return {code_, context + ": " + message_};
  }

 private:
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

template <typename... Args>
Status error(StatusCode code, fmt::format_string<Args...> format, Args&&... args) {
  return Status(code, fmt::format(format, std::forward<Args>(args)...));
}

// A value or the Status that explains why there is none. GCC 12 has no std::expected in C++20.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected
  Result(Status status) : state_(std::move(status)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status ok_status;
    return ok() ? ok_status : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

namespace detail {
inline const Status& status_of(const Status& s) { return s; }
template <typename T>
const Status& status_of(const Result<T>& r) { return r.status(); }
}  // namespace detail

}  // namespace es

#define ES_CONCAT_INNER(a, b) a##b
#define ES_CONCAT(a, b) ES_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it failed.
// The Status is copied before the full expression ends, so `ES_TRY(make().status())` is safe too.
#define ES_TRY(expr)                                                              \
  do {                                                                            \
    ::es::Status es_try_status_ = ::es::detail::status_of(expr);                  \
    if (!es_try_status_.ok()) return es_try_status_;                              \
  } while (0)

// `ES_ASSIGN_OR_RETURN(auto x, make_x())`: declares x from a Result or returns its Status.
#define ES_ASSIGN_OR_RETURN(decl, expr) ES_ASSIGN_OR_RETURN_IMPL(ES_CONCAT(es_result_, __LINE__), decl, expr)
#define ES_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  decl = std::move(tmp).value()
