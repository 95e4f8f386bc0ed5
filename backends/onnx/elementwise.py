"""Elementwise ops: add, scale, affine, batchnorm, threshold, multispike (per timestep).

* add:       ``x_1 + x_2 + … + x_n`` with ``Add``, left to right.
* scale:     ``Mul(x, scale[t])``; integer form (shift > 0): ``Floor(Mul(x·scale[t], 2^-shift))``,
             exact because x·scale is an integer below 2^24 and 2^-shift is a power of two.
* affine:    as scale, then ``Add bias[t]``.
* batchnorm: ``(x − mean) / sqrt(var + eps) · weight + bias`` as ``Sub``, ``Div``, ``Mul``,
             ``Add`` in that order, with ``sqrt(var + eps)`` evaluated in float32 at export
             (correctly rounded, as the reference does). ONNX ``BatchNormalization`` is not
             used: onnxruntime folds it into one multiply-add, which rounds differently.
* threshold: ``GreaterOrEqual`` (or ``Greater``) against threshold[t], ``Cast`` to 0/1.
* mul:       ``Mul(a, b)``; the lower-rank operand is first ``Unsqueeze``d after the batch axis,
             so its per-timestep shape broadcasts as NumPy aligns trailing dims (the reference rule).
* reduce_sum: ``ReduceSum`` over 1 + axis (the batch axis leads each step), ``keepdims`` as the IR's.
* multispike: ``floor(clip(x, 0, D) + 1/2)`` as ``Cast`` to double, ``Clip``, ``Add``, ``Floor``,
             ``Cast`` back — in double, where every float32 x + 1/2 is exact (in float32,
             0.49999997 + 0.5 would round up to 1).
"""
from __future__ import annotations

import numpy as np

from .lowering import F32, lowers

F64 = np.float64


def compare_op(attrs) -> str:
    return "GreaterOrEqual" if attrs["compare"] == "ge" else "Greater"


@lowers("add")
def add(lw, node, xs):
    def step(t, ins):
        y = ins[0]
        for k, x in enumerate(ins[1:], 1):
            y = lw.b.op("Add", [y, x], lw.hint(node, t, f"add{k}" if k < len(ins) - 1 else ""))
        return y
    return lw.per_step(xs, step)


@lowers("scale", "affine")
def scale(lw, node, xs):
    shift = node.attrs["shift"]

    def step(t, ins):
        y = lw.b.op("Mul", [ins[0], lw.param(node, "scale", t)], lw.hint(node, t, "mul"))
        if shift:
            y = lw.b.op("Mul", [y, lw.const(F32(2.0 ** -shift))], lw.hint(node, t, "shr"))
            y = lw.b.op("Floor", [y], lw.hint(node, t, "floor"))
        if node.op == "affine":
            y = lw.b.op("Add", [y, lw.param(node, "bias", t)], lw.hint(node, t, "bias"))
        return y
    return lw.per_step(xs, step)


@lowers("batchnorm")
def batchnorm(lw, node, xs):
    rank = len(node.type.shape)
    tail = (1,) * (rank - node.attrs["axis"] % rank - 1)
    g = lw.graph

    def p(role, value=None):
        a = (g.param(node, role) if value is None else value).astype(F32).reshape((-1,) + tail)
        return lw.b.init(a, lw.hint(node, what=role))

    mean, weight, bias = p("mean"), p("weight"), p("bias")
    denom = p("denom", np.sqrt(g.param(node, "var").astype(F32) + F32(node.attrs["eps"])))

    def step(t, ins):
        y = lw.b.op("Sub", [ins[0], mean], lw.hint(node, t, "centered"))
        y = lw.b.op("Div", [y, denom], lw.hint(node, t, "normed"))
        y = lw.b.op("Mul", [y, weight], lw.hint(node, t, "weighted"))
        return lw.b.op("Add", [y, bias], lw.hint(node, t))
    return lw.per_step(xs, step)


@lowers("threshold")
def threshold(lw, node, xs):
    def step(t, ins):
        s = lw.b.op(compare_op(node.attrs), [ins[0], lw.param(node, "threshold", t)], lw.hint(node, t, "fire"))
        return lw.b.op("Cast", [s], lw.hint(node, t), to=lw.b.onnx.TensorProto.FLOAT)
    return lw.per_step(xs, step)


@lowers("multispike")
def multispike(lw, node, xs):
    TP = lw.b.onnx.TensorProto
    lo, hi, half = lw.const(F64(0.0), F64), lw.const(F64(node.attrs["D"]), F64), lw.const(F64(0.5), F64)

    def step(t, ins):
        x = lw.b.op("Cast", [ins[0]], lw.hint(node, t, "f64"), to=TP.DOUBLE)
        x = lw.b.op("Clip", [x, lo, hi], lw.hint(node, t, "clip"))
        x = lw.b.op("Floor", [lw.b.op("Add", [x, half], lw.hint(node, t, "half"))], lw.hint(node, t, "floor"))
        return lw.b.op("Cast", [x], lw.hint(node, t), to=TP.FLOAT)
    return lw.per_step(xs, step)


@lowers("mul")
def mul(lw, node, xs):
    rank = len(node.type.shape)

    def aligned(t, x, k):
        missing = rank - len(lw.graph.operand_types(node)[k].shape)
        if not missing:
            return x
        axes = lw.const(list(range(1, 1 + missing)), np.int64)
        return lw.b.op("Unsqueeze", [x, axes], lw.hint(node, t, f"align{k}"))

    def step(t, ins):
        return lw.b.op("Mul", [aligned(t, ins[0], 0), aligned(t, ins[1], 1)], lw.hint(node, t))
    return lw.per_step(xs, step)


@lowers("reduce_sum")
def reduce_sum(lw, node, xs):
    rank = len(lw.graph.operand_types(node)[0].shape)
    axes = lw.const([1 + node.attrs["axis"] % rank], np.int64)

    def step(t, ins):
        return lw.b.op("ReduceSum", [ins[0], axes], lw.hint(node, t),
                       keepdims=int(bool(node.attrs["keepdim"])))
    return lw.per_step(xs, step)
