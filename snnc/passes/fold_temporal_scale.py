"""fold-temporal-scale: move layer scales (per timestep and/or channel) into the neurons after them."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from snnc.ir import Graph

from .base import Pass, register
from .fold_batchnorm import LAYERS, layer_channel_axis, set_param, set_weight

NEURONS = ("lif", "if", "plif", "cuba_lif")
MAX_PERIOD = 1024      # longest time axis a folded parameter may get (lcm of the periods involved)


def tiled(a: np.ndarray, period: int) -> np.ndarray:
    """A time-varying parameter over `period` steps: ``a[t % T_a]`` for t = 0 … period−1."""
    return a[np.arange(period) % a.shape[0]]


class _Skip(Exception):
    """The neuron cannot take the scale; the message says why (kept in node meta)."""


@register
@dataclass(frozen=True)
class FoldTemporalScale(Pass):
    """Fold scales so that no multiplication per synapse is left before the neurons.

    1. A float ``scale`` op with a per-tensor parameter c (static or per timestep) that
       feeds a ``linear`` / ``conv2d`` is folded into that layer: ``scale' = scale·c``
       (``W·(c·x) = c·(W·x)``); the scale op goes once no other node uses it.
    2. A spiking neuron (lif, if, plif, cuba_lif) whose operand is a linear/conv2d used by
       it alone, with ``scale`` s and bias b (input ``I[t] = s[t]·A[t] + b[t]``,
       ``A = W·x``), is rewritten on the unscaled accumulator. With ``u[t] = v[t]/s[t]``
       (and ``ĩ[t] = i[t]/s[t]`` for cuba_lif) the same spikes come from

           layer:  A[t] + b[t]/s[t]                          (scale removed, bias b/s)
           β'[t] = β[t]·s[t−1]/s[t],  α'[t] = α[t]·s[t−1]/s[t],  θ'[t] = θ[t]/s[t]
           v_reset' = v_reset/s                              (only for a single scalar s)

       because ``h/s[t] = β·(s[t−1]/s[t])·u[t−1] + A[t] + b[t]/s[t]`` and dividing both
       sides of ``h ≥ θ`` by ``s[t] > 0`` keeps the comparison. Periods: each new
       parameter gets the lcm of the periods it combines (indices ``t % T``; s[−1] is
       s[T_s−1], as v[−1] = 0 makes β'[0] matter only from the second period on).
       When s is static, β and α are unchanged and the op is kept; otherwise if / plif
       become lif (beta = s[t−1]/s[t] for if).
       Negative entries of s flip the sign of their weight rows (``s·A = |s|·(−A)``),
       zero entries zero the rows and use s = 1 (``I = b`` either way); when that sign
       pattern changes over time a static weight becomes a weight bank. When the result
       would be an integer accumulator a zero float bias keeps it a float value.
    A neuron where this cannot be expressed — v_reset ≠ 0 with a non-scalar s, reset =
    subtract_undecayed with a per-timestep s (its threshold must stay static), a sign
    of s that varies along a non-channel axis, a period beyond 1024 steps, a weight
    level that cannot be negated — is left as is (the reason is in ``node.meta``);
    integerize then applies the scale as a fixed-point gain.
    """
    name = "fold-temporal-scale"

    def apply(self, graph: Graph) -> Graph:
        for node in graph:
            if node.op == "scale":
                self.fold_input_scale(graph, node)
        for node in graph:
            if node.op in NEURONS:
                try:
                    self.fold_neuron(graph, node)
                except _Skip as why:
                    node.meta[self.name] = f"left as is: {why}"
        graph.prune_params()
        return graph

    # ------------------------------------------------------------------ 1. input scales
    def fold_input_scale(self, graph: Graph, sc) -> None:
        c = graph.param(sc, "scale")
        if c.dtype.kind != "f" or sc.attrs["shift"] or any(d != 1 for d in c.shape[1:]):
            return
        for layer in graph.users(sc.name):
            if layer.op not in LAYERS or layer.operands[0] != sc.name:
                continue
            rank = len(layer.type.shape)
            s = graph.param(layer, "scale")
            s = np.ones((1,) * (rank + 1)) if s is None else s.astype(np.float64)
            cb = c.astype(np.float64).reshape((c.shape[0],) + (1,) * rank)
            period = math.lcm(s.shape[0], cb.shape[0])
            if period > MAX_PERIOD:
                continue
            set_param(graph, layer, "scale", (tiled(s, period) * tiled(cb, period)).astype(np.float32))
            layer.operands[0] = sc.operands[0]
            layer.type = layer.opdef.infer(layer, graph)
            layer.meta[self.name] = f"folded the input scale %{sc.name}"
        if not graph.users(sc.name):
            graph.remove(sc)

    # ------------------------------------------------------------------ 2. neurons
    def fold_neuron(self, graph: Graph, n) -> None:
        layer = graph[n.operands[0]]
        if layer.op not in LAYERS or "scale" not in layer.params:
            return
        if [u.name for u in graph.users(layer.name)] != [n.name]:
            raise _Skip(f"%{layer.name} has other users")
        s = graph.param(layer, "scale").astype(np.float64)
        rank = len(layer.type.shape)
        weight = self.signed_weight(graph, layer, s)
        s_pos = np.where(s == 0, 1.0, np.abs(s))
        T_s = s.shape[0]

        def period(*arrays):
            p = math.lcm(T_s, *(a.shape[0] for a in arrays))
            if p > MAX_PERIOD:
                raise _Skip(f"the folded parameters would repeat only every {p} steps")
            return p

        def divided(a):                       # a[t] / s[t]
            p = period(a)
            return (tiled(a.astype(np.float64), p) / tiled(s_pos, p)).astype(np.float32)

        def decay(a):                         # a[t] · s[t−1] / s[t]
            p = period(a)
            t = np.arange(p)
            return (a.astype(np.float64)[t % a.shape[0]] * s_pos[(t - 1) % T_s] / s_pos[t % T_s]).astype(np.float32)

        attrs = dict(n.attrs)
        if attrs["reset"] == "subtract_undecayed" and T_s > 1:
            raise _Skip("reset = subtract_undecayed needs a threshold static over time; a per-timestep scale "
                        "would make it vary")
        if attrs["reset"] == "zero" and attrs["v_reset"] != 0.0:
            if s_pos.size != 1:
                raise _Skip("v_reset ≠ 0 needs a single scalar scale")
            attrs["v_reset"] = float(attrs["v_reset"] / s_pos.item())
        params = {"threshold": divided(graph.param(n, "threshold"))}
        op = n.op
        if T_s > 1:
            beta = graph.param(n, "beta")
            params["beta"] = decay(np.ones((1,) * (rank + 1)) if beta is None else beta)
            if n.op == "cuba_lif":
                params["alpha"] = decay(graph.param(n, "alpha"))
            else:
                op = "lif"
        b = graph.param(layer, "bias")
        x = graph[layer.operands[0]].type
        bias = divided(b) if b is not None else None
        if bias is None and x.dtype.is_integer and weight.dtype.kind in "iu":
            bias = np.zeros((1,) * (rank + 1), np.float32)     # keep the accumulator a float value
        # ---- commit
        if weight is not graph.param(layer, "weight"):
            set_weight(graph, layer, weight)
        del layer.params["scale"]
        if bias is not None:
            set_param(graph, layer, "bias", bias)
        layer.type = layer.opdef.infer(layer, graph)
        n.op, n.attrs = op, attrs
        for role, value in params.items():
            set_param(graph, n, role, value)
        n.type = n.opdef.infer(n, graph)
        n.meta[self.name] = f"folded the scale of %{layer.name}"

    def signed_weight(self, graph: Graph, layer, s: np.ndarray) -> np.ndarray:
        """The layer's weight with rows negated where s < 0 and zeroed where s = 0 (the same
        array when s > 0 everywhere); a bank over lcm(T_w, T_s) steps when that pattern
        changes over time but the weight does not."""
        w = graph.param(layer, "weight")
        if (s > 0).all():
            return w
        ax = layer_channel_axis(layer) + 1
        sign = np.sign(s)
        other = tuple(d for d in range(1, s.ndim) if d != ax)
        hi, lo = sign.max(axis=other), sign.min(axis=other)          # [T_s, C_s]
        if (hi != lo).any():
            raise _Skip("the scale changes sign along a non-channel axis")
        static_rank = 2 if layer.op == "linear" else 4
        bank = w if w.ndim == static_rank + 1 else w[None]
        rows = np.broadcast_to(hi, (hi.shape[0], bank.shape[1]))     # [T_s, out]
        if (rows == rows[0]).all():
            rows, steps = rows[:1], bank.shape[0]
        else:
            steps = math.lcm(bank.shape[0], rows.shape[0])
            if steps > MAX_PERIOD:
                raise _Skip(f"the sign pattern of the scale would need a bank of {steps} weights")
        t = np.arange(steps)
        wide = bank.astype(np.float64 if w.dtype.kind == "f" else np.int64)
        factor = rows[t % rows.shape[0]]
        out = wide[t % bank.shape[0]] * factor.reshape(factor.shape + (1,) * (static_rank - 1))
        if w.dtype.kind in "iu":
            info = np.iinfo(w.dtype)
            if out.size and (out.min() < info.min or out.max() > info.max):
                raise _Skip(f"negating the weight levels leaves {w.dtype}")
        out = out.astype(w.dtype)
        return out[0] if (out.shape[0] == 1 and w.ndim == static_rank) else out
