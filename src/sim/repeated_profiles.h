// Profiles of one case measured more than once (the rounds of a bench session, or device calls that may land
// on different machines of one kind) enter a calibration as one profile: each layer at its fastest median over
// them, in the implementation that ran it there, and the fastest whole-model latency. The H100's device calls
// showed why the fastest: the GPU's layers repeat between calls within about 1 %, while the host's staging of
// inputs and outputs in the timed loop (latency less the GPU's phases) took up to 30 % longer in some rounds
// than in others, within a call as between calls (docs/validation.md, "The H100"). What slows a run is other
// work on a shared host; nothing makes one faster than the machine can run it, so the fastest is the estimate
// that one slow round does not move. Fitting every repeat instead would weigh a case by how often it was
// measured and follow the slow rounds part of the way.
#pragma once

#include "sim/calibrate.h"

#include <vector>

namespace es::sim {

// One profile per case, in the order each case first appears. A case is the model file, device, precision,
// threads, input shapes, and how the loop and the layers were timed (CUDA Graph or not). The merged profile's
// source names the first file and how many it stands for.
std::vector<MeasuredProfile> merge_repeated_profiles(std::vector<MeasuredProfile> profiles);

}  // namespace es::sim
