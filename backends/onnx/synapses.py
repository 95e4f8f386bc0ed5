"""Synaptic ops: linear, conv2d, spike_matmul — one ONNX product per timestep.

* linear:  ``y[t] = MatMul(x[t], W[t % T_w]ᵀ)``, then ``Mul scale[t]``, then ``Add bias[t]``
  (the transposed weight ``[in, out]`` is the initializer, once per bank entry).
* conv2d:  ``y[t] = Conv(x[t], W[t % T_w])`` with PyTorch's stride / padding / dilation /
  groups (``pads = [ph, pw, ph, pw]``, no Conv bias), then ``Mul scale[t]``, ``Add bias[t]``.
* spike_matmul: ``y[t] = MatMul(op_a(a[t]), op_b(b[t]))`` (``Transpose`` of the last two dims
  where asked), then ``Mul scale`` when scale ≠ 1.

The scale multiply and the bias add are separate float32 operations after the product,
as in the reference. The products' own accumulation order is onnxruntime's: exact when
inputs and weights are integers (sums below 2^24), else equal up to float32 rounding.
"""
from __future__ import annotations

import numpy as np

from .lowering import F32, lowers


def _epilogue(lw, node, t: int, y: str) -> str:
    """``y * scale[t] + bias[t]`` (each when present), in that order."""
    s = lw.param(node, "scale", t)
    if s is not None:
        y = lw.b.op("Mul", [y, s], lw.hint(node, t, "scaled"))
    bias = lw.param(node, "bias", t)
    if bias is not None:
        y = lw.b.op("Add", [y, bias], lw.hint(node, t, "biased"))
    return y


def _weight(lw, node, t: int, static_rank: int, transform) -> str:
    """The weight matrix for timestep t: ``weight`` (static) or ``weight[t % T_w]`` (a bank)."""
    w = lw.graph.param(node, "weight")
    if w.ndim == static_rank:
        return lw.b.init(transform(w), lw.hint(node, what="weight"), key=(node.params["weight"], 0, "w"))
    return lw.param(node, "weight", t, transform=transform, tag="w")


@lowers("linear")
def linear(lw, node, xs):
    def step(t, ins):
        w = _weight(lw, node, t, 2, lambda a: a.astype(F32).T)
        return _epilogue(lw, node, t, lw.b.op("MatMul", [ins[0], w], lw.hint(node, t, "mm")))
    return lw.per_step(xs, step)


@lowers("conv2d")
def conv2d(lw, node, xs):
    a = node.attrs
    w_shape = lw.graph.param(node, "weight").shape
    attrs = dict(kernel_shape=list(w_shape[-2:]), strides=list(a["stride"]), dilations=list(a["dilation"]),
                 pads=list(a["padding"]) * 2, group=a["groups"])

    def step(t, ins):
        w = _weight(lw, node, t, 4, lambda arr: arr.astype(F32))
        return _epilogue(lw, node, t, lw.b.op("Conv", [ins[0], w], lw.hint(node, t, "conv"), **attrs))
    return lw.per_step(xs, step)


@lowers("spike_matmul")
def spike_matmul(lw, node, xs):
    rank = len(lw.graph[node.operands[0]].type.shape) + 1          # with the batch axis
    swap = list(range(rank - 2)) + [rank - 1, rank - 2]
    scale = node.attrs["scale"]

    def step(t, ins):
        a, b = ins
        if node.attrs["transpose_a"]:
            a = lw.b.op("Transpose", [a], lw.hint(node, t, "aT"), perm=swap)
        if node.attrs["transpose_b"]:
            b = lw.b.op("Transpose", [b], lw.hint(node, t, "bT"), perm=swap)
        y = lw.b.op("MatMul", [a, b], lw.hint(node, t, "mm"))
        if scale != 1.0:
            y = lw.b.op("Mul", [y, lw.const(np.float32(scale))], lw.hint(node, t, "scaled"))
        return y
    return lw.per_step(xs, step)
