"""Time-broadcast arrays: the per-timestep, per-channel real factors integerize tracks.

A *TB array* has the IR's broadcast-parameter layout: shape ``(T_a,) + B`` where
``len(B)`` is the rank of the value it describes and each dim of B is 1 or the
value's dim; at timestep t the slice ``a[t % T_a]`` applies. Here they are
float64 (exact bookkeeping of real scales σ and offsets β). Two TB arrays
combine elementwise after both are expanded to a common period
``lcm(T_a, T_b)``, capped at the number of timesteps T the graph runs for (an
array of length T applies as ``a[t % T] = a[t]`` for every t < T, which is all
that is ever used).
"""
from __future__ import annotations

import math

import numpy as np

from snnc.ir.types import maxabs  # noqa: F401 -- the IR's helper, read as tb.maxabs by lower.py


def const(value: float, rank: int) -> np.ndarray:
    """A static, per-tensor TB array."""
    return np.full((1,) + (1,) * rank, float(value))


def from_param(p: np.ndarray) -> np.ndarray:
    """A broadcast parameter (already ``(T_p,) + B``) as a float64 TB array."""
    return np.asarray(p, dtype=np.float64)


def period(a: np.ndarray) -> int:
    return int(a.shape[0])


def expand_time(a: np.ndarray, length: int) -> np.ndarray:
    """``a[t % T_a]`` for t = 0 … length-1."""
    if a.shape[0] == length:
        return a
    return a[np.arange(length) % a.shape[0]]


def common_period(T: int, *arrays) -> int:
    """lcm of the periods, capped at T."""
    p = 1
    for a in arrays:
        if a is not None:
            p = math.lcm(p, a.shape[0])
    return min(p, T) if p > T else p


def align(T: int, *arrays):
    """The arrays expanded to one common period (None stays None)."""
    p = common_period(T, *arrays)
    return [None if a is None else expand_time(a, p) for a in arrays]


def mul(T: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = align(T, a, b)
    return a * b


def add(T: int, a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return b
    if b is None:
        return a
    a, b = align(T, a, b)
    return a + b


def previous(a: np.ndarray) -> np.ndarray:
    """``a[t-1]`` (cyclic in the period; at t = 0 it is never used: states start at 0)."""
    return np.roll(a, 1, axis=0)


def full(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Broadcast the non-time dims to the value's full per-timestep shape."""
    return np.broadcast_to(a, (a.shape[0],) + tuple(shape)).copy()


def simplify(a: np.ndarray | None) -> np.ndarray | None:
    """The smallest TB array with the same values: shortest period, size-1 dims where constant."""
    if a is None:
        return None
    n = a.shape[0]
    for p in range(1, n):
        if n % p == 0 and np.array_equal(a, expand_time(a[:p], n)):
            a = a[:p]
            break
    for d in range(1, a.ndim):
        if a.shape[d] > 1 and np.all(a == a.take([0], axis=d)):
            a = a.take([0], axis=d)
    return np.ascontiguousarray(a)


def is_scalar(a: np.ndarray) -> bool:
    """One value for every timestep and element."""
    return bool(np.all(a == a.reshape(-1)[0]))


def uniform_over(a: np.ndarray, axes: tuple[int, ...]) -> bool:
    """Constant along the given value axes (0-based axes of the per-timestep shape)."""
    return all(a.shape[d + 1] == 1 or np.all(a == a.take([0], axis=d + 1)) for d in axes)


def reduce_min(a: np.ndarray, axes: tuple[int, ...], time: bool = False) -> np.ndarray:
    """Minimum over the given value axes (kept as size 1), and over time too when `time`."""
    out = a
    for d in axes:
        out = out.min(axis=d + 1, keepdims=True)
    if time:
        out = out.min(axis=0, keepdims=True)
    return out


def reshape(a: np.ndarray | None, old: tuple[int, ...], new: tuple[int, ...]) -> np.ndarray | None:
    """A TB array over a value of shape `old` re-laid for the same elements viewed as `new`."""
    if a is None:
        return None
    if all(d == 1 for d in a.shape[1:]):
        return a.reshape((a.shape[0],) + (1,) * len(new))
    return simplify(full(a, old).reshape((a.shape[0],) + tuple(new)))
