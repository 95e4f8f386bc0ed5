"""Structure of a NIR graph on import: reading it, flattening nested graphs, ordering nodes.

* `load` accepts a `nir.NIRGraph` or a path to a ``.nir`` file (`reading.read`).
* `flatten` inlines nested ``NIRGraph`` nodes that have one Input and one Output: their
  nodes become ``<subgraph>.<node>``, and edges into / out of the subgraph are joined to
  what its Input feeds and what feeds its Output.
* `topological` orders nodes so that every edge points forward, breaking ties by a
  rank (snnc's recorded position, else the dict order); a cycle is refused, naming it.
"""
from __future__ import annotations

import heapq
import os

import nir

from snnc.backends.nir import params as P

from .errors import NIRImportError


def load(source) -> nir.NIRGraph:
    if isinstance(source, nir.NIRGraph):
        return source
    if isinstance(source, nir.NIRNode):
        raise NIRImportError(f"expected a NIRGraph, got a single {type(source).__name__} node; "
                             f"wrap it with nir.NIRGraph.from_list")
    if isinstance(source, (str, os.PathLike)):
        from .reading import read
        return read(source)
    raise NIRImportError(f"expected a nir.NIRGraph or a path to a .nir file, got {type(source).__name__}")


def meta(obj) -> dict:
    return {str(k): P.meta_value(v) for k, v in (getattr(obj, "metadata", None) or {}).items()}


def _collect(graph: nir.NIRGraph, prefix: str = "") -> tuple[dict, list, set]:
    """Nodes (prefixed keys), edges and the keys of nested Input/Output nodes (pass-throughs)."""
    nodes, edges, passthrough = {}, [], set()
    entry, exit_ = {}, {}
    for k, n in graph.nodes.items():
        key = prefix + str(k)
        if isinstance(n, nir.NIRGraph):
            ins = [c for c, v in n.nodes.items() if isinstance(v, nir.Input)]
            outs = [c for c, v in n.nodes.items() if isinstance(v, nir.Output)]
            if len(ins) != 1 or len(outs) != 1:
                raise NIRImportError(f"a nested NIRGraph is flattened on import, which needs exactly one Input "
                                     f"and one Output node; it has {len(ins)} and {len(outs)}", key)
            sub_nodes, sub_edges, sub_pass = _collect(n, key + ".")
            nodes.update(sub_nodes)
            edges += sub_edges
            entry[k], exit_[k] = f"{key}.{ins[0]}", f"{key}.{outs[0]}"
            passthrough |= sub_pass | {entry[k], exit_[k]}
        else:
            nodes[key] = n
    for a, b in graph.edges:
        if a not in graph.nodes or b not in graph.nodes:
            raise NIRImportError(f"edge ({a!r}, {b!r}) names a node that is not in the graph")
        edges.append((exit_.get(a, prefix + str(a)), entry.get(b, prefix + str(b))))
    return nodes, edges, passthrough


def flatten(graph: nir.NIRGraph) -> tuple[dict, list]:
    """Nodes (key → NIR node, nested graphs inlined) and edges of `graph`."""
    nodes, edges, passthrough = _collect(graph)
    return nodes, _contract(nodes, edges, passthrough)


def _contract(nodes: dict, edges: list, passthrough: set) -> list:
    """Remove pass-through nodes, joining each of their sources to each of their targets."""
    for p in passthrough:
        preds = [a for a, b in edges if b == p]
        succs = [b for a, b in edges if a == p]
        edges = [e for e in edges if p not in e] + [(a, b) for a in preds for b in succs]
        del nodes[p]
    return edges


def topological(nodes: dict, edges: list, rank) -> list:
    indeg = {k: 0 for k in nodes}
    succ = {k: [] for k in nodes}
    for a, b in edges:
        indeg[b] += 1
        succ[a].append(b)
    ready = [(rank(k), k) for k, d in indeg.items() if d == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, k = heapq.heappop(ready)
        order.append(k)
        for b in succ[k]:
            indeg[b] -= 1
            if indeg[b] == 0:
                heapq.heappush(ready, (rank(b), b))
    if len(order) < len(nodes):
        loop = set(nodes) - set(order)   # cycles and what hangs below them: drop the latter
        while True:
            sinks = {k for k in loop if not any(b in loop for b in succ[k])}
            if not sinks:
                break
            loop -= sinks
        loop = sorted(loop)
        raise NIRImportError("the graph has a cycle (a recurrent connection) through "
                             + ", ".join(repr(k) for k in loop)
                             + "; the IR is feed-forward (recurrence lives inside neuron state) — "
                               "remove or unroll the recurrent edge")
    return order
