"""The layout of broadcast parameters in generated code (C and C++ alike).

A broadcast parameter ``p`` of shape ``(T_p,) + B`` applied to a value of per-timestep
shape S (every ``B_d`` is 1 or ``S_d``) is stored as the rows ``values[T_p][n]``; the
element of flat (row-major) index ``i`` at timestep ``t`` reads row ``t % T_p``:

* every value of p is the same: `uniform`, a single constant (no memory, no index);
* the dims of S that B does not broadcast (``B_d = S_d > 1``) are contiguous, ``a..z``:
  ``n = S_a···S_z`` and the element index is ``(i / inner) % n`` with ``inner =
  S_{z+1}···`` (per channel of ``[C, H, W]``: ``i / (H·W)``; per feature of ``[N, F]``:
  ``i % F``; the division or the modulo is left out where it is the identity);
* otherwise the parameter is expanded to the whole shape: ``n = |S|``, index ``i``;
* no dim varies but T_p > 1 (per tensor, per timestep): ``n = 1``, index ``0``.

`periodic` (T_p > 1) says whether the index depends on t. `index` and `flat_index` are
expressions of the generated code in terms of the variable names given.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Layout:
    """A broadcast parameter laid out for one value (module docstring)."""
    values: np.ndarray      # int64 [T_p, n]
    elem: str               # the row index of element "{i}" (unused when uniform)

    @property
    def periods(self) -> int:
        return int(self.values.shape[0])

    @property
    def row_len(self) -> int:
        return int(self.values.shape[1])

    @property
    def uniform(self) -> bool:
        return self.values.size > 0 and int(self.values.min()) == int(self.values.max())

    @property
    def constant(self) -> int:
        """The one value of a uniform parameter."""
        return int(self.values.flat[0])

    @property
    def periodic(self) -> bool:
        return not self.uniform and self.periods > 1

    @property
    def bounds(self) -> tuple[int, int]:
        """(min, max) of the values ((0, 0) when there are none)."""
        return (int(self.values.min()), int(self.values.max())) if self.values.size else (0, 0)

    def index(self, i: str = "i") -> str:
        """The index of element `i` within a row."""
        return self.elem.replace("{i}", i)

    def flat_index(self, i: str = "i", t: str = "t") -> str:
        """The index of element `i` at timestep `t` into the flattened ``values`` (row after row)."""
        if self.periods > 1:
            return f"({t} % {self.periods}) * {self.row_len} + {self.index(i)}"
        return self.index(i)


def broadcast_layout(param: np.ndarray, shape) -> Layout:
    """Lay out the integer parameter ``(T_p,) + B`` for a value of per-timestep `shape` (module docstring)."""
    p = np.asarray(param).astype(np.int64)
    shape = tuple(int(s) for s in shape)
    tp, b = p.shape[0], p.shape[1:]
    varying = [d for d, (bd, sd) in enumerate(zip(b, shape)) if bd == sd and sd > 1]
    if not varying:
        return Layout(p.reshape(tp, -1)[:, :1], "0")
    a, z = varying[0], varying[-1]
    if all(shape[d] == 1 or d in varying for d in range(a, z + 1)):
        n = int(np.prod(shape[a:z + 1]))
        inner = int(np.prod(shape[z + 1:]))
        # outside a..z every dim of B is 1: broadcast over a..z only, then flatten
        window = tuple(s if a <= d <= z else 1 for d, s in enumerate(shape))
        vals = np.ascontiguousarray(np.broadcast_to(p, (tp,) + window)).reshape(tp, n)
        expr = "{i}" if inner == 1 else f"({{i}} / {inner})"
        if n * inner != int(np.prod(shape)):
            expr = f"({expr} % {n})"
        return Layout(vals, expr)
    full = np.ascontiguousarray(np.broadcast_to(p, (tp,) + shape)).reshape(tp, -1)
    return Layout(full, "{i}")
