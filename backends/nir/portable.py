"""The portable NIR dialect: only node types that snnTorch, SpikingJelly and Norse import.

`portable(nir_graph, graph)` rewrites the exporter's full graph (`to_nir`) — the same
network, in the subset the importers share (snnTorch 1.0's `import_from_nir` maps Affine,
Linear, Conv2d, Flatten, AvgPool2d, IF, LIF, CubaLIF, and through nirtorch's defaults
SumPool2d; SpikingJelly 2.0 the same without SumPool2d):

* an input ``Scale`` (snnc's ``x_real``: raw integers times their step) is folded into the
  Affine / Linear / Conv2d it feeds, ``W' = W · diag(s)`` (per input feature; per input
  channel for a conv); a power-of-two step (1/16 …) keeps every product exact;
* an ``add`` (a Scale of ones with one edge per operand) is dropped: its operands are joined
  to its users, and NIR sums the incoming edges of a node;
* a ``Threshold`` (spike max pooling lowered to sum pooling + threshold) becomes a LIF with
  β = 0 (τ = dt, r = 1, no memory): spikes where the input exceeds the threshold — for
  integer input (a sum of spikes) and an integer θ, v_threshold = θ + ½, exact either way
  the importer compares;
* an ``IF`` becomes a LIF with τ = 2^64·dt (β = 1 in float32, r·dt/τ the IF's gain): snnTorch
  reads NIR's IF as a leaky neuron with β = 0.9;
* ``Flatten`` axes are written negative (``start_dim = -rank``): NIR counts them without
  the batch axis, snnTorch passes them to ``torch.nn.Flatten`` with it, SpikingJelly shifts
  non-negative ones by one; negative axes mean the same to all three;
* snnc's structural metadata (``snnc_*``) is dropped; dt, and each neuron's reset rule,
  comparison and v_reset stay as plain metadata (snnc's import honours them; the other
  importers reset to v_reset and compare as they always do — see the README's NIR table).

What has no portable form is refused with the way out (``nir_dialect=full``): an LI readout,
a neuron with a v_leak or a bias folded in, a Scale that does not feed a synapse, a Threshold
with no positive portable threshold, sum pooling with padding.
"""
from __future__ import annotations

import nir
import numpy as np

from .errors import NIRExportError

KEEP_META = ("dt", "reset", "compare", "v_reset")
WAY_OUT = "; write the full dialect instead (-O nir_dialect=full), which snnc reads back exactly"
SYNAPSES = (nir.Affine, nir.Linear, nir.Conv2d)
IF_TAU_STEPS = 2.0 ** 64


def _fail(key, message):
    raise NIRExportError(message + WAY_OUT, key)


class _Portable:
    def __init__(self, g: nir.NIRGraph, graph):
        self.nodes = dict(g.nodes)
        self.edges = [tuple(e) for e in g.edges]
        self.ir = graph
        self.dt = float(g.metadata["dt"])

    def preds(self, k):
        return [a for a, b in self.edges if b == k]

    def succs(self, k):
        return [b for a, b in self.edges if a == k]

    def op(self, k) -> str:
        return str(self.nodes[k].metadata.get("snnc_op", ""))

    def drop(self, k):
        """Remove node k, joining each of its sources to each of its targets (NIR sums the edges)."""
        preds, succs = self.preds(k), self.succs(k)
        rest = [e for e in self.edges if k not in e]
        for a in preds:
            for b in succs:
                if (a, b) in rest:
                    _fail(k, f"removing this node would join {a!r} to {b!r} twice, which NIR cannot hold")
                rest.append((a, b))
        self.edges = rest
        del self.nodes[k]

    def run(self) -> nir.NIRGraph:
        for k in list(self.nodes):
            n = self.nodes[k]
            if isinstance(n, nir.Scale):
                self.scale(k, n)
            elif isinstance(n, nir.Threshold):
                self.threshold(k, n)
            elif isinstance(n, nir.IF):
                self.if_(k, n)
            elif isinstance(n, (nir.LI, nir.CubaLI, nir.I)):
                _fail(k, f"a {type(n).__name__} node (a non-spiking readout) is not imported by snnTorch or "
                         f"SpikingJelly; end the network with an Affine layer or a spiking neuron")
            elif isinstance(n, nir.Flatten):
                self.flatten(k, n)
            elif isinstance(n, nir.SumPool2d) and np.any(np.asarray(n.padding) != 0):
                _fail(k, "sum pooling with padding has no portable form (nirtorch's SumPool2d has no padding)")
            elif isinstance(n, (nir.LIF, nir.CubaLIF)) and not np.all(np.asarray(n.v_leak) == 0):
                _fail(k, "a bias in front of the neuron (NIR's v_leak) is not imported by snnTorch; fold the "
                         "bias into the layer before it")
        for k, n in self.nodes.items():
            w = np.asarray(getattr(n, "weight", np.zeros((1, 1))))
            if isinstance(n, (nir.Affine, nir.Linear)) and w.ndim > 2:
                stack = w.reshape((-1,) + w.shape[-2:])
                if any(not np.array_equal(m, stack[0]) for m in stack[1:]):
                    _fail(k, f"a scale that varies over the leading axes of the input {list(w.shape[:-2])} is folded "
                             f"into different weight matrices, which other tools read as no layer at all")
        for k in list(self.nodes):
            if k in self.nodes:
                self.nodes[k].metadata = {m: v for m, v in self.nodes[k].metadata.items() if m in KEEP_META}
        try:
            return nir.NIRGraph(nodes=self.nodes, edges=self.edges, metadata={"dt": self.dt}, type_check=True)
        except (ValueError, AssertionError, NotImplementedError) as e:
            raise NIRExportError(f"NIR's type check rejected the portable graph: {e}{WAY_OUT}") from None

    # ------------------------------------------------------------------ rewrites
    def scale(self, k, n):
        if self.op(k) == "add":
            self.drop(k)
            return
        succs = self.succs(k)
        if not succs or not all(isinstance(self.nodes[b], SYNAPSES) and self.preds(b) == [k] for b in succs):
            _fail(k, "a Scale node is not imported by snnTorch; only a scale that feeds Affine/Linear/Conv2d "
                     "layers alone is written, folded into their weights")
        s = np.asarray(n.scale, np.float64)
        for b in succs:
            self.nodes[b] = self.fold_input_scale(k, b, self.nodes[b], s)
        self.drop(k)

    def fold_input_scale(self, k, b, syn, s):
        w = np.asarray(syn.weight)
        if isinstance(syn, nir.Conv2d):
            per_c = s.reshape(s.shape[0], -1) if s.ndim == 3 else None
            if per_c is None or not np.all(per_c == per_c[:, :1]):
                _fail(k, f"the scale in front of the conv {b!r} varies over positions; only a per-channel scale "
                         f"folds into a convolution's weights")
            folded = (w * per_c[:, 0].astype(w.dtype)[None, :, None, None]).astype(w.dtype)
            return nir.Conv2d(input_shape=syn.input_shape, weight=folded, stride=syn.stride, padding=syn.padding,
                              dilation=syn.dilation, groups=syn.groups, bias=syn.bias, metadata=syn.metadata)
        if s.ndim != 1 or s.shape[0] != w.shape[-1]:
            _fail(k, f"the scale in front of {b!r} has shape {list(s.shape)}; only a per-feature scale of the "
                     f"layer's input folds into its weights")
        folded = (w * s.astype(w.dtype)).astype(w.dtype)
        if isinstance(syn, nir.Affine):
            return nir.Affine(weight=folded, bias=syn.bias, metadata=syn.metadata)
        return nir.Linear(weight=folded, metadata=syn.metadata)

    def threshold(self, k, n):
        th = np.asarray(n.threshold, np.float64)
        compare = str(n.metadata.get("compare", "gt"))
        src = self.ir[k].operands[0] if k in self.ir.nodes else None
        integer_in = src is not None and (not self.ir[src].type.dtype.is_float or self.ir[src].op == "sumpool2d"
                                          and not self.ir[self.ir[src].operands[0]].type.dtype.is_float)
        if integer_in and np.all(th == np.round(th)):
            # sum > θ ⇔ sum ≥ θ + 1 ⇔ sum > θ + ½ for integer sums (ge: sum ≥ θ ⇔ sum > θ − ½)
            v_th = th + 0.5 if compare == "gt" else th - 0.5
        else:
            v_th = th
        if not np.all(v_th > 0):
            _fail(k, "a Threshold node is written as a memoryless LIF (β = 0), which needs a positive threshold")
        shape = v_th.shape
        tau = np.full(shape, self.dt)
        self.nodes[k] = nir.LIF(tau=tau, r=np.ones(shape), v_leak=np.zeros(shape), v_threshold=v_th,
                                v_reset=np.zeros(shape), metadata={"dt": self.dt, "reset": "zero",
                                                                   "compare": "gt", "v_reset": 0.0})

    def if_(self, k, n):
        r = np.asarray(n.r, np.float64)
        tau = np.full(r.shape, IF_TAU_STEPS * self.dt)
        self.nodes[k] = nir.LIF(tau=tau, r=r * IF_TAU_STEPS, v_leak=np.zeros(r.shape), v_threshold=n.v_threshold,
                                v_reset=n.v_reset, metadata=dict(n.metadata))

    def flatten(self, k, n):
        rank = len(np.asarray(n.input_type["input"]).reshape(-1))
        s = n.start_dim if n.start_dim < 0 else n.start_dim - rank
        e = n.end_dim if n.end_dim < 0 else n.end_dim - rank
        self.nodes[k] = nir.Flatten(input_type=n.input_type, start_dim=int(s), end_dim=int(e), metadata=n.metadata)


def portable(nir_graph: nir.NIRGraph, graph) -> nir.NIRGraph:
    """The portable form of `to_nir(graph)` (see the module docstring)."""
    return _Portable(nir_graph, graph).run()
