// Op lowerings: each turns one node into oneDNN steps, or declines (returns false) so that the node
// runs on its reference kernel instead. One file per op family, registered by explicit functions.
#pragma once

#include "backends/cpu/program_builder.h"

#include <array>
#include <functional>
#include <optional>

namespace es::cpu {

using Lowering = Result<bool> (*)(ProgramBuilder& builder, const Node& node);
using LoweringTable = std::array<Lowering, op_kind_count>;  // nullptr: reference kernel

const LoweringTable& lowerings();

void register_conv_lowerings(LoweringTable& table);     // Conv, FusedConv, ConvTranspose
void register_pool_lowerings(LoweringTable& table);     // MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool
void register_matmul_lowerings(LoweringTable& table);   // Gemm, MatMul
void register_eltwise_lowerings(LoweringTable& table);  // activations, binary arithmetic, BatchNormalization
void register_view_lowerings(LoweringTable& table);     // Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout

// A fused inverted residual block starting at `first` (its expanding 1x1 convolution): one step for the block,
// its later nodes absorbed. false when `first` does not start one that the fused kernels run.
Result<bool> lower_inverted_residual(ProgramBuilder& builder, const Node& first);

// Runs `make` (which creates a primitive descriptor); nullopt when oneDNN has no implementation for
// it or rejects the arguments, so the lowering can decline.
template <typename PrimitiveDesc>
std::optional<PrimitiveDesc> try_create(const std::function<PrimitiveDesc()>& make) {
  try {
    return make();
  } catch (const dnnl::error&) {
    return std::nullopt;
  }
}

// True when every listed value (kNoValue skipped) is f32: the oneDNN lowerings are f32 only.
bool all_f32(const ProgramBuilder& builder, std::span<const ValueId> values);

}  // namespace es::cpu
