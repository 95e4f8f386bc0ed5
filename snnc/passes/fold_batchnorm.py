"""fold-batchnorm: fold inference-mode batch normalization into the layer before it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snnc.ir import Graph
from snnc.ir.types import normalize_param

from .base import Pass, register

LAYERS = ("linear", "conv2d")


def layer_channel_axis(layer) -> int:
    """Output-channel axis of a linear / conv2d result (per-timestep shape): last for linear, 0 for conv."""
    return len(layer.type.shape) - 1 if layer.op == "linear" else 0


def set_param(graph: Graph, node, role: str, array) -> None:
    """Bind `array` to `role` of `node`: in place when the node alone uses the stored key, else
    under a fresh key ``<node>.<role>`` (unused arrays are dropped by `prune_params`)."""
    key = node.params.get(role)
    shared = key is not None and any(key in n.params.values() for n in graph if n is not node)
    if key is None or shared:
        node.params[role] = graph.add_param(f"{node.name}.{role}", array)
    else:
        graph.params[key] = normalize_param(array)


def set_weight(graph: Graph, layer, array) -> None:
    """Replace a layer's weight."""
    set_param(graph, layer, "weight", array)


@register
@dataclass(frozen=True)
class FoldBatchNorm(Pass):
    """Remove every `batchnorm`. With ``g = γ / sqrt(var + eps)`` per channel:

    * when its operand is a `linear` / `conv2d` whose only user is this batchnorm and
      whose output-channel axis is the batchnorm's axis, fold it into that layer
      (weights untouched — integer levels stay integer levels):
      ``scale' = scale · g`` (scale = 1 when absent), ``bias' = (bias − μ) · g + β``
      (bias = 0 when absent); the layer then computes ``scale'·(W·x) + bias'``, which is
      ``((scale·(W·x) + bias) − μ)·g + β``;
    * otherwise it becomes a float ``affine`` with ``scale = g``, ``bias = β − μ·g``
      along its channel axis (same node name).

    g, scale' and bias' are computed in float64 and stored as float32, so the folded
    graph equals the original up to float32 rounding (spikes may differ only where a
    value lies within rounding of a threshold).
    """
    name = "fold-batchnorm"

    def apply(self, graph: Graph) -> Graph:
        for bn in graph:
            if bn.op == "batchnorm":
                self.fold(graph, bn)
        graph.prune_params()
        return graph

    def fold(self, graph: Graph, bn) -> None:
        rank = len(bn.type.shape)
        axis = bn.attrs["axis"] % rank
        p = {r: graph.param(bn, r).astype(np.float64) for r in ("mean", "var", "weight", "bias")}
        g = p["weight"] / np.sqrt(p["var"] + bn.attrs["eps"])
        view = (1,) + tuple(-1 if d == axis else 1 for d in range(rank))     # (1, …, C, …) broadcast shape
        g_b, mu_b, beta_b = (a.reshape(view) for a in (g, p["mean"], p["bias"]))
        layer = graph[bn.operands[0]]
        if (layer.op in LAYERS and layer_channel_axis(layer) == axis
                and [u.name for u in graph.users(layer.name)] == [bn.name]):
            s = graph.param(layer, "scale")
            b = graph.param(layer, "bias")
            scale = (np.float64(1.0) if s is None else s.astype(np.float64)) * g_b
            bias = ((0.0 if b is None else b.astype(np.float64)) - mu_b) * g_b + beta_b
            set_param(graph, layer, "scale", scale.astype(np.float32))
            set_param(graph, layer, "bias", bias.astype(np.float32))
            layer.type = layer.opdef.infer(layer, graph)
            graph.replace_all_uses_with(bn, layer)
            graph.remove(bn)
            layer.meta["fold-batchnorm"] = f"folded %{bn.name}"
            return
        scale, bias = g_b, beta_b - mu_b * g_b
        bn.op, bn.attrs = "affine", {"shift": 0}
        for role in ("mean", "var", "weight"):
            del bn.params[role]
        set_param(graph, bn, "scale", scale.astype(np.float32))
        set_param(graph, bn, "bias", bias.astype(np.float32))
        bn.type = bn.opdef.infer(bn, graph)
        bn.meta["fold-batchnorm"] = "no foldable linear/conv2d before it: became an affine"
