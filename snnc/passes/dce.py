"""dce: dead code elimination."""
from dataclasses import dataclass

from snnc.ir import Graph

from .base import Pass, register


@register
@dataclass(frozen=True)
class DCE(Pass):
    """Remove nodes whose results reach no output, and parameters no node uses.

    Inputs are kept even when unused (they are the graph's interface)."""
    name = "dce"

    def apply(self, graph: Graph) -> Graph:
        live = {n.name for n in graph.outputs}
        for node in reversed(list(graph)):
            if node.name in live:
                live.update(node.operands)
        for node in reversed(list(graph)):
            if node.name not in live and node.op != "input":
                graph.remove(node)
        graph.prune_params()
        return graph
