// The storage plan of a program: FP16 stores every f32 value as f16, and every precision keeps 4-D activations
// channels-last (NHWC) from the convolutions on, as long as the steps that read them work on either layout
// (element-wise ops, pools, resize, concat, slice, global pools). A step that needs row-major
// inputs (matrix products, reductions, views that reshape) gets a conversion step in front of it; a
// convolution fed row-major data gets one to NHWC. Each conversion is made once per value and target.
#pragma once

#include "backends/cuda/program.h"

#include <map>
#include <optional>

namespace es::cuda {

// One node's lowering in graph order: a step, or a view (output shares view_of's bytes).
struct PlanItem {
  std::unique_ptr<Step> step;
  ValueId view_of = kNoValue;
  ValueId view_output = kNoValue;
};

// Fills program.steps, program.alias_of and program.storage from the items by the plan above (adding
// conversion values to `graph`; `half` for FP16). `graph` becomes program.graph afterwards.
void plan_storage(Graph& graph, std::vector<PlanItem> items, bool half, Program& program);

// Adds one to `readers` for each distinct value `step` reads (a value it reads twice counts once).
void count_reads(const Step& step, std::map<ValueId, int>& readers);

// Whether NHWC and NCHW differ in memory for a value (a 4-D shape with more than one channel and more
// than one pixel); where they do not, no conversion is needed.
bool layout_matters(const Value& value);

}  // namespace es::cuda
