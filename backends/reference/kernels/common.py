"""Helpers shared by the kernels: float/integer mode, weight banks, scale and bias."""
from __future__ import annotations

import numpy as np

F32 = np.float32


def is_float_result(node) -> bool:
    """True when the node's result is f32 (float semantics), False for exact integer semantics."""
    return node.type.dtype.is_float


def is_int_array(a: np.ndarray) -> bool:
    return a.dtype.kind in "biuO"


def per_bank(x: np.ndarray, bank: np.ndarray, fn) -> np.ndarray:
    """Apply ``fn(x_rows, W)`` with ``W = bank[t % T_w]`` to the timesteps t of x [T, B, ...].

    A static weight is a bank of one: a single call over all timesteps at once."""
    T, Tw = x.shape[0], bank.shape[0]
    if Tw == 1:
        return fn(x, bank[0])
    parts = {j: fn(x[j::Tw], bank[j]) for j in range(min(Tw, T))}
    first = parts[0]
    out = np.empty((T,) + first.shape[1:], first.dtype)
    for j, y in parts.items():
        out[j::Tw] = y
    return out


def float_operand(a: np.ndarray) -> np.ndarray:
    """An operand of a float op, as float32 (integer raw values converted as they are)."""
    return a.astype(F32, copy=False)


def scale_bias(ctx, node, y: np.ndarray) -> np.ndarray:
    """Float epilogue of linear/conv2d: ``y * scale[t] + bias[t]`` in float32 (each optional)."""
    s = ctx.tparam(node, "scale", F32)
    b = ctx.tparam(node, "bias", F32)
    y = y.astype(F32, copy=False)
    if s is not None:
        y = y * s
    if b is not None:
        y = y + b
    return y
