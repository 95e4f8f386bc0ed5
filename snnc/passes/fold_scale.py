"""fold-scale: fold static float scale / affine ops into the linear or conv2d next to them."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snnc.ir import Graph

from .base import Pass, register
from .fold_batchnorm import LAYERS, set_param, set_weight
from .fold_temporal_scale import FoldTemporalScale


def static_float(graph: Graph, node) -> bool:
    """A float scale / affine (shift 0) whose parameters hold one value for all timesteps."""
    return (node.op in ("scale", "affine") and not node.attrs["shift"]
            and all(graph.param(node, r).dtype.kind == "f" and graph.param(node, r).shape[0] == 1
                    for r in node.params))


@register
@dataclass(frozen=True)
class FoldScale(Pass):
    """Fold static float ``scale`` and ``affine`` ops into a neighbouring linear / conv2d
    (``layer(x) = s ⊙ (W·x) + b``), so that each synapse carries its own gains:

    1. after a layer used by it alone: ``a ⊙ layer(x) + c`` is the layer with
       ``s' = a·s``, ``b' = a·b + c`` (s = 1, b = 0 when absent; a = 1 for an affine's
       scale, c = 0 for a scale); the op's users read the layer;
    2. a ``scale`` c before a layer (its first operand): ``W·(c ⊙ x)`` is
       ``(c·s) ⊙ (W·x)`` for a per-tensor c (fold-temporal-scale's input-scale rule:
       integer weight levels stay integer), else the weight takes c along its input
       columns — ``W'[o, j] = W[o, j]·c_j`` for a vector input, ``W'[o, j] = W[o, j]·c[C_in(o, j)]``
       for a per-channel c of a conv2d (its group's input channel j); the weight becomes
       float. The scale goes once no node reads it.

    Products are taken in float64 and stored as float32. Time-varying parameters, integer
    (fixed-point) ops and other shapes of c are left as they are. The loihi target runs it
    (one set of real weights per Loihi synapse).
    """
    name = "fold-scale"

    def apply(self, graph: Graph) -> Graph:
        for node in graph:
            if static_float(graph, node) and graph[node.operands[0]].op in LAYERS:
                self.fold_after(graph, graph[node.operands[0]], node)
        for node in reversed(list(graph)):          # the last of consecutive scales first
            if node.name in graph and node.op == "scale" and static_float(graph, node):
                self.fold_before(graph, node)
        graph.prune_params()
        return graph

    def fold_after(self, graph: Graph, layer, op) -> None:
        if [u.name for u in graph.users(layer.name)] != [op.name]:
            return
        a = graph.param(op, "scale").astype(np.float64)
        c = graph.param(op, "bias").astype(np.float64) if op.op == "affine" else 0.0
        s, b = graph.param(layer, "scale"), graph.param(layer, "bias")
        set_param(graph, layer, "scale", (a * (1.0 if s is None else s.astype(np.float64))).astype(np.float32))
        set_param(graph, layer, "bias", (a * (0.0 if b is None else b.astype(np.float64)) + c).astype(np.float32))
        layer.type = layer.opdef.infer(layer, graph)
        graph.replace_all_uses_with(op, layer)
        graph.remove(op)
        layer.meta[self.name] = f"folded %{op.name}"

    def fold_before(self, graph: Graph, sc) -> None:
        c = graph.param(sc, "scale")
        if all(d == 1 for d in c.shape[1:]):
            FoldTemporalScale().fold_input_scale(graph, sc)
            return
        for layer in graph.users(sc.name):
            column = self.column_gain(graph, layer, sc, c[0].astype(np.float64))
            if column is None:
                continue
            set_weight(graph, layer, (graph.param(layer, "weight").astype(np.float64) * column).astype(np.float32))
            layer.operands[0] = sc.operands[0]
            layer.type = layer.opdef.infer(layer, graph)
            layer.meta[self.name] = f"folded the input gain %{sc.name} into the weight"
        if not graph.users(sc.name):
            graph.remove(sc)

    @staticmethod
    def column_gain(graph: Graph, layer, sc, c: np.ndarray) -> np.ndarray | None:
        """c as a factor of the layer's weight (broadcast over its last axes), or None."""
        if layer.op not in LAYERS or layer.operands[0] != sc.name:
            return None
        shape = tuple(graph[sc.name].type.shape)
        if layer.op == "linear":
            return np.broadcast_to(c, shape).astype(np.float64) if len(shape) == 1 else None
        if c.shape[1:] != (1, 1):
            return None
        w = graph.param(layer, "weight")
        O, Cg = w.shape[-4:-2]
        groups = np.arange(O) // (O // layer.attrs["groups"])
        per_channel = np.broadcast_to(c[:, 0, 0], (shape[0],))
        return per_channel[groups[:, None] * Cg + np.arange(Cg)[None, :]][:, :, None, None]
