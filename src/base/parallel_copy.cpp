#include "base/parallel_copy.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

namespace es {

namespace {

constexpr size_t kBytesPerPiece = size_t{4} << 20;  // below this a thread's start costs more than it saves
constexpr size_t kPieceAlignment = 64;              // pieces start on cache lines

}  // namespace

unsigned copy_pieces(size_t bytes, unsigned max_threads) {
  if (max_threads == 0) max_threads = std::clamp(std::thread::hardware_concurrency() / 2, 1u, 8u);
  return static_cast<unsigned>(std::clamp<size_t>(bytes / kBytesPerPiece, 1, max_threads));
}

void parallel_copy(void* dst, const void* src, size_t bytes, unsigned max_threads) {
  const unsigned pieces = copy_pieces(bytes, max_threads);
  if (pieces == 1) {
    if (bytes > 0) std::memcpy(dst, src, bytes);
    return;
  }
  const size_t piece = (bytes / pieces + kPieceAlignment - 1) / kPieceAlignment * kPieceAlignment;
  auto copy = [&](unsigned i) {
    const size_t begin = std::min(bytes, i * piece), end = std::min(bytes, begin + piece);
    std::memcpy(static_cast<std::byte*>(dst) + begin, static_cast<const std::byte*>(src) + begin, end - begin);
  };
  std::vector<std::jthread> helpers;
  for (unsigned i = 1; i < pieces; ++i) helpers.emplace_back(copy, i);
  copy(0);
}

}  // namespace es
