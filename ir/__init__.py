"""snnc.ir — the intermediate representation: the contract between frontend, passes and backends.

* `Graph`, `Node` (graph.py) — named nodes in topological order, a parameter store, attributes.
* `TensorType`, `DType` (types.py) — per-timestep shapes and element kinds
  (spike, int<k>, uint<k>, fixed<k,f>, f32).
* `ops` — one definition per op: equation, type inference, verification rules.
* `verify(graph)` — structure then per-op rules; errors name the node.
* text form: `print_graph(g)`, `parse(text)`, `save(g, path)`, `load(path)`.
* NIR bridge: `to_nir(g)`, `from_nir(nir_graph)`.

This package imports nothing else of snnc.
"""
from .errors import IRError, ParseError, VerifyError
from .graph import Graph, Node
from .ops import OPS, get_op
from .types import F32, SPIKE, DType, TensorType, fixed, int_, parse_dtype, uint
from .verify import verify

__all__ = ["Graph", "Node", "TensorType", "DType", "SPIKE", "F32", "int_", "uint", "fixed", "parse_dtype",
           "OPS", "get_op", "verify", "IRError", "ParseError", "VerifyError",
           "print_graph", "parse", "save", "load", "to_nir", "from_nir",
           "NIRError", "NIRExportError", "NIRImportError"]


def __getattr__(name):
    # The text form and the NIR bridge are imported on first use (lark / nir are only
    # needed by the code paths that use them).
    if name in ("print_graph", "parse", "save", "load"):
        from . import text
        return getattr(text, name)
    if name in ("to_nir", "from_nir", "NIRError", "NIRExportError", "NIRImportError"):
        from . import nir_bridge
        return getattr(nir_bridge, name)
    raise AttributeError(f"module 'snnc.ir' has no attribute {name!r}")
