"""`Emitter`: the IR graph under construction, with the helpers every lowering shares.

A lowering turns one PyTorch module (or one fx function call) into IR nodes.
Values are referred to by IR node name; their per-timestep shape (the PyTorch
shape without the leading ``[T, B]``) is the node's inferred type. Parameters
are stored under ``<node>.<role>`` by `snnc.ir.Graph.add`.

Broadcast parameters (see `snnc.ir.ops.base`) have shape ``(T_p,) + B`` with
``len(B)`` equal to the rank of the value they apply to. `broadcast` builds them:

* a scalar c          → shape ``(1, 1, …, 1)``            (static, per tensor)
* a vector v of [C]   → shape ``(1, C, 1, …, 1)``         (static, per channel = axis 0)
* an array of the value's shape S → shape ``(1,) + S``    (static, per neuron)
"""
from __future__ import annotations

import re

import numpy as np

from snnc.errors import UnsupportedError
from snnc.ir import Graph, Node

_NOT_NAME = re.compile(r"[^A-Za-z0-9_.]")


def ir_name(text: str) -> str:
    """A valid IR identifier from a module path (dots kept; other characters become '_')."""
    name = _NOT_NAME.sub("_", str(text)).strip(".") or "v"
    return name if re.match(r"[A-Za-z_]", name) else "_" + name


def broadcast(value, shape: tuple[int, ...], what: str) -> np.ndarray:
    """`value` (scalar, per-channel [C] or per-neuron array) as a static float32 broadcast
    parameter for a value of per-timestep `shape` (rules in the module docstring)."""
    a = np.array(value, dtype=np.float32)          # a copy: the graph never aliases the model
    rank = len(shape)
    if a.ndim == 0:
        return a.reshape((1,) * (rank + 1))
    if a.ndim == 1 and rank >= 1 and a.shape[0] == shape[0]:
        return a.reshape((1, a.shape[0]) + (1,) * (rank - 1))
    if a.shape == tuple(shape):
        return a[None]
    raise UnsupportedError(f"{what} has shape {list(a.shape)}, which is neither a scalar, one value per "
                           f"channel ({shape[0] if shape else 1}) nor one per neuron {list(shape)}")


class Emitter:
    """Adds IR nodes to `graph`, recording the PyTorch module each node comes from.

    ``node.meta["module"]`` is the module's path in the model (e.g. ``layers.2``) and
    ``node.meta["call"]`` the index of that module's call (0 unless a module is
    called more than once); `snnc.frontend.compare` uses both to match PyTorch hooks.
    """

    def __init__(self, graph: Graph):
        self.graph = graph
        self._calls: dict[str, int] = {}

    def shape(self, value: str) -> tuple[int, ...]:
        return tuple(self.graph[value].type.shape)

    def dtype(self, value: str):
        return self.graph[value].type.dtype

    def add(self, op: str, operands, name: str, *, attrs: dict | None = None, params: dict | None = None,
            module: str | None = None) -> str:
        """Append one node (name made unique) and return its name."""
        node: Node = self.graph.add(op, operands, attrs or {}, params or {}, name=ir_name(name))
        if module:
            node.meta["module"] = module
            node.meta["call"] = self._calls.get(module, 0)
        return node.name

    def end_call(self, module: str) -> None:
        """Count one finished call of the module at `module` (for ``meta["call"]``)."""
        self._calls[module] = self._calls.get(module, 0) + 1

    def as_float(self, value: str, name: str) -> str:
        """`value` itself when it is f32, else an exact conversion ``scale(value, 1.0)`` to f32
        (float-only ops — neurons, batchnorm, multispike — take f32 operands)."""
        if self.dtype(value).is_float:
            return value
        ones = np.ones((1,) * (len(self.shape(value)) + 1), np.float32)
        return self.add("scale", [value], name + ".to_f32", params={"scale": ones})
