"""Rewrites that make a float graph expressible in NIR without changing its outputs.

* ``maxpool2d`` over binary spikes → ``sumpool2d`` (same window) then ``threshold`` with
  threshold 0 and ``compare = "gt"``: the max of 0/1 values is 1 exactly when their sum is
  above 0 (zero padding never changes an OR of non-negative values). NIR 1.0 has no max
  pooling but has SumPool2d and Threshold (``z = v > θ``), so spiking CNNs with max pooling
  export exactly.

`lower_for_nir` works on a copy and leaves every other node as it is.
"""
from __future__ import annotations

import numpy as np

from snnc.ir import Graph


def spike_maxpools(graph: Graph) -> list:
    return [n for n in graph if n.op == "maxpool2d" and graph[n.operands[0]].type.dtype.kind == "spike"]


def lower_for_nir(graph: Graph) -> Graph:
    """A copy of `graph` with every max pooling of spikes written as sum pooling + threshold."""
    pools = spike_maxpools(graph)
    if not pools:
        return graph
    g = graph.copy()
    for n in pools:
        rank = len(n.type.shape)
        summed = g.add("sumpool2d", [n.operands[0]], dict(n.attrs), name=f"{n.name}.sum", before=n.name)
        spikes = g.add("threshold", [summed], {"compare": "gt"},
                       {"threshold": np.zeros((1,) * (rank + 1), np.int8)}, name=f"{n.name}.any", before=n.name)
        g.replace_all_uses_with(n, spikes)
        g.remove(n)
    g.prune_params()
    g.verify()
    return g
