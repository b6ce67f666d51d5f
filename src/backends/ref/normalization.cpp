// Reference kernels for normalization ops: BatchNormalization, InstanceNormalization, LayerNormalization,
// LpNormalization, MeanVarianceNormalization, LRN.
//
// All of them work on the input read as doubles: statistics are computed per "group" (the elements that
// share an index on the axes that are not normalised), then each element is normalised with its group's
// mean and inverse standard deviation, optionally scaled and shifted.
#include "backends/ref/kernel_support.h"

#include <algorithm>

namespace es::ref {
namespace {

// The groups of a normalization: `strides` maps an element of x to its group (0 on normalised axes).
struct Groups {
  std::vector<int64_t> strides;
  int64_t count = 0;  // number of groups
  int64_t size = 0;   // elements per group
};

Groups groups_over(std::span<const int64_t> shape, const std::vector<bool>& normalised) {
  Shape kept(shape.begin(), shape.end());
  Groups g;
  g.size = 1;
  for (size_t d = 0; d < kept.size(); ++d)
    if (normalised[d]) {
      g.size *= kept[d];
      kept[d] = 1;
    }
  g.strides = contiguous_strides(kept);
  for (size_t d = 0; d < kept.size(); ++d)
    if (normalised[d]) g.strides[d] = 0;
  g.count = shape_numel(kept);
  return g;
}

struct Moments {
  std::vector<double> mean, var;  // population variance
};

Moments moments(const std::vector<double>& x, std::span<const int64_t> shape, const Groups& g) {
  Moments m{std::vector<double>(static_cast<size_t>(g.count), 0.0), std::vector<double>(static_cast<size_t>(g.count), 0.0)};
  std::array<std::vector<int64_t>, 2> strides{contiguous_strides(shape), g.strides};
  for_each_offset<2>(shape, strides, [&](const auto& o) { m.mean[o[1]] += x[o[0]]; });
  for (double& v : m.mean) v /= static_cast<double>(g.size);
  // Two passes (sum of squared deviations) rather than E[x^2]-E[x]^2, which cancels badly.
  for_each_offset<2>(shape, strides, [&](const auto& o) {
    double d = x[o[0]] - m.mean[o[1]];
    m.var[o[1]] += d * d;
  });
  for (double& v : m.var) v /= static_cast<double>(g.size);
  return m;
}

// Strides that read a per-channel (axis 1) parameter vector for every element of `shape`.
std::vector<int64_t> channel_strides(std::span<const int64_t> shape) {
  std::vector<int64_t> s(shape.size(), 0);
  if (shape.size() > 1) s[1] = 1;
  return s;
}

// y = (x - mean[g]) * inv_std[g] * scale[s] + bias[b], with optional scale and bias (read through strides).
void normalise(const std::vector<double>& x, std::span<const int64_t> shape, const Groups& g,
                 const std::vector<double>& mean, const std::vector<double>& inv_std,
                 const std::vector<double>& scale, const std::vector<int64_t>& scale_strides,
                 const std::vector<double>& bias, const std::vector<int64_t>& bias_strides, const TensorView& y) {
  ES_ASSERT(y.numel() == static_cast<int64_t>(x.size()));
  std::array<std::vector<int64_t>, 4> strides{contiguous_strides(shape), g.strides, scale_strides, bias_strides};
  for_each_offset<4>(shape, strides, [&](const auto& o) {
    double v = (x[o[0]] - mean[o[1]]) * inv_std[o[1]];
    if (!scale.empty()) v *= scale[o[2]];
    if (!bias.empty()) v += bias[o[3]];
    store_double(y.dtype, y.data, o[0], v);
  });
}

std::vector<double> inverse_std(const std::vector<double>& var, double epsilon) {
  std::vector<double> r(var.size());
  for (size_t i = 0; i < var.size(); ++i) r[i] = 1.0 / std::sqrt(var[i] + epsilon);
  return r;
}

Status require_rank(const Node& node, const TensorView& x, int64_t min_rank) {
  if (x.rank() < min_rank)
    return node_error(node, StatusCode::invalid_model, "input has rank {}, expected at least {}", x.rank(), min_rank);
  return {};
}

Status check_channel_param(const Node& node, const std::vector<double>& p, int64_t channels, const char* what) {
  if (static_cast<int64_t>(p.size()) != channels)
    return node_error(node, StatusCode::invalid_model, "{} has {} elements, expected {}", what, p.size(), channels);
  return {};
}

// BatchNormalization(X, scale, B, input_mean, input_var). Inference normalises with the given statistics;
// training_mode=1 normalises with the batch's statistics and also outputs the updated running ones.
Status batch_norm_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& xv = in[0];
  ES_TRY(require_rank(node, xv, 2));
  ES_ASSIGN_OR_RETURN(std::vector<double> x, read_floats(node, xv, "X"));
  ES_ASSIGN_OR_RETURN(std::vector<double> scale, read_floats(node, in[1], "scale"));
  ES_ASSIGN_OR_RETURN(std::vector<double> bias, read_floats(node, in[2], "B"));
  ES_ASSIGN_OR_RETURN(std::vector<double> mean, read_floats(node, in[3], "input_mean"));
  ES_ASSIGN_OR_RETURN(std::vector<double> var, read_floats(node, in[4], "input_var"));
  const int64_t channels = xv.shape[1];
  ES_TRY(check_channel_param(node, scale, channels, "scale"));
  ES_TRY(check_channel_param(node, bias, channels, "B"));
  ES_TRY(check_channel_param(node, mean, channels, "input_mean"));
  ES_TRY(check_channel_param(node, var, channels, "input_var"));
  const double epsilon = node.attrs.get_float("epsilon", 1e-5f);
  const bool training = node.attrs.get_int("training_mode", 0) != 0;

  std::vector<bool> normalised(static_cast<size_t>(xv.rank()), true);
  normalised[1] = false;
  const Groups g = groups_over(xv.shape, normalised);  // one group per channel
  const std::vector<int64_t> per_channel = channel_strides(xv.shape);
  if (!training) {
    normalise(x, xv.shape, g, mean, inverse_std(var, epsilon), scale, per_channel, bias, per_channel, out[0]);
    return {};
  }
  const Moments batch = moments(x, xv.shape, g);
  normalise(x, xv.shape, g, batch.mean, inverse_std(batch.var, epsilon), scale, per_channel, bias, per_channel,
            out[0]);
  const double momentum = node.attrs.get_float("momentum", 0.9f);
  const std::vector<double>* running_inputs[] = {&mean, &var};
  const std::vector<double>* batch_stats[] = {&batch.mean, &batch.var};
  for (size_t k = 0; k < 2; ++k) {
    if (out.size() <= k + 1 || !out[k + 1].present()) continue;
    for (int64_t c = 0; c < channels; ++c)
      store_double(out[k + 1].dtype, out[k + 1].data, c,
                   (*running_inputs[k])[c] * momentum + (*batch_stats[k])[c] * (1.0 - momentum));
  }
  return {};
}

// InstanceNormalization(X, scale, B): statistics per (n, c) over the spatial axes.
Status instance_norm_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& xv = in[0];
  ES_TRY(require_rank(node, xv, 3));
  ES_ASSIGN_OR_RETURN(std::vector<double> x, read_floats(node, xv, "input"));
  ES_ASSIGN_OR_RETURN(std::vector<double> scale, read_floats(node, in[1], "scale"));
  ES_ASSIGN_OR_RETURN(std::vector<double> bias, read_floats(node, in[2], "B"));
  ES_TRY(check_channel_param(node, scale, xv.shape[1], "scale"));
  ES_TRY(check_channel_param(node, bias, xv.shape[1], "B"));
  std::vector<bool> normalised(static_cast<size_t>(xv.rank()), true);
  normalised[0] = normalised[1] = false;
  const Groups g = groups_over(xv.shape, normalised);
  const Moments m = moments(x, xv.shape, g);
  const std::vector<int64_t> per_channel = channel_strides(xv.shape);
  normalise(x, xv.shape, g, m.mean, inverse_std(m.var, node.attrs.get_float("epsilon", 1e-5f)), scale, per_channel,
            bias, per_channel, out[0]);
  return {};
}

// LayerNormalization(X, Scale, B?): statistics over axes [axis, rank); Scale/B broadcast to those axes.
// Optional outputs Mean and InvStdDev have X's shape with the normalised axes set to 1.
Status layer_norm_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& xv = in[0];
  ES_ASSIGN_OR_RETURN(int64_t axis, resolve_axis(node, node.attrs.get_int("axis", -1), xv.rank()));
  ES_ASSIGN_OR_RETURN(std::vector<double> x, read_floats(node, xv, "X"));
  ES_ASSIGN_OR_RETURN(std::vector<double> scale, read_floats(node, in[1], "Scale"));
  std::vector<double> bias;
  if (in.size() > 2) {
    ES_ASSIGN_OR_RETURN(bias, read_floats(node, in[2], "B"));
  }
  const std::span<const int64_t> normalised_shape = xv.shape.subspan(static_cast<size_t>(axis));
  for (size_t i = 1; i < std::min<size_t>(in.size(), 3); ++i)
    if (in[i].present() && !broadcastable(in[i].shape, normalised_shape))
      return node_error(node, StatusCode::invalid_model, "input {} of shape {} does not broadcast to {}", i,
                        shape_str(in[i].shape), shape_str(normalised_shape));
  std::vector<bool> normalised(static_cast<size_t>(xv.rank()), false);
  for (int64_t d = axis; d < xv.rank(); ++d) normalised[static_cast<size_t>(d)] = true;
  const Groups g = groups_over(xv.shape, normalised);
  const Moments m = moments(x, xv.shape, g);
  const std::vector<double> inv_std = inverse_std(m.var, node.attrs.get_float("epsilon", 1e-5f));
  // Right-aligned broadcasting against X equals broadcasting against the normalised trailing axes.
  const std::vector<int64_t> scale_strides = broadcast_strides(in[1].shape, xv.shape);
  const std::vector<int64_t> bias_strides =
      bias.empty() ? std::vector<int64_t>(xv.shape.size(), 0) : broadcast_strides(in[2].shape, xv.shape);
  normalise(x, xv.shape, g, m.mean, inv_std, scale, scale_strides, bias, bias_strides, out[0]);
  const std::vector<double>* stats[] = {&m.mean, &inv_std};
  for (size_t k = 0; k < 2; ++k) {
    if (out.size() <= k + 1 || !out[k + 1].present()) continue;
    ES_ASSERT(out[k + 1].numel() == g.count);
    for (int64_t i = 0; i < g.count; ++i) store_double(out[k + 1].dtype, out[k + 1].data, i, (*stats[k])[i]);
  }
  return {};
}

// MeanVarianceNormalization: (x - mean) / (sqrt(var) + 1e-9) over `axes` (default N, H, W), as the ONNX
// function body defines it.
Status mvn_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& xv = in[0];
  ES_ASSIGN_OR_RETURN(std::vector<double> x, read_floats(node, xv, "X"));
  std::vector<bool> normalised(static_cast<size_t>(xv.rank()), false);
  for (int64_t a : node.attrs.get_ints("axes", {0, 2, 3})) {
    ES_ASSIGN_OR_RETURN(int64_t axis, resolve_axis(node, a, xv.rank()));
    normalised[static_cast<size_t>(axis)] = true;
  }
  const Groups g = groups_over(xv.shape, normalised);
  const Moments m = moments(x, xv.shape, g);
  std::vector<double> inv(m.var.size());
  for (size_t i = 0; i < inv.size(); ++i) inv[i] = 1.0 / (std::sqrt(m.var[i]) + 1e-9);
  const std::vector<int64_t> none(xv.shape.size(), 0);
  normalise(x, xv.shape, g, m.mean, inv, {}, none, {}, none, out[0]);
  return {};
}

// LpNormalization: x / ||x||_p along `axis` (p = 1 or 2). A zero norm gives 0 rather than NaN.
Status lp_norm_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& xv = in[0];
  ES_ASSIGN_OR_RETURN(int64_t axis, resolve_axis(node, node.attrs.get_int("axis", -1), xv.rank()));
  const int64_t p = node.attrs.get_int("p", 2);
  if (p != 1 && p != 2) return node_error(node, StatusCode::unsupported, "p={} (only 1 and 2 are defined)", p);
  ES_ASSIGN_OR_RETURN(std::vector<double> x, read_floats(node, xv, "input"));
  const AxisSplit s = split_at_axis(xv.shape, axis);
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      const int64_t base = o * s.axis * s.inner + i;
      double norm = 0;
      for (int64_t k = 0; k < s.axis; ++k) {
        double v = x[static_cast<size_t>(base + k * s.inner)];
        norm += p == 1 ? std::fabs(v) : v * v;
      }
      if (p == 2) norm = std::sqrt(norm);
      for (int64_t k = 0; k < s.axis; ++k) {
        const int64_t at = base + k * s.inner;
        store_double(out[0].dtype, out[0].data, at, norm == 0 ? 0.0 : x[static_cast<size_t>(at)] / norm);
      }
    }
  return {};
}

// LRN across channels: y = x / (bias + alpha / size * sum of x^2 over the window)^beta, the window being
// channels [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped to the valid range.
Status lrn_kernel(const Node& node, std::span<const TensorView> in, std::span<const TensorView> out) {
  const TensorView& xv = in[0];
  ES_TRY(require_rank(node, xv, 3));
  const int64_t size = node.attrs.get_int("size", 0);
  if (size <= 0) return node_error(node, StatusCode::invalid_model, "size must be positive, got {}", size);
  const double alpha = node.attrs.get_float("alpha", 1e-4f);
  const double beta = node.attrs.get_float("beta", 0.75f);
  const double bias = node.attrs.get_float("bias", 1.0f);
  ES_ASSIGN_OR_RETURN(std::vector<double> x, read_floats(node, xv, "X"));
  const AxisSplit s = split_at_axis(xv.shape, 1);
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  for (int64_t n = 0; n < s.outer; ++n)
    for (int64_t c = 0; c < s.axis; ++c)
      for (int64_t i = 0; i < s.inner; ++i) {
        double sum = 0;
        for (int64_t j = std::max<int64_t>(0, c - before); j <= std::min(s.axis - 1, c + after); ++j) {
          double v = x[static_cast<size_t>((n * s.axis + j) * s.inner + i)];
          sum += v * v;
        }
        const int64_t at = (n * s.axis + c) * s.inner + i;
        store_double(out[0].dtype, out[0].data, at,
                     x[static_cast<size_t>(at)] / std::pow(bias + alpha / static_cast<double>(size) * sum, beta));
      }
  return {};
}

}  // namespace

void register_normalization(KernelTable& t) {
  auto set = [&t](OpKind op, Kernel k) { t[static_cast<size_t>(op)] = k; };
  set(OpKind::BatchNormalization, &batch_norm_kernel);
  set(OpKind::InstanceNormalization, &instance_norm_kernel);
  set(OpKind::LayerNormalization, &layer_norm_kernel);
  set(OpKind::MeanVarianceNormalization, &mvn_kernel);
  set(OpKind::LpNormalization, &lp_norm_kernel);
  set(OpKind::LRN, &lrn_kernel);
}

}  // namespace es::ref
