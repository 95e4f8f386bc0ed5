"""spike-maxpool-to-sumpool: max pooling of binary spikes as sum pooling and a threshold (an OR)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snnc.ir import Graph

from .base import Pass, register


@register
@dataclass(frozen=True)
class SpikeMaxPoolToSumPool(Pass):
    """Rewrite every ``maxpool2d`` whose operand is a binary spike value as

        %p.sum = sumpool2d(x)  (the same kernel, stride, padding)
        %p     = threshold(%p.sum) {compare = "gt"}  [threshold = 0]

    The max of 0/1 values is 1 exactly when their sum is above 0, and zero padding never
    changes an OR of non-negative values, so the outputs are identical. The threshold keeps
    the max pooling's name (its value is the same). Targets without max pooling (NIR's
    SumPool2d and Threshold, Loihi's spike OR layer) use it; max pooling of other values is
    left as it is.
    """
    name = "spike-maxpool-to-sumpool"

    def apply(self, graph: Graph) -> Graph:
        for n in graph:
            if n.op == "maxpool2d" and graph[n.operands[0]].type.dtype.kind == "spike":
                summed = graph.add("sumpool2d", n.operands, dict(n.attrs), name=f"{n.name}.sum", before=n.name)
                rank = len(n.type.shape)
                n.op, n.operands, n.attrs = "threshold", [summed.name], {"compare": "gt"}
                n.params = {"threshold": graph.add_param(f"{n.name}.threshold", np.zeros((1,) * (rank + 1), np.int8))}
                n.type = n.opdef.infer(n, graph)
        return graph
