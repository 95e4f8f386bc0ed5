"""snnc.ir — the intermediate representation: the contract between frontend, passes and backends.

* `Graph`, `Node` (graph.py) — named nodes in topological order, a parameter store, attributes.
* `TensorType`, `DType` (types.py) — per-timestep shapes and element kinds
  (spike, int<k>, uint<k>, fixed<k,f>, f32).
* `ops` — one definition per op: equation, type inference, verification rules.
* `verify(graph)` — structure then per-op rules; errors name the node.
* text form: `print_graph(g)`, `parse(text)`, `save(g, path)`, `load(path)` (``.snnir``).

This package imports nothing else of snnc and no third-party IR package: NIR export
is `snnc.backends.nir`, NIR import `snnc.frontend.nir_import`.
"""
from .errors import IRError, ParseError, TimestepsError, VerifyError
from .graph import Graph, Node
from .ops import OPS, get_op
from .types import F32, SPIKE, DType, TensorType, fixed, int_, parse_dtype, uint
from .limits import MAX_TIMESTEPS
from .verify import check_timesteps, verify

__all__ = ["Graph", "Node", "TensorType", "DType", "SPIKE", "F32", "int_", "uint", "fixed", "parse_dtype",
           "OPS", "get_op", "verify", "check_timesteps", "IRError", "ParseError", "VerifyError",
           "TimestepsError", "MAX_TIMESTEPS",
           "print_graph", "parse", "save", "load"]


def __getattr__(name):
    # The text form is imported on first use (lark is only needed by the code paths that use it).
    if name in ("print_graph", "parse", "save", "load"):
        from . import text
        return getattr(text, name)
    raise AttributeError(f"module 'snnc.ir' has no attribute {name!r}")
