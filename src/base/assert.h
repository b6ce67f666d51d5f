// ES_ASSERT: for broken invariants (bugs), never for bad input. Prints file:line and the expression,
// then aborts, so a bug is loud and locatable instead of becoming a silent wrong answer.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace es::detail {
[[noreturn]] inline void assert_failed(const char* file, int line, const char* expr, const char* message) {
  std::fprintf(stderr, "edgescope: internal error at %s:%d: assertion '%s' failed%s%s\n", file, line, expr,
               message[0] ? ": " : "", message);
  std::abort();
}
}  // namespace es::detail

#define ES_ASSERT(cond) \
  ((cond) ? (void)0 : ::es::detail::assert_failed(__FILE__, __LINE__, #cond, ""))
#define ES_ASSERT_MSG(cond, msg) \
  ((cond) ? (void)0 : ::es::detail::assert_failed(__FILE__, __LINE__, #cond, (msg)))
#define ES_UNREACHABLE() ::es::detail::assert_failed(__FILE__, __LINE__, "unreachable", "")
