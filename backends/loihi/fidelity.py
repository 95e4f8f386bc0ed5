"""How the Loihi model's spikes and predictions differ from the snnc integer graph.

`compare(loihi_graph, integer_graph, x, labels)` runs, on the same real-valued input
``x [T, B, ...]``,

* the Loihi network of `loihi_graph` (the float graph after the loihi pipeline) on the
  bit-accurate simulator,
* the deployable integer graph (e.g. the reference target's) on the reference interpreter,
* `loihi_graph` itself (float) on the reference interpreter,

and reports: per spiking layer (matched by node name) the fraction of (t, sample, neuron)
spikes that agree and the firing rates; the fraction of samples whose prediction (argmax
over classes of the output summed over time) agrees; and, with `labels`, the three
accuracies. The caller builds both graphs (`snnc.compile(…, target="loihi")` and
`snnc.compile(…, target="reference")`); this module needs neither torch nor the passes.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from snnc.ir import Graph

from ..reference import encode_inputs
from ..reference import run as reference_run
from .build import build_network
from .network import Network
from .options import LoihiOptions
from .simulator import simulate


@dataclass
class LayerAgreement:
    name: str
    spike_agreement: float         # fraction of (t, b, neuron) equal to the integer graph's spike
    rate_loihi: float
    rate_integer: float


@dataclass
class Fidelity:
    samples: int
    timesteps: int
    spike_agreement: float                     # over all matched spiking layers
    prediction_agreement: float                # Loihi vs integer graph
    prediction_agreement_float: float          # Loihi vs the float graph it was quantized from
    accuracy_loihi: float | None = None
    accuracy_integer: float | None = None
    accuracy_float: float | None = None
    layers: list[LayerAgreement] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def predictions(y) -> np.ndarray:
    """argmax over the last axis of the output summed over time (the first axis)."""
    y = np.asarray(y, dtype=np.float64)
    return y.sum(axis=0).reshape(y.shape[1], -1).argmax(axis=-1)


def compare(loihi_graph: Graph, integer_graph: Graph, x, labels=None, options: LoihiOptions | None = None,
            network: Network | None = None, batch_size: int = 512) -> Fidelity:
    """See the module docstring. `network` (default: built from `loihi_graph` with `options`)."""
    net = network or build_network(loihi_graph, options)
    x = np.asarray(x)
    T, B = x.shape[:2]
    agree = {layer.name: 0 for layer in net.layers if layer.neuron.spiking}
    fired_l = dict.fromkeys(agree, 0)
    fired_i = dict.fromkeys(agree, 0)
    counts = dict.fromkeys(agree, 0)
    preds_l, preds_i, preds_f = [], [], []
    for b0 in range(0, B, batch_size):
        xb = x[:, b0:b0 + batch_size]
        sim = simulate(net, encode_inputs(loihi_graph, xb))
        out_i, trace = reference_run(integer_graph, encode_inputs(integer_graph, xb), trace=True)
        out_f = reference_run(loihi_graph, encode_inputs(loihi_graph, xb))
        preds_l.append(predictions(sim.output))
        preds_i.append(predictions(_single(out_i)))
        preds_f.append(predictions(_single(out_f)))
        for name in agree:
            if name not in trace or name not in sim.spikes:
                continue
            s_l, s_i = sim.spikes[name], trace[name]
            if s_l.shape != s_i.shape:
                continue
            agree[name] += int((s_l == s_i).sum())
            fired_l[name] += int(s_l.sum())
            fired_i[name] += int(s_i.sum())
            counts[name] += s_l.size
    pl, pi, pf = (np.concatenate(p) for p in (preds_l, preds_i, preds_f))
    layers = [LayerAgreement(n, agree[n] / counts[n], fired_l[n] / counts[n], fired_i[n] / counts[n])
              for n in agree if counts[n]]
    total = sum(counts.values())
    result = Fidelity(samples=int(B), timesteps=int(T),
                      spike_agreement=sum(agree.values()) / total if total else float("nan"),
                      prediction_agreement=float((pl == pi).mean()),
                      prediction_agreement_float=float((pl == pf).mean()), layers=layers)
    if labels is not None:
        y = np.asarray(labels).reshape(-1)
        result.accuracy_loihi = float((pl == y).mean())
        result.accuracy_integer = float((pi == y).mean())
        result.accuracy_float = float((pf == y).mean())
    return result


def _single(out):
    if isinstance(out, dict):
        if len(out) != 1:
            raise ValueError(f"the graph has {len(out)} outputs; compare needs one (the class scores)")
        return next(iter(out.values()))
    return out
