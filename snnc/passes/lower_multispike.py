"""lower-multispike: multi-bit IE-LIF spikes as graded spikes or as D binary spike planes."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snnc.errors import ConfigError
from snnc.ir import Graph

from .base import Pass, register

MODES = ("graded", "binary")
# consumers that are linear in the operand: f(Σ_k p_k) = Σ_k f(p_k) (+ a bias added once)
LINEAR_USERS = ("linear", "conv2d", "sumpool2d", "avgpool2d", "spike_matmul")
# consumers applied plane by plane: f(Σ_k p_k) = Σ_k f(p_k) exactly. flatten / reshape only move
# elements; max pooling commutes with the sum because the planes are nested (p_k+1 ≤ p_k), so
# max(Σ_k p_k) ≥ k ⇔ max(p_k) = 1
PLANEWISE_USERS = ("flatten", "reshape", "maxpool2d")


@register
@dataclass(frozen=True)
class LowerMultiSpike(Pass):
    """Lower the multi-bit spike counts of `multispike_int` (and float `multispike`).

    ``mode=graded`` keeps them as they are: one integer spike count 0…D per neuron and
    timestep (graded spikes; the graph is unchanged).

    ``mode=binary`` writes a count as the sum of D binary *spike planes*:

        multispike_int (frac_bits f):  s = Σ_{k=1..D} [x ≥ k·2^f − half],  half = 2^(f−1) (0 if f = 0)
        multispike (float):            s = Σ_{k=1..D} [x ≥ k − 1/2]

    (``clip((x + half) >> f, 0, D) ≥ k ⇔ x + half ≥ k·2^f`` for integers; in float,
    ``floor(clip(x, 0, D) + 1/2) ≥ k ⇔ x ≥ k − 1/2`` exactly), each plane a ``threshold``
    node ``<name>.plane<k>``. Then every consumer works on spikes only:

    * a consumer linear in that operand (linear, conv2d, sumpool2d, avgpool2d,
      spike_matmul) is duplicated once per plane (``<name>.plane<k>``; a bias only on
      the first copy) and the copies are summed by an ``add`` that keeps the consumer's
      name — additions only, no multiplication by a count;
    * flatten, reshape and maxpool2d are applied plane by plane (the planes are nested,
      ``p_{k+1} ≤ p_k``, so the max of their sum is the sum of their maxima) and their
      consumers handled the same way;
    * an ``add`` takes the planes as operands in place of the count;
    * any other consumer (a neuron, an output …) reads the sum of the planes,
      an ``add`` that keeps the multispike's name (D = 1: the multispike node itself
      becomes its one plane).

    Integer results are identical; float consumers differ only by float rounding.
    """
    name = "lower-multispike"
    mode: str = "graded"

    def __post_init__(self):
        if self.mode not in MODES:
            raise ConfigError(f"lower-multispike: mode must be one of {', '.join(MODES)}, got {self.mode!r}")

    def apply(self, graph: Graph) -> Graph:
        if self.mode == "graded":
            return graph
        for node in graph:
            if node.op in ("multispike", "multispike_int"):
                self.lower(graph, node)
        graph.infer_types()
        graph.prune_params()
        return graph

    def lower(self, graph: Graph, m) -> None:
        D = m.attrs["D"]
        if m.op == "multispike_int":
            f = m.attrs["frac_bits"]
            half = (1 << (f - 1)) if f > 0 else 0
            thresholds = [np.int64((k << f) - half) for k in range(1, D + 1)]
            dtype = np.int32 if all(abs(int(t)) < 2**31 for t in thresholds) else np.int64
        else:
            thresholds, dtype = [k - 0.5 for k in range(1, D + 1)], np.float32
        rank = len(m.type.shape)
        m.meta[self.name] = f"{D} binary spike plane(s)"
        if D == 1:                           # one plane: the node itself becomes the threshold
            m.op, m.attrs = "threshold", {"compare": "ge"}
            m.params = {"threshold": graph.add_param(f"{m.name}.threshold", np.full((1,) * (rank + 1),
                                                                                  thresholds[0], dtype))}
            m.type = m.opdef.infer(m, graph)
            return
        planes = [graph.add("threshold", [m.operands[0]], {"compare": "ge"},
                            {"threshold": np.full((1,) * (rank + 1), th, dtype)},
                            name=f"{m.name}.plane{k + 1}", before=m.name).name
                  for k, th in enumerate(thresholds)]
        self.spread(graph, m, planes)

    def spread(self, graph: Graph, v, planes: list[str]) -> None:
        """Make the users of value `v` (whose value is Σ planes) read the planes instead."""
        while True:
            user = next((u for u in graph.users(v.name) if u.op in LINEAR_USERS + PLANEWISE_USERS + ("add",)), None)
            if user is None:
                break
            if user.op == "add":
                ops = []
                for o in user.operands:
                    ops.extend(planes if o == v.name else [o])
                user.operands = ops
            elif user.op in PLANEWISE_USERS:
                copies = [self.copy(graph, user, v.name, p, k, keep_params=True) for k, p in enumerate(planes)]
                self.spread(graph, user, copies)      # removes `user` or makes it the sum of its copies
            else:
                self.duplicate(graph, user, v.name, planes)
        if graph.users(v.name):            # the rest read the count itself: the sum of the planes
            v.op, v.operands, v.attrs, v.params = "add", list(planes), {}, {}
            v.type = v.opdef.infer(v, graph)
        else:
            graph.remove(v)

    def copy(self, graph: Graph, user, old: str, new: str, k: int, keep_params: bool) -> str:
        """A copy of `user` (inserted before it) that reads `new` where it read `old`."""
        params = dict(user.params)
        if not keep_params:
            params.pop("bias", None)
        operands = [new if o == old else o for o in user.operands]
        return graph.add(user.op, operands, dict(user.attrs), params, name=f"{user.name}.plane{k + 1}",
                         before=user.name).name

    def duplicate(self, graph: Graph, user, old: str, planes: list[str]) -> None:
        """user(Σ planes) → add(user(plane_1), user(plane_2), …), the add keeping user's name.

        spike_matmul reading `old` twice is split on its first such operand here; the
        copies still read `old` in the other and are split in turn by `spread`."""
        if user.op == "spike_matmul":
            pos = user.operands.index(old)
            copies = []
            for k, p in enumerate(planes):
                ops = list(user.operands)
                ops[pos] = p
                copies.append(graph.add("spike_matmul", ops, dict(user.attrs), name=f"{user.name}.plane{k + 1}",
                                        before=user.name).name)
        else:
            copies = [self.copy(graph, user, old, p, k, keep_params=(k == 0)) for k, p in enumerate(planes)]
        user.op, user.operands, user.attrs, user.params = "add", copies, {}, {}
        user.type = user.opdef.infer(user, graph)
