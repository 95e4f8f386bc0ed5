"""Elementwise kernels: add, mul, reduce_sum, scale, affine, batchnorm, threshold."""
from __future__ import annotations

import numpy as np

from snnc.ir.types import maxabs

from .. import intmath
from .common import F32, float_operand, is_float_result
from .registry import kernel


@kernel("add")
def add(ctx, node, *xs):
    """y = x_1 + x_2 + … + x_n, left to right: in float32 when the result is f32, else exact."""
    if is_float_result(node):
        y = float_operand(xs[0])
        for x in xs[1:]:
            y = y + float_operand(x)
        return y
    dt = intmath.wide_dtype(sum(maxabs(x) for x in xs))
    y = xs[0].astype(dt)
    for x in xs[1:]:
        y = y + x.astype(dt)
    return y


def _int_gain(ctx, node, x):
    """(x ⊙ scale[t]) >> shift, exact (the product in as wide an integer as it needs)."""
    s = ctx.graph.param(node, "scale")
    b = ctx.graph.param(node, "bias")
    dt = intmath.wide_dtype(maxabs(x) * maxabs(s) + maxabs(b))
    return (x.astype(dt) * ctx.tparam(node, "scale", dt)) >> node.attrs["shift"], dt


@kernel("scale")
def scale(ctx, node, x):
    """y[t] = x[t] ⊙ scale[t] in float32 (float form), or (x[t] ⊙ scale[t]) >> shift exactly
    (integer form; >> is an arithmetic shift, i.e. floor division by 2^shift)."""
    if is_float_result(node):
        return float_operand(x) * ctx.tparam(node, "scale", F32)
    return _int_gain(ctx, node, x)[0]


@kernel("affine")
def affine(ctx, node, x):
    """y[t] = x[t] ⊙ scale[t] + bias[t] in float32 (float form), or
    ((x[t] ⊙ scale[t]) >> shift) + bias[t] exactly (integer form)."""
    if is_float_result(node):
        return float_operand(x) * ctx.tparam(node, "scale", F32) + ctx.tparam(node, "bias", F32)
    y, dt = _int_gain(ctx, node, x)
    return y + ctx.tparam(node, "bias", dt)


@kernel("batchnorm")
def batchnorm(ctx, node, x):
    """y = (x − mean) / sqrt(var + eps) · weight + bias, per channel along `axis`, in float32
    in exactly that order (eps rounded to float32 first)."""
    rank = len(node.type.shape)
    axis = node.attrs["axis"] % rank
    tail = (1,) * (rank - axis - 1)

    def p(role):
        return ctx.graph.param(node, role).astype(F32).reshape((-1,) + tail)

    return (float_operand(x) - p("mean")) / np.sqrt(p("var") + F32(node.attrs["eps"])) * p("weight") + p("bias")


@kernel("threshold")
def threshold(ctx, node, x):
    """s[t] = x[t] ≥ threshold[t] (compare = "ge") or x[t] > threshold[t] ("gt"); 0/1.

    Integer x: exact integer comparison. Float x: float32 comparison (an integer
    threshold is converted to float32)."""
    if x.dtype.kind in "iu" and ctx.graph.param(node, "threshold").dtype.kind in "iu":
        th = ctx.tparam(node, "threshold", np.int64)
    else:
        x, th = float_operand(x), ctx.tparam(node, "threshold", F32)
    s = x >= th if node.attrs["compare"] == "ge" else x > th
    return s.astype(np.int64)


@kernel("mul")
def mul(ctx, node, a, b):
    """y = a ⊙ b with NumPy broadcasting of the per-timestep shapes (the [T, B] axes lead both):
    in float32 when the result is f32, else exact (int64, or Python ints beyond it)."""
    rank = len(node.type.shape)
    a = a.reshape(a.shape[:2] + (1,) * (rank + 2 - a.ndim) + a.shape[2:])
    b = b.reshape(b.shape[:2] + (1,) * (rank + 2 - b.ndim) + b.shape[2:])
    if is_float_result(node):
        return float_operand(a) * float_operand(b)
    dt = intmath.wide_dtype(maxabs(a) * maxabs(b))
    return a.astype(dt) * b.astype(dt)


@kernel("reduce_sum")
def reduce_sum(ctx, node, x):
    """y = Σ over `axis` of the per-timestep shape: float32 sum (float form) or exact (integer)."""
    ax = 2 + node.attrs["axis"] % (x.ndim - 2)
    if is_float_result(node):
        return float_operand(x).sum(axis=ax, keepdims=node.attrs["keepdim"], dtype=F32)
    dt = intmath.wide_dtype(maxabs(x) * x.shape[ax])
    return x.astype(dt).sum(axis=ax, keepdims=node.attrs["keepdim"])
