"""What integerize approximated, node by node, from the nodes' ``meta["integerize"]``."""
from __future__ import annotations

from snnc.ir import Graph


def report(graph: Graph) -> list[dict]:
    """One row per node that integerize annotated: name, op, and its meta entries
    (approx: what was rounded or quantized; tie_margin / error_bound in real units;
    frac_bits, state_bits_needed for neurons; rescale: why a gain was inserted)."""
    rows = []
    for node in graph:
        meta = node.meta.get("integerize")
        if meta:
            rows.append({"node": node.name, "op": node.op, **meta})
    return rows
