"""The lowering context and the op → lowering table.

Every IR value becomes T ONNX values, one per timestep, each ``[batch, *shape]``
(float32 for every element kind: spikes and integer counts are exact in float32
up to 2^24, which `support.check_exact` guarantees). A lowering is

    fn(lw: Lowering, node, xs: list[list[str]]) -> list[str]

taking, for each operand, its T per-timestep value names and returning the
node's T value names. Parameters become initializers: the slice ``p[t % T_p]``
of a broadcast parameter (shape ``B``, which broadcasts against ``[batch, *shape]``)
and the matrix ``W[t % T_w]`` of a weight bank, each written once however many
timesteps use it.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .builder import GraphBuilder
from .names import sanitize

F32 = np.float32
LOWERINGS: dict[str, Callable] = {}


def lowers(*ops: str):
    """Register the decorated function as the lowering of `ops`."""
    def deco(fn):
        for op in ops:
            if op in LOWERINGS:
                raise ValueError(f"lowering for {op!r} registered twice")
            LOWERINGS[op] = fn
        return fn
    return deco


class Lowering:
    """What a lowering sees: the IR graph, T, and the ONNX graph being built (`b`)."""

    def __init__(self, graph, T: int, builder: GraphBuilder):
        self.graph, self.T, self.b = graph, T, builder

    def hint(self, node, t: int | None = None, what: str = "") -> str:
        """A readable base for ONNX names: ``<node>[_<what>]_t<t>``."""
        base = sanitize(node.name) + (f"_{what}" if what else "")
        return base if t is None else f"{base}_t{t}"

    def param(self, node, role: str, t: int, transform=None, tag: str = "") -> str | None:
        """Initializer of ``transform(p[t % T_p])`` for the parameter `role` (None if absent).

        One initializer per distinct slice: static parameters (T_p = 1) are written once."""
        key = node.params.get(role)
        if key is None:
            return None
        p = self.graph.params[key]
        j = t % p.shape[0]
        a = p[j]
        a = transform(a) if transform is not None else a.astype(F32)
        name = f"{key}_{tag}" if tag else key
        return self.b.init(a, f"{name}_{j}" if p.shape[0] > 1 else name, key=(key, j, tag))

    def per_step(self, xs: list[list[str]], fn) -> list[str]:
        """``[fn(t, [x[t] for x in xs]) for t in 0..T-1]`` — a stateless op, step by step."""
        return [fn(t, [x[t] for x in xs]) for t in range(self.T)]

    def const(self, value, dtype=F32) -> str:
        return self.b.const(value, dtype)
