"""A small writer of ONNX graphs: nodes, initializers and constants with unique names.

`GraphBuilder.op("MatMul", [a, b], "fc1.t0")` appends one node and returns the name
of its (single) output; `init(array, hint, key)` adds an initializer once per `key`;
`const(value, dtype)` gives a shared scalar or small constant initializer. All
names come from one `Namer` (`names.py`), so they are identifiers and unique.
The `onnx` package is imported by the caller (`export.py`) and handed in, so that
importing the target does not import onnx.
"""
from __future__ import annotations

import numpy as np

from .names import Namer


class GraphBuilder:
    def __init__(self, onnx_module, namer: Namer):
        self.onnx = onnx_module
        self.names = namer
        self.nodes: list = []
        self.initializers: list = []
        self._inits: dict = {}

    def op(self, op_type: str, inputs: list[str], hint: str, **attrs) -> str:
        """Append one node ``op_type(inputs)``; return its output's name (derived from `hint`)."""
        out = self.names.fresh(hint)
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), [out],
                                                     name=self.names.fresh(f"{hint}_{op_type}"), **attrs))
        return out

    def init(self, array: np.ndarray, hint: str, key=None) -> str:
        """An initializer holding `array` (once per `key`; no key: always a new one)."""
        if key is not None and key in self._inits:
            return self._inits[key]
        name = self.names.fresh(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.array(array, order="C"), name))
        if key is not None:
            self._inits[key] = name
        return name

    def const(self, value, dtype) -> str:
        """A shared constant initializer (scalar or small array) of NumPy `dtype`."""
        a = np.asarray(value, dtype=dtype)
        key = ("const", a.dtype.str, a.shape, a.tobytes())
        hint = f"c_{a.dtype.name}_" + ("_".join(str(v) for v in a.ravel()[:4]) if a.size else "empty")
        return self.init(a, hint.replace("-", "m").replace(".", "p"), key)
