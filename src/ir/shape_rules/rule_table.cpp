// The one table from op to shape rule and arity. A switch without `default`, so adding an op to
// ops.def fails to compile until it has a rule here. Arity counts input slots (an omitted optional
// input before a present one still counts) and outputs as the node lists them.
#include "ir/shape_rules/rules.h"

namespace es::shape_rules {

RuleSpec rule_for(OpKind op) {
  constexpr size_t N = kVariadic;
  switch (op) {
    // Unary maps and activations: the output is the input's dtype and shape.
    case OpKind::Abs: case OpKind::Acos: case OpKind::Acosh: case OpKind::Asin: case OpKind::Asinh:
    case OpKind::Atan: case OpKind::Atanh: case OpKind::Ceil: case OpKind::Celu: case OpKind::Cos:
    case OpKind::Cosh: case OpKind::Elu: case OpKind::Erf: case OpKind::Exp: case OpKind::Floor:
    case OpKind::HardSigmoid: case OpKind::HardSwish: case OpKind::Identity: case OpKind::LeakyRelu:
    case OpKind::Log: case OpKind::Mish: case OpKind::Neg: case OpKind::Not: case OpKind::Reciprocal:
    case OpKind::Relu: case OpKind::Round: case OpKind::Selu: case OpKind::Shrink: case OpKind::Sigmoid:
    case OpKind::Sign: case OpKind::Sin: case OpKind::Sinh: case OpKind::Softplus: case OpKind::Softsign:
    case OpKind::Sqrt: case OpKind::Tan: case OpKind::Tanh: case OpKind::ThresholdedRelu:
      return {same_as_input_rule, 1, 1, 1, 1};
    case OpKind::IsInf: case OpKind::IsNaN: return {bool_same_shape_rule, 1, 1, 1, 1};
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::Mod:
    case OpKind::And: case OpKind::Or: case OpKind::Xor: case OpKind::BitShift:
      return {broadcast_rule, 2, 2, 1, 1};
    case OpKind::Max: case OpKind::Min: case OpKind::Mean: case OpKind::Sum: return {broadcast_rule, 1, N, 1, 1};
    case OpKind::Equal: case OpKind::Greater: case OpKind::GreaterOrEqual: case OpKind::Less:
    case OpKind::LessOrEqual:
      return {compare_rule, 2, 2, 1, 1};
    case OpKind::Pow: return {pow_rule, 2, 2, 1, 1};
    case OpKind::Where: return {where_rule, 3, 3, 1, 1};
    case OpKind::PRelu: return {prelu_rule, 2, 2, 1, 1};
    case OpKind::Clip: return {clip_rule, 1, 3, 1, 1};
    case OpKind::Cast: return {cast_rule, 1, 1, 1, 1};
    case OpKind::CastLike: return {cast_like_rule, 2, 2, 1, 1};
    case OpKind::Dropout: return {dropout_rule, 1, 3, 1, 2};
    case OpKind::QuantizeLinear: return {quantize_rule, 2, 3, 1, 1};
    case OpKind::DequantizeLinear: return {dequantize_rule, 2, 3, 1, 1};

    case OpKind::BatchNormalization: return {batch_norm_rule, 5, 5, 1, 3};
    case OpKind::InstanceNormalization: return {instance_norm_rule, 3, 3, 1, 1};
    case OpKind::LayerNormalization: return {layer_norm_rule, 2, 3, 1, 3};
    case OpKind::Softmax: case OpKind::LogSoftmax: case OpKind::Hardmax: case OpKind::LpNormalization:
      return {axis_same_shape_rule, 1, 1, 1, 1};
    case OpKind::MeanVarianceNormalization: return {mvn_rule, 1, 1, 1, 1};
    case OpKind::LRN: return {lrn_rule, 1, 1, 1, 1};

    case OpKind::Conv: return {conv_rule, 2, 3, 1, 1};
    case OpKind::FusedConv: return {conv_rule, 2, 4, 1, 1};
    case OpKind::ConvTranspose: return {conv_transpose_rule, 2, 3, 1, 1};
    case OpKind::MaxPool: return {pool_rule, 1, 1, 1, 2};
    case OpKind::AveragePool: case OpKind::LpPool: return {pool_rule, 1, 1, 1, 1};
    case OpKind::GlobalAveragePool: case OpKind::GlobalMaxPool: case OpKind::GlobalLpPool:
      return {global_pool_rule, 1, 1, 1, 1};

    case OpKind::Gemm: return {gemm_rule, 2, 3, 1, 1};
    case OpKind::MatMul: return {matmul_rule, 2, 2, 1, 1};
    case OpKind::Einsum: return {einsum_rule, 1, N, 1, 1};

    case OpKind::ReduceL1: case OpKind::ReduceL2: case OpKind::ReduceLogSum: case OpKind::ReduceLogSumExp:
    case OpKind::ReduceMax: case OpKind::ReduceMean: case OpKind::ReduceMin: case OpKind::ReduceProd:
    case OpKind::ReduceSum: case OpKind::ReduceSumSquare:
      return {reduce_rule, 1, 2, 1, 1};
    case OpKind::ArgMax: case OpKind::ArgMin: return {arg_reduce_rule, 1, 1, 1, 1};
    case OpKind::CumSum: return {cumsum_rule, 2, 2, 1, 1};
    case OpKind::TopK: return {topk_rule, 2, 2, 2, 2};

    case OpKind::Shape: return {shape_rule, 1, 1, 1, 1};
    case OpKind::Size: return {size_rule, 1, 1, 1, 1};
    case OpKind::Reshape: return {reshape_rule, 2, 2, 1, 1};
    case OpKind::Flatten: return {flatten_rule, 1, 1, 1, 1};
    case OpKind::Squeeze: return {squeeze_rule, 1, 2, 1, 1};
    case OpKind::Unsqueeze: return {unsqueeze_rule, 2, 2, 1, 1};
    case OpKind::Transpose: return {transpose_rule, 1, 1, 1, 1};
    case OpKind::Expand: return {expand_rule, 2, 2, 1, 1};
    case OpKind::Tile: return {tile_rule, 2, 2, 1, 1};
    case OpKind::DepthToSpace: return {depth_to_space_rule, 1, 1, 1, 1};
    case OpKind::SpaceToDepth: return {space_to_depth_rule, 1, 1, 1, 1};
    case OpKind::Trilu: return {trilu_rule, 1, 2, 1, 1};
    case OpKind::EyeLike: return {eye_like_rule, 1, 1, 1, 1};

    case OpKind::Concat: return {concat_rule, 1, N, 1, 1};
    case OpKind::Split: return {split_rule, 1, 2, 1, N};
    case OpKind::Slice: return {slice_rule, 3, 5, 1, 1};
    case OpKind::Pad: return {pad_rule, 2, 4, 1, 1};
    case OpKind::Resize: return {resize_rule, 1, 4, 1, 1};

    case OpKind::Gather: return {gather_rule, 2, 2, 1, 1};
    case OpKind::GatherElements: return {gather_elements_rule, 2, 2, 1, 1};
    case OpKind::GatherND: return {gather_nd_rule, 2, 2, 1, 1};
    case OpKind::OneHot: return {one_hot_rule, 3, 3, 1, 1};

    case OpKind::Constant: return {constant_rule, 0, 0, 1, 1};
    case OpKind::ConstantOfShape: return {constant_of_shape_rule, 1, 1, 1, 1};
    case OpKind::Range: return {range_rule, 3, 3, 1, 1};
    case OpKind::NonZero: return {non_zero_rule, 1, 1, 1, 1};
  }
  ES_UNREACHABLE();
}

}  // namespace es::shape_rules
