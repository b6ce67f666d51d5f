// Timing of alternative forms of one step at compile time, on the real buffers, as the timed loop will run
// them: with --cuda-graph as replays of a captured graph (device time alone: each cuDNN legacy call also
// costs the host tens of microseconds, which replay does not repeat), else as calls enqueued back to back
// (whichever of host and device is slower).
#pragma once

#include "backends/cuda/program.h"

#include <functional>

namespace es::cuda {

// Mean milliseconds of one `enqueue` (which must only enqueue work on ctx.stream), after a warm-up.
Result<float> time_enqueued(const Context& ctx, const std::function<Status()>& enqueue);

}  // namespace es::cuda
