"""Exact integer arithmetic for the interpreter.

Integer values travel between nodes as int64 arrays. Inside a kernel, every
integer sum or product is computed in the cheapest representation that is
exact for the magnitude `bound` the kernel has proven for all of its partial
results:

* ``float64`` when ``bound < 2^53`` — every product and partial sum of the
  integers is then exactly representable, whatever order BLAS adds them in;
* ``int64`` when ``bound ≤ 2^63 − 1``;
* Python integers (``object`` arrays) beyond that — slow, but never wrong.

The interpreter checks each result against the node's declared type before it
narrows it back to int64 (`to_int64`).
"""
from __future__ import annotations

import numpy as np

EXACT_F64 = 1 << 53
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def wide_dtype(bound: int):
    """int64 when every value is bounded by `bound` in magnitude and fits int64, else Python ints."""
    return np.int64 if bound <= INT64_MAX else object


def accum_dtype(bound: int):
    """Representation for an accumulation (matmul, convolution) whose partial sums stay within `bound`."""
    return np.float64 if bound < EXACT_F64 else wide_dtype(bound)


def matmul(a: np.ndarray, b: np.ndarray, bound: int) -> np.ndarray:
    """``a @ b`` exactly, for integer arrays whose partial sums are bounded by `bound` in magnitude.

    Returns int64, or an object array when `bound` exceeds int64."""
    dt = accum_dtype(bound)
    out = np.matmul(a.astype(dt), b.astype(dt))
    return out.astype(np.int64) if dt is np.float64 else out


def from_accum(a: np.ndarray) -> np.ndarray:
    """Back from the accumulation representation: float64 → int64 (exact), others unchanged."""
    return a.astype(np.int64) if a.dtype == np.float64 else a


def offending(value: np.ndarray, lo: int, hi: int):
    """The first element of `value` outside [lo, hi] as a Python int, or None when all fit."""
    if value.size == 0 or (value.min() >= lo and value.max() <= hi):
        return None
    flat = value.reshape(-1)
    return int(flat[np.flatnonzero((flat < lo) | (flat > hi))[0]])


def first_violation(value: np.ndarray, lo: int, hi: int):
    """(timestep, offending value) of the first element of `value` [T, ...] outside [lo, hi], or None."""
    if offending(value, lo, hi) is None:
        return None
    for t in range(value.shape[0]):
        v = offending(value[t], lo, hi)
        if v is not None:
            return t, v
    return None  # pragma: no cover - unreachable


def to_int64(value: np.ndarray) -> np.ndarray:
    """Narrow an integer result (already range-checked) to int64."""
    return value if value.dtype == np.int64 else value.astype(np.int64)
