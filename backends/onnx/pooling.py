"""Pooling and shape ops: sumpool2d, avgpool2d, maxpool2d, flatten, reshape (x[t]: [batch, C, H, W]).

* sumpool2d: ``Pad`` with zeros, then the kh·kw window taps (strided ``Slice``) summed with
  ``Add`` in row-major offset order (u, v) = (0, 0), (0, 1), … — the reference's order, so
  float sums are bit-identical (AveragePool·k² or a ones-Conv would sum in another order).
* avgpool2d: the same sum, then ``Div`` by kh·kw (padding counted, count_include_pad=1).
* maxpool2d: ``MaxPool`` (padding never wins; the maximum does not depend on the order).
* flatten / reshape: ``Reshape`` to ``[0, *shape]`` (0 keeps the batch dimension).
"""
from __future__ import annotations

import numpy as np

from .lowering import F32, lowers

I64 = np.int64


def _window_sum(lw, node, t: int, x: str) -> str:
    """Σ over the window of the zero-padded x, taps added in row-major offset order."""
    (kh, kw), (sh, sw), (ph, pw) = node.attrs["kernel"], node.attrs["stride"], node.attrs["padding"]
    _, Ho, Wo = node.type.shape
    if ph or pw:
        x = lw.b.op("Pad", [x, lw.const([0, 0, ph, pw, 0, 0, ph, pw], I64), lw.const(0.0)],
                    lw.hint(node, t, "padded"), mode="constant")
    if (kh, kw, sh, sw) == (1, 1, 1, 1):
        return x                                          # a 1×1 window with stride 1: the identity
    axes, steps = lw.const([2, 3], I64), lw.const([sh, sw], I64)
    y = None
    for u in range(kh):
        for v in range(kw):
            starts = lw.const([u, v], I64)
            ends = lw.const([u + sh * (Ho - 1) + 1, v + sw * (Wo - 1) + 1], I64)
            tap = lw.b.op("Slice", [x, starts, ends, axes, steps], lw.hint(node, t, f"tap{u}_{v}"))
            y = tap if y is None else lw.b.op("Add", [y, tap], lw.hint(node, t, f"sum{u}_{v}"))
    return y


@lowers("sumpool2d")
def sumpool2d(lw, node, xs):
    return lw.per_step(xs, lambda t, ins: _window_sum(lw, node, t, ins[0]))


@lowers("avgpool2d")
def avgpool2d(lw, node, xs):
    kh, kw = node.attrs["kernel"]
    k = lw.const(F32(kh * kw))
    return lw.per_step(xs, lambda t, ins: lw.b.op("Div", [_window_sum(lw, node, t, ins[0]), k],
                                                  lw.hint(node, t, "avg")))


@lowers("maxpool2d")
def maxpool2d(lw, node, xs):
    a = node.attrs
    attrs = dict(kernel_shape=list(a["kernel"]), strides=list(a["stride"]), pads=list(a["padding"]) * 2)
    return lw.per_step(xs, lambda t, ins: lw.b.op("MaxPool", ins, lw.hint(node, t), **attrs))


@lowers("flatten", "reshape")
def reshape(lw, node, xs):
    shape = lw.const([0] + list(node.type.shape), I64)
    return lw.per_step(xs, lambda t, ins: lw.b.op("Reshape", [ins[0], shape], lw.hint(node, t)))
