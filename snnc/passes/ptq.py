"""ptq: post-training quantization of float linear / conv2d weights at compile time."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from snnc.errors import ConfigError
from snnc.ir import Graph

from .base import Pass, register
from .fold_batchnorm import LAYERS, layer_channel_axis, set_param, set_weight

METHODS = ("ternary", "kbit")


def level_bound(method: str, bits: int) -> int:
    """L of the level set {−L … L}: 1 for ternary and for k ≤ 2, else 2^(k−1) − 1."""
    return 1 if method == "ternary" or bits <= 2 else 2 ** (bits - 1) - 1


def quantize(w: np.ndarray, method: str, bits: int, delta_factor: float, per_channel: bool):
    """Levels (int8, w's shape) and scale (float64 [out]) with ``w ≈ levels · scale`` per output row.

    The rule of `snnc.nn.quant.ptq` (`PTQQuant`), over the whole tensor or per output
    channel (dim 0) with `per_channel`:

    * ternary: ``Δ = delta_factor·mean|W|``, ``levels = sign(W)·[|W| > Δ]``,
      scale = mean of |W| over the kept weights (1e-8 when none is kept);
    * kbit, bits = 1: ``levels = +1 if W ≥ 0 else −1``, scale = max(mean|W|, 1e-8);
    * kbit, bits = k ≥ 2: ``L = 2^(k−1) − 1`` (1 for k = 2), ``s = max(max|W|, 1e-8) / L``,
      ``levels = clip(round(W / s), −L, L)`` (round half to even).
    """
    w = w.astype(np.float64)
    a = np.abs(w)
    axes = tuple(range(1, w.ndim)) if per_channel else tuple(range(w.ndim))
    out = w.shape[0]
    if method == "ternary":
        delta = delta_factor * a.mean(axis=axes, keepdims=True)
        kept = a > delta
        scale = np.maximum((a * kept).sum(axis=axes) / np.maximum(kept.sum(axis=axes), 1), 1e-8)
        levels = np.sign(w) * kept
    elif bits == 1:
        scale = np.maximum(a.mean(axis=axes), 1e-8)
        levels = np.where(w >= 0, 1.0, -1.0)
    else:
        L = level_bound(method, bits)
        scale = np.maximum(a.max(axis=axes), 1e-8) / L
        view = scale.reshape((-1,) + (1,) * (w.ndim - 1)) if per_channel else scale
        levels = np.clip(np.round(w / view), -L, L)
    return levels.astype(np.int8), np.broadcast_to(scale, (out,)).astype(np.float64)


@register
@dataclass(frozen=True)
class PTQ(Pass):
    """Quantize every float-weight ``linear`` / ``conv2d`` to integer levels and a scale.

    ``method=ternary`` (bits = 2) or ``kbit`` (bits 1…8), ``delta_factor``, ``per_channel``:
    the rule of `quantize` (the same as `snnc.nn.quant.ptq`). A float weight bank is
    quantized slice by slice. The layer ``y = s ⊙ (W·x) + b`` becomes
    ``y = (s·α) ⊙ (W_q·x) + b`` with W ≈ W_q·α (α per bank slice and output channel,
    stored as the layer's `scale`, shaped ``(T, 1…, out)`` / ``(T, out, 1, 1)``).

    ``collapse=true`` also makes time-varying weights static: a layer whose effective
    weight ``E[t] = W[t % T_w] · s[t % T_s]`` changes over time (a weight bank or a
    per-timestep scale, the scale per tensor or per output channel) is replaced by the
    quantization of ``mean_t E[t]`` over one period ``lcm(T_w, T_s)`` — static levels
    and a static scale (the Loihi target's ``--temporal-weights=collapse``).

    Layers already holding integer levels are kept (so running ptq twice changes
    nothing); node meta records what was done to each layer.
    """
    name = "ptq"
    method: str = "ternary"
    bits: int = 2
    delta_factor: float = 0.7
    per_channel: bool = False
    collapse: bool = False

    def __post_init__(self):
        if self.method not in METHODS:
            raise ConfigError(f"ptq: method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if not 1 <= self.bits <= 8:
            raise ConfigError(f"ptq: bits must be in 1..8, got {self.bits}")
        if self.method == "ternary" and self.bits != 2:
            raise ConfigError(f"ptq: ternary weights have bits=2 (levels -1, 0, +1), got bits={self.bits}; "
                              "use method=kbit for other widths")
        if not self.delta_factor >= 0:
            raise ConfigError(f"ptq: delta_factor must be >= 0, got {self.delta_factor}")

    def apply(self, graph: Graph) -> Graph:
        for node in graph:
            if node.op in LAYERS:
                self.quantize_layer(graph, node)
        graph.prune_params()
        return graph

    def quantize_layer(self, graph: Graph, layer) -> None:
        w = graph.param(layer, "weight")
        s = graph.param(layer, "scale")
        static_rank = 2 if layer.op == "linear" else 4
        bank = w if w.ndim == static_rank + 1 else w[None]
        varying = bank.shape[0] > 1 or (s is not None and s.shape[0] > 1)
        collapsed = self.collapse and varying and self.collapse_layer(graph, layer, bank, s, static_rank)
        if not collapsed and w.dtype.kind == "f":
            parts = [quantize(W, self.method, self.bits, self.delta_factor, self.per_channel) for W in bank]
            levels = np.stack([p[0] for p in parts])
            alpha = self.scale_shape(layer, np.stack([p[1] for p in parts]))
            if s is not None:
                steps = math.lcm(alpha.shape[0], s.shape[0])
                t = np.arange(steps)
                alpha = alpha[t % alpha.shape[0]] * s.astype(np.float64)[t % s.shape[0]]
            set_weight(graph, layer, levels if w.ndim == static_rank + 1 else levels[0])
            set_param(graph, layer, "scale", alpha.astype(np.float32))
            layer.meta[self.name] = layer.meta.get(self.name, "") + f"{self.method} {self.bits}-bit levels"
        layer.type = layer.opdef.infer(layer, graph)

    def collapse_layer(self, graph: Graph, layer, bank: np.ndarray, s: np.ndarray | None, static_rank: int) -> bool:
        """Replace a time-varying effective weight by the quantized mean; False when it cannot."""
        if s is None:
            s = np.ones((1, 1))
        else:
            ax = layer_channel_axis(layer) + 1
            if any(d != 1 for i, d in enumerate(s.shape) if i not in (0, ax)):
                layer.meta[self.name] = "not collapsed (its scale varies along a non-channel axis); "
                return False
            s = s.reshape(s.shape[0], s.shape[ax])
        steps = math.lcm(bank.shape[0], s.shape[0])
        t = np.arange(steps)
        per_row = s.astype(np.float64)[t % s.shape[0]].reshape((steps, -1) + (1,) * (static_rank - 1))
        mean = (bank.astype(np.float64)[t % bank.shape[0]] * per_row).mean(axis=0)
        levels, alpha = quantize(mean, self.method, self.bits, self.delta_factor, self.per_channel)
        set_weight(graph, layer, levels)
        set_param(graph, layer, "scale", self.scale_shape(layer, alpha[None]).astype(np.float32))
        layer.meta[self.name] = f"collapsed {steps} timesteps to static {self.method} {self.bits}-bit levels"
        return True

    @staticmethod
    def scale_shape(layer, alpha: np.ndarray) -> np.ndarray:
        """[T, out] scales as the layer's broadcast `scale`: (T, 1…, out) for linear, (T, out, 1, 1) for conv."""
        rank = len(layer.type.shape)
        if layer.op == "linear":
            return alpha.reshape((alpha.shape[0],) + (1,) * (rank - 1) + (alpha.shape[1],))
        return alpha.reshape(alpha.shape + (1, 1))
