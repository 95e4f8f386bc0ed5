"""Multi-bit spike kernels (IE-LIF): multispike and multispike_int."""
from __future__ import annotations

import numpy as np

from snnc.ir.types import maxabs

from .. import intmath
from ..errors import ExecutionError
from .common import float_operand
from .registry import kernel


@kernel("multispike")
def multispike(ctx, node, x):
    """s[t] = floor(clip(x[t], 0, D) + 1/2)  (round half up), an integer in 0..D.

    Evaluated in float64, where every float32 x + 1/2 is exact, so that values
    just below a half-integer never round up (in float32, 0.49999997 + 0.5 rounds
    to 1.0)."""
    x = float_operand(x)
    if not np.isfinite(x).all():
        t = int(np.flatnonzero(~np.isfinite(x).reshape(x.shape[0], -1).all(axis=1))[0])
        raise ExecutionError("multispike input is NaN or infinite; it has no spike count", timestep=t)
    c = np.clip(x.astype(np.float64), 0.0, float(node.attrs["D"]))
    return np.floor(c + 0.5).astype(np.int64)


@kernel("multispike_int")
def multispike_int(ctx, node, x):
    """s[t] = clip((x[t] + half) >> f, 0, D),  half = 2^(f-1) if f > 0 else 0  (exact integers)."""
    f = node.attrs["frac_bits"]
    half = (1 << (f - 1)) if f > 0 else 0
    x = x.astype(intmath.wide_dtype(maxabs(x) + half))
    return np.clip((x + half) >> f, 0, node.attrs["D"])
