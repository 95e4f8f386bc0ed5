"""Pooling kernels: sumpool2d, avgpool2d, maxpool2d over the last two dims of [T, B, C, H, W]."""
from __future__ import annotations

import numpy as np

from snnc.ir.types import maxabs

from .. import intmath
from .common import F32, float_operand, is_float_result
from .registry import kernel


def reduce_windows(x: np.ndarray, attrs: dict, pad_value, fn) -> np.ndarray:
    """Fold `fn` (np.add, np.maximum) over the kh·kw window offsets of x [..., H, W] padded
    with `pad_value`: y[..., i, j] = fn over (u, v) of xp[..., i·sh + u, j·sw + v], offsets in
    row-major order (u, v) = (0, 0), (0, 1), …; one whole-array operation per offset."""
    (kh, kw), (sh, sw), (ph, pw) = attrs["kernel"], attrs["stride"], attrs["padding"]
    if ph or pw:
        x = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)], constant_values=pad_value)
    Ho = (x.shape[-2] - kh) // sh + 1
    Wo = (x.shape[-1] - kw) // sw + 1
    y = None
    for u in range(kh):
        for v in range(kw):
            tap = x[..., u:u + sh * (Ho - 1) + 1:sh, v:v + sw * (Wo - 1) + 1:sw]
            y = tap.copy() if y is None else fn(y, tap)
    return y


@kernel("sumpool2d")
def sumpool2d(ctx, node, x):
    """y[c, i, j] = Σ over the window (zero padding): float32 sums in window order, or exact integer sums."""
    if is_float_result(node):
        return reduce_windows(float_operand(x), node.attrs, 0, np.add)
    kh, kw = node.attrs["kernel"]
    x = x.astype(intmath.wide_dtype(kh * kw * maxabs(x)))
    return reduce_windows(x, node.attrs, 0, np.add)


@kernel("avgpool2d")
def avgpool2d(ctx, node, x):
    """y = sumpool2d(x) / (kh·kw) in float32, padding counted (count_include_pad=True)."""
    kh, kw = node.attrs["kernel"]
    return reduce_windows(float_operand(x), node.attrs, 0, np.add) / F32(kh * kw)


@kernel("maxpool2d")
def maxpool2d(ctx, node, x):
    """y[c, i, j] = max over the window; padding (−∞, or the smallest int64) never wins."""
    pad = -np.inf if x.dtype.kind == "f" else intmath.INT64_MIN
    return reduce_windows(x, node.attrs, pad, np.maximum)
