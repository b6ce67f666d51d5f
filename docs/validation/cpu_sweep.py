#!/usr/bin/python3
"""The CPU validation's synthetic calibration sweep (docs/validation.md, "This CPU"): writes small ONNX models
into a folder and prints their case names, one a line (`cpu_validation.sh` measures and calibrates on them).

    /usr/bin/python3 docs/validation/cpu_sweep.py DIR     (Debian's python3 with its onnx module)

Why this grid. The five calibration models stream megabytes per inference, and only one (PP-OCRv4 det) has
layers whose traffic passes the 8 MiB at which this machine's streaming kernels slow down; none runs with its
whole working set in the 1 MiB L2. So the calibration data cannot say how a convolution's time depends on the
cache level its working set fits in, nor what a kernel costs when the model is L2-resident. The sweep spans
those levels with generic layers, as nn-Meter profiles kernels rather than models:

- layer kinds: the kinds of kernel the CPU backend runs on large maps: a 3x3 convolution (32 -> 32 channels),
  a 3x3 depthwise convolution (64 channels), a 1x1 convolution (64 -> 64), a stride-2 3x3 first convolution on
  3 channels (3 -> 16), and an element-wise Add of two 32-channel tensors. Channel counts are common mobile
  widths, not any one model's.
- sizes: each layer's traffic (input + output + weights, FP32) at 0.25, 0.5, 2, 6, 16 and 64 MB: two well
  inside the 1 MiB L2 (with the input, output and weights resident), two between the L2 and the 8 MiB
  (`cpu.l3_kib`) past which streaming kernels slow down, two beyond it (2x and 8x). The map is square, its side
  from the traffic.
- two small multi-layer models whose weights and activations together stay well inside the L2 (the warm
  regime): a stem, depthwise, 1x1 and 3x3 convolutions, a residual Add, Clip, a squeeze-excite Mul,
  GlobalAveragePool and a classifier.

The grid was fixed, and this script committed, before any of it was measured (2026-11-24, about 22:50 UTC).
Every model takes a few ms or less per inference (the 64 MB 3x3 convolution about 25 ms).
"""
import math
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZES_MB = [0.25, 0.5, 2, 6, 16, 64]
rng = np.random.default_rng(7)


def weight(name, shape):
    # Values of order 0.1, far from denormals (which would slow the arithmetic down).
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.1).astype(np.float32), name)


def save(path, nodes, inputs, output, inits):
    graph = helper.make_graph(nodes, path.rsplit("/", 1)[-1][:-5], inputs, [output], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="cpu_sweep.py")
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def tensor(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def side_for(bytes_per_pixel, fixed_bytes, traffic_mb, multiple):
    pixels = max((traffic_mb * 1e6 - fixed_bytes) / bytes_per_pixel, 1)
    return max(multiple, int(round(math.sqrt(pixels) / multiple)) * multiple)


def conv_model(path, cin, cout, k, stride, group, side):
    out_side = side // stride
    w = weight("w", [cout, cin // group, k, k])
    b = weight("b", [cout])
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[k, k], strides=[stride, stride],
                            pads=[k // 2] * 4, group=group)
    save(path, [node], [tensor("x", [1, cin, side, side])], tensor("y", [1, cout, out_side, out_side]), [w, b])


def add_model(path, c, side):
    node = helper.make_node("Add", ["a", "b"], ["y"])
    save(path, [node], [tensor("a", [1, c, side, side]), tensor("b", [1, c, side, side])],
         tensor("y", [1, c, side, side]), [])


# kind: (bytes per pixel of the map the side is taken of, weight bytes, side multiple, writer)
KINDS = {
    "conv3x3": (4 * (32 + 32), 4 * 32 * 32 * 9, 1, lambda p, s: conv_model(p, 32, 32, 3, 1, 1, s)),
    "dw3x3": (4 * (64 + 64), 4 * 64 * 9, 1, lambda p, s: conv_model(p, 64, 64, 3, 1, 64, s)),
    "conv1x1": (4 * (64 + 64), 4 * 64 * 64, 1, lambda p, s: conv_model(p, 64, 64, 1, 1, 1, s)),
    # the side is the input's: 3 channels in, a quarter of the pixels out on 16
    "stem": (4 * (3 + 16 / 4), 4 * 16 * 3 * 9, 2, lambda p, s: conv_model(p, 3, 16, 3, 2, 1, s)),
    "add": (4 * 3 * 32, 0, 1, lambda p, s: add_model(p, 32, s)),
}


def warm_model(path, side, c1, c2):
    """A small mobile-style network whose weights and activations fit in the L2 together."""
    nodes, inits = [], []

    def conv(x, y, cin, cout, k, stride=1, group=1):
        inits.extend([weight(y + "_w", [cout, cin // group, k, k]), weight(y + "_b", [cout])])
        nodes.append(helper.make_node("Conv", [x, y + "_w", y + "_b"], [y], kernel_shape=[k, k],
                                      strides=[stride, stride], pads=[k // 2] * 4, group=group))
        return y

    def op(kind, inputs, y, **attrs):
        nodes.append(helper.make_node(kind, inputs, [y], **attrs))
        return y

    inits.extend([numpy_helper.from_array(np.array(0, np.float32), "lo"),
                  numpy_helper.from_array(np.array(6, np.float32), "hi")])
    t = op("Relu", [conv("x", "stem", 3, c1, 3, 2)], "stem_relu")
    t = op("Clip", [conv(t, "dw1", c1, c1, 3, 1, c1), "lo", "hi"], "dw1_clip")
    t = op("Relu", [conv(t, "pw1", c1, c2, 1)], "pw1_relu")
    r = conv(op("Relu", [conv(t, "c3", c2, c2, 3)], "c3_relu"), "c3b", c2, c2, 3)
    t = op("Add", [t, r], "res")
    t = op("Clip", [conv(t, "dw2", c2, c2, 3, 2, c2), "lo", "hi"], "dw2_clip")
    s = op("GlobalAveragePool", [t], "se_pool")
    s = op("Sigmoid", [conv(s, "se_fc", c2, c2, 1)], "se_gate")
    t = op("Mul", [t, s], "se_mul")
    t = op("Flatten", [op("GlobalAveragePool", [t], "pool")], "flat")
    inits.extend([weight("fc_w", [10, c2]), weight("fc_b", [10])])
    nodes.append(helper.make_node("Gemm", [t, "fc_w", "fc_b"], ["y"], transB=1))
    save(path, nodes, [tensor("x", [1, 3, side, side])], tensor("y", [1, 10]), inits)


def main():
    out = sys.argv[1]
    names = []
    for kind, (per_pixel, fixed, multiple, write) in KINDS.items():
        for mb in SIZES_MB:
            name = f"sweep-{kind}-{mb:g}mb"
            write(f"{out}/{name}.onnx", side_for(per_pixel, fixed, mb, multiple))
            names.append(name)
    # Every node's output counted apart (no fusion, no buffer reused), and the weights: 32x32 input, 16 and 32
    # channels: 0.30 + 0.09 MB; 40x40, 32 and 48 channels: 0.74 + 0.19 MB (its largest tensor 0.08 MB).
    for name, side, c1, c2 in [("sweep-warm-small", 32, 16, 32), ("sweep-warm-wide", 40, 32, 48)]:
        warm_model(f"{out}/{name}.onnx", side, c1, c2)
        names.append(name)
    print("\n".join(names))


if __name__ == "__main__":
    main()
