"""Per-layer statistics of a compiled graph: weights (storage, sparsity, entropy) and activity
(firing rates, synaptic operations) measured with the reference interpreter's trace.

Synaptic operations are counted per sample over all T timesteps as

    dense ops  = output elements × fan-in                 (per timestep, as an ANN would do)
    events     = dense ops × input activity × weight density

where input activity is the mean input value (the firing rate for binary spikes,
the mean spike count for graded spikes) and weight density the fraction of
non-zero weights (ternary zeros are skipped). Binary and graded spikes make
accumulates (ACs). Any other input (direct-encoded k-bit pixels, floats) makes
ACs on its non-zero entries when the weights are ternary (adding or subtracting
the input needs no multiplier) and multiply-accumulates (MACs) otherwise. This is the estimate used by the SNN energy literature (45 nm:
0.9 pJ per AC, 4.6 pJ per MAC).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

SYNAPTIC = ("linear", "conv2d", "spike_matmul")
NEURONS = ("lif", "if", "plif", "cuba_lif", "multispike", "threshold", "lif_int", "cuba_lif_int", "multispike_int")
LOG2_3 = math.log2(3)


@dataclass
class LayerStats:
    name: str
    op: str
    params: int = 0
    weight_bits: float = 32.0            # storage bits per weight (packed when packed)
    storage_bits: float = 0.0            # packed storage of the weights
    fp32_bits: float = 0.0
    sparsity: float = 0.0                # fraction of zero weights
    entropy: float | None = None         # weight-state entropy (bits), integer levels only
    levels: dict = field(default_factory=dict)   # level → proportion
    time_varying: bool = False
    dense_ops: float = 0.0               # per timestep per sample
    input_kind: str = ""                 # spikes | graded | multi-bit | float
    input_activity: float | None = None
    acs: float = 0.0                     # per sample, all timesteps
    macs: float = 0.0
    firing_rate: float | None = None     # of the neuron that consumes this layer (if any)

    def as_dict(self):
        return asdict(self)


def weight_stats(graph, node) -> LayerStats:
    st = LayerStats(node.name, node.op)
    w = graph.param(node, "weight")
    if w is None:
        return st
    bank = node.op == "linear" and w.ndim == 3 or node.op == "conv2d" and w.ndim == 5
    st.time_varying = bool(bank and w.shape[0] > 1)
    st.params = int(w.size)
    st.fp32_bits = 32.0 * w.size
    st.sparsity = float(np.mean(w == 0))
    if w.dtype.kind in "iu":
        values, counts = np.unique(w, return_counts=True)
        p = counts / counts.sum()
        st.entropy = float(-(p * np.log2(p)).sum())
        st.levels = {int(v): float(q) for v, q in zip(values, p)}
        span = int(values.max()) - int(values.min()) + 1 if values.size else 1
        st.weight_bits = float(max(1, math.ceil(math.log2(max(span, 2)))))
    st.storage_bits = st.weight_bits * w.size
    return st


def dense_ops(graph, node) -> float:
    out = node.type.size
    if node.op == "linear":
        return float(out * graph.param(node, "weight").shape[-1])
    if node.op == "conv2d":
        w = graph.param(node, "weight")
        return float(out * int(np.prod(w.shape[-3:])))
    if node.op == "spike_matmul":
        a = graph[node.operands[0]].type.shape
        k = a[-2] if node.attrs["transpose_a"] else a[-1]
        return float(out * k)
    return 0.0


def input_kind(dtype) -> str:
    if dtype.kind == "spike" or (dtype.kind == "uint" and dtype.bits == 1):
        return "spikes"
    if dtype.is_float:
        return "float"
    return "multi-bit"


def layer_table(graph, trace: dict | None, graded: set[str] = frozenset()) -> list[LayerStats]:
    """Statistics of every synaptic layer; activity from `trace` (reference interpreter) if given."""
    rows = []
    consumers = {}
    for n in graph:
        for o in n.operands:
            consumers.setdefault(o, []).append(n)
    for node in graph:
        if node.op not in SYNAPTIC:
            continue
        st = weight_stats(graph, node)
        st.dense_ops = dense_ops(graph, node)
        src = graph[node.operands[0]]
        st.input_kind = "graded" if src.op.startswith("multispike") or src.name in graded else input_kind(src.type.dtype)
        if trace is not None and src.name in trace:
            x = np.asarray(trace[src.name], dtype=np.float64)
            T, B = x.shape[0], x.shape[1]
            st.input_activity = float(np.abs(x).mean())
            nz = float((x != 0).mean())
            density = 1.0 - st.sparsity if st.params else 1.0
            events = st.dense_ops * T * density
            ternary = bool(st.levels) and set(st.levels) <= {-1, 0, 1}
            if st.input_kind in ("spikes", "graded"):
                st.acs = events * st.input_activity
            elif ternary:                 # adding or subtracting the input: no multiplier
                st.acs = events * nz
            else:
                st.macs = events * nz
            for user in consumers.get(node.name, []):
                if user.op in NEURONS and user.name in trace:
                    st.firing_rate = float(np.asarray(trace[user.name], dtype=np.float64).mean())
                    break
            del T, B
        rows.append(st)
    return rows
