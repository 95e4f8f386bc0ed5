"""`compare_with_torch`: does a float IR graph compute what its PyTorch model computes?

Both are run on the same real-valued input ``x [T, B, ...]``: the model in eval
mode (Monte-Carlo dropout off; modes restored afterwards) with forward hooks on
its neurons, the graph in the reference interpreter with a trace. For every
neuron node (lif, if, plif, cuba_lif, multispike) the spikes are compared entry
by entry, and every neuron (one element of one sample) whose spikes differ is
classified by its first differing timestep t0:

* **tie** — the reference's own pre-spike value at t0 lies within `tie_tol`
  (relative to max(1, |θ|)) of the threshold: ``h = β·v[t0-1] + i[t0]`` versus θ
  (lif family), or ``x`` versus a half-integer k + 1/2 (multispike's rounding).
  Float32 sums in a different order (BLAS, BatchNorm's formula) move h by an ulp
  or so, which flips such a spike;
* **upstream** — an earlier neuron already differed in this sample and this
  neuron's input differs (by more than `tol`) at some step ≤ t0;
* **unexplained** — anything else: a real disagreement (a lowering bug).

Later differences of an already differing neuron (its state has diverged) are
counted as ``later``. Values are compared only on *clean* samples — those in which
no earlier neuron differed: each neuron's input there must agree within
``tol·(1 + |x|)``, and so must the readout. `Comparison.ok` holds when nothing is
unexplained and every clean comparison is within tolerance.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from snnc.errors import ConfigError
from snnc.ir import Graph

NEURON_OPS = ("lif", "if", "plif", "cuba_lif", "multispike")


@dataclass
class NeuronReport:
    node: str
    module: str
    op: str
    elements: int = 0          # spike entries compared (T · B · neurons)
    mismatches: int = 0        # entries that differ
    ties: int = 0              # differing neurons explained by a threshold tie
    upstream: int = 0          # differing neurons explained by an earlier difference
    later: int = 0             # further differing entries of an already differing neuron
    unexplained: int = 0
    spikes: float = 0.0        # PyTorch spike count (sum of multispike levels)
    capacity: float = 0.0      # entries · D (D = 1 for binary spikes)
    input_max_err: float = 0.0  # max |Δinput| / (1 + |input|) over clean samples

    @property
    def rate(self) -> float:
        """PyTorch firing rate: mean spikes per entry (divided by D for multispike)."""
        return self.spikes / self.capacity if self.capacity else 0.0


@dataclass
class Comparison:
    neurons: list[NeuronReport] = field(default_factory=list)
    samples: int = 0
    clean_samples: int = 0            # samples in which every neuron agreed
    readout_max_err: float = 0.0      # max |Δy| / (1 + |y|) over clean samples
    tol: float = 1e-4

    @property
    def mismatches(self) -> int:
        return sum(n.mismatches for n in self.neurons)

    @property
    def unexplained(self) -> int:
        return sum(n.unexplained for n in self.neurons)

    @property
    def ok(self) -> bool:
        return (self.unexplained == 0 and self.readout_max_err <= self.tol
                and all(n.input_max_err <= self.tol for n in self.neurons))

    def summary(self) -> str:
        lines = [f"{self.samples} samples ({self.clean_samples} with identical spikes everywhere); "
                 f"readout max rel. error {self.readout_max_err:.2e}; {self.mismatches} spike mismatches, "
                 f"{self.unexplained} unexplained"]
        for n in self.neurons:
            lines.append(f"  {n.node:<32} {n.op:<10} rate {n.rate:.3f}  mismatches {n.mismatches} (ties {n.ties}, "
                         f"upstream {n.upstream}, later {n.later}, unexplained {n.unexplained})  "
                         f"input err {n.input_max_err:.1e}")
        return "\n".join(lines)


def compare_with_torch(model: nn.Module, graph: Graph, x, *, batch_size: int = 128, tie_tol: float = 1e-4,
                       tol: float = 1e-4) -> Comparison:
    """Run `model` and the float `graph` on real data `x` ``[T, B, ...]`` and compare (see module docstring)."""
    from snnc.backends.reference import encode_inputs, run

    x = torch.as_tensor(x, dtype=torch.float32)
    nodes = [n for n in graph if n.op in NEURON_OPS]
    sites = [(n.meta.get("module", n.name), n.meta.get("call", 0)) for n in nodes]
    modules = {}
    for path, _ in sites:
        try:
            modules[path] = model.get_submodule(path)
        except AttributeError:
            raise ConfigError(f"graph node %{path} has no module {path!r} in the model; compare a graph traced "
                              f"from this model") from None
    result = Comparison(neurons=[NeuronReport(n.name, p, n.op) for n, (p, _) in zip(nodes, sites)], tol=tol)
    out_scale = graph.outputs[0].attrs.get("scale", 1.0)
    for start in range(0, x.shape[1], batch_size):
        xb = x[:, start:start + batch_size]
        calls, y_pt = _torch_run(model, modules, xb)
        y_ref, tr = run(graph, encode_inputs(graph, xb.numpy()), trace=True)
        dirty = np.zeros(xb.shape[1], bool)
        for node, (path, k), rep in zip(nodes, sites, result.neurons):
            i_pt, s_pt = calls[path][k]
            _compare_neuron(graph, node, rep, tr, i_pt, s_pt, dirty, tie_tol, tol)
        result.samples += xb.shape[1]
        clean = ~dirty
        result.clean_samples += int(clean.sum())
        y_ref = np.asarray(y_ref, np.float64) * out_scale
        result.readout_max_err = max(result.readout_max_err, _rel_err(y_ref[:, clean], y_pt[:, clean]))
    return result


def _torch_run(model: nn.Module, modules: dict, x: torch.Tensor):
    calls: dict[str, list] = {p: [] for p in modules}
    handles = [m.register_forward_hook(_recorder(calls[p])) for p, m in modules.items()]
    modes = {m: (m.training, getattr(m, "mc", None)) for m in model.modules()}
    model.eval()
    for m in model.modules():          # Monte-Carlo dropout / DropConnect off: the graph is the mean network
        if isinstance(getattr(m, "mc", None), bool):
            m.mc = False
    try:
        with torch.no_grad():
            y = model(x)
    finally:
        for h in handles:
            h.remove()
        for m, (training, mc) in modes.items():
            m.training = training
            if mc is not None:
                m.mc = mc
    return calls, y.numpy().astype(np.float64)


def _recorder(store: list):
    def hook(module, inputs, output):
        i, s = inputs[0].detach().numpy().astype(np.float32), output.detach().numpy()
        gain_in, gain_out = module.ir_gains() if hasattr(module, "ir_gains") else (1.0, 1.0)
        if (gain_in, gain_out) != (1.0, 1.0):      # the IR neuron sees gain_in·x and emits s / gain_out
            i, s = i * np.float32(gain_in), s / np.float32(gain_out)
        store.append((i, s))
    return hook


def _rel_err(a: np.ndarray, b: np.ndarray) -> float:
    if a.size == 0:
        return 0.0
    return float((np.abs(a - b) / (1.0 + np.abs(b))).max())


def _param(graph: Graph, node, role: str, T: int, full: tuple, default: float) -> np.ndarray:
    """A broadcast parameter expanded to ``[T, B, N]`` (float32)."""
    p = graph.param(node, role)
    if p is None:
        return np.full(full, default, np.float32).reshape(T, full[1], -1)
    p = p[np.arange(T) % p.shape[0]][:, None].astype(np.float32)
    return np.broadcast_to(p, full).reshape(T, full[1], -1)


def _compare_neuron(graph, node, rep: NeuronReport, tr: dict, i_pt, s_pt, dirty, tie_tol, tol) -> None:
    s_ref = tr[node.name]
    i_ref = tr[node.operands[0]].astype(np.float32)
    T, B = s_ref.shape[:2]
    full = s_ref.shape
    s_ref, s_pt = s_ref.reshape(T, B, -1), np.asarray(s_pt).reshape(T, B, -1)
    i_ref, i_pt = i_ref.reshape(T, B, -1), i_pt.reshape(T, B, -1)
    D = node.attrs.get("D", 1)
    rep.elements += s_ref.size
    rep.spikes += float(s_pt.sum())
    rep.capacity += float(s_ref.size * D)
    clean = ~dirty
    if clean.any():
        err = np.abs(i_ref[:, clean] - i_pt[:, clean]) / (1.0 + np.abs(i_pt[:, clean]))
        rep.input_max_err = max(rep.input_max_err, float(err.max()))
    diff = s_ref != s_pt
    rep.mismatches += int(diff.sum())
    if not diff.any():
        return
    if node.op == "multispike":
        t0, b, j = np.nonzero(diff)
        xv = np.clip(i_ref[t0, b, j].astype(np.float64), 0, D)
        near = np.abs(xv - (np.floor(xv) + 0.5)) <= tie_tol * np.maximum(1.0, np.abs(xv))
        moved = _input_moved(i_ref, i_pt, t0, b, j, False, tol)
    else:
        b, j = np.nonzero(diff.any(axis=0))
        t0 = diff.argmax(axis=0)[b, j]
        rep.later += int(diff.sum()) - len(b)
        th = _param(graph, node, "threshold", T, full, 1.0)[t0, b, j]
        beta = _param(graph, node, "beta", T, full, 1.0)
        v = tr[f"{node.name}#v"].reshape(T, B, -1)
        cur = tr[f"{node.name}#i"].reshape(T, B, -1) if node.op == "cuba_lif" else i_ref
        v_prev = np.where(t0 > 0, v[np.maximum(t0 - 1, 0), b, j], np.float32(0))
        h = beta[t0, b, j] * v_prev.astype(np.float32) + cur[t0, b, j]
        near = np.abs(h - th) <= tie_tol * np.maximum(1.0, np.abs(th))
        moved = _input_moved(i_ref, i_pt, t0, b, j, True, tol)
    upstream = ~near & moved & dirty[b]
    rep.ties += int(near.sum())
    rep.upstream += int(upstream.sum())
    rep.unexplained += int((~near & ~upstream).sum())
    dirty[np.unique(b)] = True


def _input_moved(i_ref, i_pt, t0, b, j, stateful: bool, tol: float) -> np.ndarray:
    """Whether the input of each (first differing) neuron differs at t0 (or any step ≤ t0 when stateful)."""
    err = np.abs(i_ref - i_pt) / (1.0 + np.abs(i_pt)) > tol
    if not stateful:
        return err[t0, b, j]
    upto = np.cumsum(err, axis=0) > 0
    return upto[t0, b, j]
