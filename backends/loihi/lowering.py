"""Float IR graph → Loihi `Network` (the loihi target's check and quantization).

The graph must be a chain from one input to one output:

    input → [scale] → (linear | conv2d) → [scale | affine]… → neuron → [maxpool2d] → [flatten] → …
          … → (linear | conv2d) → [scale | affine]… → output          (a readout, read by the host)

* The synapse, its static per-channel ``scale`` and ``bias``, a static gain on its input
  (the ``x · input_scale`` of direct-encoded images) and static scale/affine ops after it
  fold into real effective weights ``E`` and a bias ``b`` per neuron.
* Neurons: ``lif``, ``plif``, ``if`` (β = 1) and ``threshold`` (β = 0, stateless) become CUBA
  compartments with a memoryless current (iDecay = 4096); ``cuba_lif`` keeps its current decay
  α (its synapse bias, which enters the current, is mapped to the steady-state voltage bias
  b/(1 − α) — exact only when the bias is 0). Each neuron's weights and bias are divided by its
  threshold θ (so thresholds may differ per neuron or channel), then quantized (`quantize.py`).
  Loihi resets v to 0 and spikes when v > threshold: ``reset = subtract`` is approximated by
  the zero reset (option ``subtract_reset``), ``compare = ge`` becomes ``>``.
* ``maxpool2d`` over binary spikes is an OR: a grouped conv of ones with threshold 0.
* ``multispike`` (IE-LIF's integer spike count ``round_half_up(clip(x, 0, D))``) becomes D
  binary spike planes, ``s = Σ_{k=1..D} [x ≥ k − 1/2]``: D copies of the compartments, copy k
  with threshold k − 1/2 and no memory; the next synapse takes the D planes with its weights
  repeated (``W·s = Σ_k W·plane_k``), and max pooling pools each plane (the planes are nested,
  so the max of counts is the sum of the planes' ORs). Loihi's graded spikes are not used:
  netx's graded payload is the voltage, not a rounded count.
* ``li`` becomes a leaky readout read from v; a synapse straight into the output a readout
  read from its current u (exact: the host applies the layer's scale and bias).

Loihi compartments hold one set of constants for all time: time-varying weights (weight
banks), per-timestep scales and per-timestep neuron parameters are refused, as are
per-neuron decays (netx stores one iDecay / vDecay per layer).
"""
from __future__ import annotations

import numpy as np

from snnc.ir import Graph, parse_dtype

from ..target import TargetError
from . import chip
from .network import Layer, Network, Neuron, Readout
from .options import COLLAPSE_PASS, LoihiOptions
from .quantize import RangeError, quantize_leaky, quantize_readout, quantize_spiking

SYNAPSES = ("linear", "conv2d")
SPIKING = ("lif", "plif", "if", "cuba_lif", "threshold")
DEFAULT_STEPS = 64

TEMPORAL_WAYS_OUT = (f'ways out: compile with temporal_weights="collapse" (CLI --temporal-weights=collapse), '
                     f"which runs {COLLAPSE_PASS} to make static ternary weights from the time-averaged "
                     f"effective weights (it costs accuracy: measure it with snnc.backends.loihi.fidelity), "
                     f"or use the cpu, hls or reference target, which run time-varying weights")
OTHER_TARGETS = "use the cpu, hls, onnx or reference target"
REFUSED = {
    "add": "a residual connection (add) joins two paths; a lava-dl netx network is a chain of layers "
           f"and has no form for it — {OTHER_TARGETS}",
    "spike_matmul": "spike-driven attention (spike_matmul) multiplies two spike tensors; Loihi synapses hold "
                    f"fixed weights — {OTHER_TARGETS}",
    "batchnorm": "batch normalization must be folded first: run fold-batchnorm (the loihi default pipeline "
                 "does)",
    "avgpool2d": "average pooling of spikes gives graded values, which Loihi's binary-spike layers cannot "
                 f"pass on; train with max pooling (mapped to a spike-OR layer) or {OTHER_TARGETS}",
    "sumpool2d": "sum pooling of spikes gives graded values, which Loihi's binary-spike layers cannot pass "
                 f"on; train with max pooling (mapped to a spike-OR layer) or {OTHER_TARGETS}",
}


def build_network(graph: Graph, options: LoihiOptions | None = None) -> Network:
    """The Loihi network of a float graph, or a `TargetError` naming the node and the way out."""
    return _Lowering(graph, options or LoihiOptions()).run()


class _Lowering:
    def __init__(self, graph: Graph, opts: LoihiOptions):
        self.g, self.opts = graph, opts
        T = opts.timesteps or graph.attrs.get("timesteps")
        self.notes: list[str] = []
        if not isinstance(T, (int, np.integer)) or isinstance(T, bool) or T < 1:
            T = DEFAULT_STEPS
            self.notes.append(f"the graph records no timesteps: state ranges are bounded over {T} steps "
                              "(option timesteps)")
        layers = sum(1 for n in graph if n.op in SYNAPSES or n.op == "maxpool2d")
        self.T = int(T)
        self.steps = self.T + layers          # the network runs T + (one step of delay per layer) steps
        self.layers: list[Layer] = []
        self.syn: dict | None = None          # the open synapse (folded into the next layer)
        self.gain: np.ndarray | None = None   # a pending static gain on the current value
        self.flat_from: tuple[int, ...] | None = None
        self.kind = "input"                   # input | spikes | readout
        self.planes = 1                       # the value is held as this many binary planes (multispike)
        self.output_shape: tuple[int, ...] = ()

    # ------------------------------------------------------------------ errors
    def fail(self, node, message: str):
        raise TargetError(f"target loihi cannot express node %{node.name} ({node.op}): {message}")

    # ------------------------------------------------------------------ driver
    def run(self) -> Network:
        g = self.g
        if len(g.inputs) != 1 or len(g.outputs) != 1:
            raise TargetError(f"target loihi needs a graph with one input and one output (a netx network is a "
                              f"chain of layers); this one has {len(g.inputs)} inputs and {len(g.outputs)} "
                              f"outputs — {OTHER_TARGETS}")
        node = g.inputs[0]
        self.input(node)
        while node.op != "output":
            users = g.users(node.name)
            if len(users) != 1:
                names = ", ".join("%" + u.name for u in users) or "nothing"
                self.fail(node, f"its value feeds {names}; a lava-dl netx network is a chain of layers, each "
                                f"feeding only the next — {OTHER_TARGETS}")
            node = users[0]
            if len(node.operands) != 1:
                self.fail(node, REFUSED.get(node.op, f"it takes {len(node.operands)} operands; a netx network "
                                                     f"is a chain of layers — {OTHER_TARGETS}"))
            self.visit(node)
        return Network(name=g.name, input_name=self.input_name, input_shape=self.input_shape,
                       input_dtype=self.input_dtype, input_message_bits=self.message_bits,
                       layers=self.layers, output_name=node.name, output_shape=self.output_shape,
                       timesteps=self.T, notes=self.notes)

    def visit(self, n):
        op = n.op
        if op in REFUSED:
            self.fail(n, REFUSED[op])
        if n.opdef.integer or (op in ("scale", "affine") and n.attrs.get("shift")):
            self.fail(n, "it is an integer op; the loihi target maps the float graph (its own Loihi "
                         "quantization), so compile without integerize (the default loihi pipeline)")
        handler = getattr(self, "op_" + op, None)
        if handler is None:
            self.fail(n, f"op {op} has no Loihi form — {OTHER_TARGETS}")
        handler(n)

    # ------------------------------------------------------------------ parameters
    def static(self, n, role: str, default=None):
        """A broadcast parameter without its time axis; refused when it varies over time."""
        p = self.g.param(n, role)
        if p is None:
            return default
        if p.shape[0] != 1:
            if n.op in SYNAPSES:
                what = " (a per-timestep scale)" if role == "scale" else ""
                self.fail(n, f"its {role} varies over {p.shape[0]} timesteps{what}; Loihi synapses and "
                             f"compartments hold constant values — {TEMPORAL_WAYS_OUT}")
            self.fail(n, f"its {role} varies over {p.shape[0]} timesteps; Loihi compartments hold constant "
                         f"parameters — {OTHER_TARGETS}")
        return p[0].astype(np.float64)

    def channel_vector(self, n, role: str, p: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """A static broadcast parameter over a value of `shape` as one number per channel (axis 0 of a
        [C, H, W] value, the only axis of a vector)."""
        full = np.broadcast_to(p, shape)
        if len(shape) == 3:
            if p.shape[1:] != (1, 1):
                self.fail(n, f"its {role} varies over positions (shape {list(p.shape)}); Loihi convolutions "
                             f"share one value per channel")
            return full[:, 0, 0].astype(np.float64)
        if len(shape) != 1:
            self.fail(n, f"a value of shape {list(shape)} is neither a vector nor [C, H, W]")
        return full.astype(np.float64)

    # ------------------------------------------------------------------ input and shapes
    def input(self, n):
        dt = parse_dtype(n.attrs["dtype"])
        if dt.kind == "spike":
            self.message_bits, self.x_max = 0, 1
        elif dt.kind in ("uint", "int"):
            lo, hi = dt.range()
            self.message_bits, self.x_max = dt.bits, max(abs(lo), abs(hi))
        else:
            self.fail(n, f"its values are {dt}; Loihi takes binary spikes or integer payloads (graded spikes) — "
                         f"encode the input as spikes (rate encoding) or as k-bit integers (input_bits)")
        self.input_name, self.input_shape, self.input_dtype = n.name, tuple(n.type.shape), str(dt)
        self.shape = tuple(n.type.shape)
        if self.message_bits:
            self.notes.append(f"the input is sent as graded spikes with a {self.message_bits}-bit payload (Loihi 2; "
                              f"pass input_message_bits={self.message_bits} to lava.lib.dl.netx.hdf5.Network)")

    def op_flatten(self, n):
        if n.attrs["start"] != 0 and len(self.shape) > 1:
            self.fail(n, f"flatten from dim {n.attrs['start']} keeps a rank-2 value; netx flattens whole layers")
        self.flatten(n)

    def op_reshape(self, n):
        if tuple(n.type.shape) == self.shape:
            return
        if tuple(n.type.shape) != (int(np.prod(self.shape)),):
            self.fail(n, f"reshape {list(self.shape)} → {list(n.type.shape)} is not a flatten; netx only "
                         f"flattens a layer's output")
        self.flatten(n)

    def flatten(self, n):
        if self.syn is not None:
            self.fail(n, "it reshapes a synaptic current before its neuron; Loihi layers end in compartments")
        if len(self.shape) == 1:
            return
        if self.gain is not None:
            self.gain = np.broadcast_to(self.gain, self.shape).reshape(-1)
        if self.kind == "readout":
            self.output_shape = (int(np.prod(self.shape)),)
        self.flat_from = self.flat_from or self.loihi_shape()
        self.shape = (int(np.prod(self.shape)),)

    def loihi_shape(self) -> tuple[int, ...]:
        """The current value as Loihi holds it: its planes stacked on the first axis."""
        return (self.planes * self.shape[0],) + tuple(self.shape[1:])

    # ------------------------------------------------------------------ elementwise gains
    def op_scale(self, n):
        p = self.static(n, "scale")
        if self.syn is not None:
            s = self.channel_vector(n, "scale", p, self.syn["shape"])
            self.syn["E"] *= s.reshape((-1,) + (1,) * (self.syn["E"].ndim - 1))
            self.syn["b"] *= s
            if self.syn["row_gain"] is not None:
                self.syn["row_gain"] = self.syn["row_gain"] * s
        elif self.kind == "readout":
            self.scale_readout(n, p, np.zeros_like(p))
        else:
            self.gain = p if self.gain is None else self.gain * p

    def op_affine(self, n):
        s, b = self.static(n, "scale"), self.static(n, "bias")
        if self.syn is not None:
            sv = self.channel_vector(n, "scale", s, self.syn["shape"])
            bv = self.channel_vector(n, "bias", b, self.syn["shape"])
            self.syn["E"] *= sv.reshape((-1,) + (1,) * (self.syn["E"].ndim - 1))
            self.syn["b"] = self.syn["b"] * sv + bv
            if self.syn["row_gain"] is not None:
                self.syn["row_gain"] = self.syn["row_gain"] * sv
        elif self.kind == "readout":
            self.scale_readout(n, s, b)
        else:
            self.fail(n, "an affine on spikes adds a constant to a spike train; Loihi layers start with a synapse")

    def scale_readout(self, n, s, b):
        r = self.layers[-1].readout
        shape = self.layers[-1].shape
        r.gain = np.broadcast_to(r.gain * np.broadcast_to(s, shape), shape).copy()
        r.bias = np.broadcast_to(r.bias * np.broadcast_to(s, shape) + np.broadcast_to(b, shape), shape).copy()

    # ------------------------------------------------------------------ synapses
    def begin(self, n):
        if self.syn is not None:
            self.fail(n, f"it follows the synapse %{self.syn['node'].name} without a neuron in between; "
                         f"each Loihi layer is one synapse and its compartments")
        if self.kind == "readout":
            self.fail(n, "it follows a readout (li); Loihi readouts are read by the host, not passed on")
        w = self.g.param(n, "weight")
        static_rank = 2 if n.op == "linear" else 4
        if w.ndim == static_rank + 1:
            if w.shape[0] != 1:
                self.fail(n, f"the weight is a bank of {w.shape[0]} time-varying matrices (TaWQ); Loihi synapses "
                             f"hold one static weight matrix — {TEMPORAL_WAYS_OUT}")
            w = w[0]
        return w

    def op_linear(self, n):
        w = self.begin(n)
        if len(self.shape) != 1:
            self.fail(n, f"it applies to a value of shape {list(self.shape)}; netx dense layers take a vector "
                         f"(flatten first)")
        out = (w.shape[0],)
        s = self.static(n, "scale")
        s = np.ones(out) if s is None else self.channel_vector(n, "scale", s, out)
        b = self.static(n, "bias")
        b = np.zeros(out) if b is None else self.channel_vector(n, "bias", b, out)
        pre = None if self.gain is None else np.broadcast_to(self.gain, self.shape).astype(np.float64)
        E = w.astype(np.float64) * s[:, None] * (1.0 if pre is None else pre[None, :])
        P = self.planes                       # W · count = Σ_k W · plane_k: the weights repeat per plane
        self.open(n, "dense", np.tile(E, (1, P)), b, np.tile(w, (1, P)), s, pre, out, {})

    def op_conv2d(self, n):
        w = self.begin(n)
        if len(self.shape) != 3 or self.flat_from is not None:
            self.fail(n, f"it applies to a value of shape {list(self.shape)}; a conv layer takes [C, H, W]")
        out = tuple(n.type.shape)
        O, Cg = w.shape[:2]
        G = n.attrs["groups"]
        P = self.planes
        if P > 1 and G != 1:
            self.fail(n, f"a grouped convolution (groups = {G}) of multi-bit spikes; the {P} binary spike planes "
                         f"need groups = 1")
        s = self.static(n, "scale")
        s = np.ones(O) if s is None else self.channel_vector(n, "scale", s, out)
        b = self.static(n, "bias")
        b = np.zeros(O) if b is None else self.channel_vector(n, "bias", b, out)
        pre = None
        if self.gain is not None:
            g = np.broadcast_to(self.gain, self.shape)
            if np.any(g != g[:, :1, :1]):
                self.fail(n, "the gain on its input varies over positions; a conv layer shares its kernel")
            chan = g[:, 0, 0].astype(np.float64)
            groups = np.arange(O) // (O // G)
            pre = chan[groups[:, None] * Cg + np.arange(Cg)[None, :]]          # [O, C/G]
        E = w.astype(np.float64) * s[:, None, None, None]
        if pre is not None:
            E = E * pre[:, :, None, None]
        a = n.attrs
        conv = {"stride": a["stride"], "padding": a["padding"], "dilation": a["dilation"], "groups": G}
        self.open(n, "conv", np.tile(E, (1, P, 1, 1)), b, np.tile(w, (1, P, 1, 1)), s,
                  None if pre is None else pre.reshape(-1), out, conv)

    def open(self, n, kind, E, b, w, s, pre, out, conv):
        uniform_pre = pre is None or np.all(pre == pre.reshape(-1)[0])
        levels = w.dtype.kind in "iu" and uniform_pre
        row_gain = s * (1.0 if pre is None else float(pre.reshape(-1)[0])) if levels else None
        self.syn = {"node": n, "kind": kind, "E": E, "b": b, "levels": w if levels else None,
                    "row_gain": row_gain, "shape": out, "conv": conv, "x_max": self.x_max,
                    "in_shape": self.flat_from or self.loihi_shape(), "flatten": self.flat_from is not None,
                    "sources": [n.name]}
        self.gain, self.flat_from, self.planes = None, None, 1

    # ------------------------------------------------------------------ neurons
    def neuron_constants(self, n):
        """β, α (None for a memoryless current) and the per-neuron thresholds (full shape)."""
        shape = self.syn["shape"]
        op = n.op
        if op == "threshold":
            beta, alpha = 0.0, None
        else:
            beta = 1.0 if op == "if" else self.uniform(n, "beta")
            alpha = self.uniform(n, "alpha") if op == "cuba_lif" else None
        for name, value in (("beta", beta), ("alpha", alpha)):
            if value is not None and not 0.0 <= value <= 1.0:
                self.fail(n, f"{name} = {value} is outside [0, 1]; Loihi decays are fractions 0..4096/4096")
        theta = np.broadcast_to(self.static(n, "threshold"), shape).astype(np.float64)
        if len(shape) == 3 and np.any(theta != theta[:, :1, :1]):
            self.fail(n, "its threshold varies over positions; a conv layer's neurons share weights per channel")
        if np.any(theta <= 0):
            self.fail(n, f"a threshold ≤ 0 ({float(theta.min())}); Loihi thresholds are positive "
                         f"(vThMant is unsigned)")
        return beta, alpha, theta.reshape(shape[0], -1)[:, 0]

    def uniform(self, n, role: str) -> float:
        p = self.static(n, role)
        if np.any(p != p.reshape(-1)[0]):
            self.fail(n, f"its {role} differs between neurons or channels; netx stores one decay per layer "
                         f"(iDecay / vDecay) — train with one shared decay (per_channel=false), or "
                         f"{OTHER_TARGETS}")
        return float(p.reshape(-1)[0])

    def reset_rule(self, n, layer_notes: list):
        if n.op == "threshold":
            layer_notes.append("stateless threshold: a compartment that forgets v every step (vDecay = 4096)")
        else:
            reset, v_reset = n.attrs["reset"], n.attrs["v_reset"]
            if reset == "none":
                self.fail(n, "it never resets (reset = none); Loihi's compartment resets v to 0 after a spike — "
                             f"train with reset=zero or subtract, or {OTHER_TARGETS}")
            if v_reset != 0.0 and reset == "zero":
                self.fail(n, f"it resets to v_reset = {v_reset}; Loihi resets v to 0 — {OTHER_TARGETS}")
            if reset == "subtract":
                if self.opts.subtract_reset == "refuse":
                    self.fail(n, 'it subtracts the threshold on a spike (reset = subtract); Loihi resets v to 0 — '
                                 'compile with subtract_reset="approximate" to map it to the zero reset '
                                 f"(measure the difference with snnc.backends.loihi.fidelity), or {OTHER_TARGETS}")
                layer_notes.append("reset = subtract approximated by Loihi's reset to 0")
        if n.attrs["compare"] == "ge":
            layer_notes.append("spikes at v > threshold (Loihi) instead of v ≥ threshold: differs only at ties")

    def spiking(self, n):
        if self.syn is None:
            self.fail(n, "its input is not a synapse output; each Loihi compartment is fed by a synapse")
        notes: list[str] = []
        beta, alpha, theta = self.neuron_constants(n)
        self.reset_rule(n, notes)
        self.spiking_layer(n, beta, alpha, theta, notes)

    def spiking_layer(self, n, beta, alpha, theta, notes, planes: int = 1):
        """Close the open synapse with compartments of thresholds `theta` (one per output channel, of the
        synapse repeated `planes` times)."""
        syn = self.syn
        if planes > 1:
            rep = (planes,) + (1,) * (syn["E"].ndim - 1)
            syn["E"], syn["b"] = np.tile(syn["E"], rep), np.tile(syn["b"], planes)
            if syn["levels"] is not None:
                syn["levels"], syn["row_gain"] = np.tile(syn["levels"], rep), np.tile(syn["row_gain"], planes)
            syn["shape"] = (planes * syn["shape"][0],) + tuple(syn["shape"][1:])
        bshape = (-1,) + (1,) * (syn["E"].ndim - 1)
        E = syn["E"] / theta.reshape(bshape)
        b = syn["b"] / theta
        if alpha is not None and np.any(b != 0):
            if alpha >= 1.0:
                self.fail(n, "a synapse bias into a current that never decays (alpha = 1) grows without bound; "
                             "Loihi's bias enters the voltage")
            b = b / (1.0 - alpha)
            notes.append("CUBA synapse bias b mapped to the voltage bias b/(1 - alpha) (exact once the current "
                         "settles)")
        levels = syn["levels"]
        gains = None if levels is None else syn["row_gain"] / theta      # E = gains_c · levels
        try:
            q = quantize_spiking(E, b if np.any(b != 0) else None, beta, alpha, syn["x_max"], self.steps,
                                 chip.WEIGHT_EXP_MAX[syn["kind"]], levels=levels, gains=gains)
        except RangeError as e:
            self.fail(n, str(e))
        if q.v_bound > chip.WU_LIMIT:
            notes.append(f"v may saturate at -(2^23 - 1) under inhibition stronger than {chip.WU_LIMIT} weight "
                         f"units (bound {q.v_bound}); above the threshold saturation still spikes")
        neuron = Neuron(q.i_decay, q.v_decay, q.vth_mant)
        layer = self.close(n, q.weight, q.weight_exp, q.bias, neuron, q.unit, notes, E)
        layer.planes = planes
        self.shape = (layer.shape[0] // planes,) + tuple(layer.shape[1:])
        self.kind, self.x_max, self.planes = "spikes", 1, planes

    op_lif = op_plif = op_if = op_cuba_lif = op_threshold = spiking

    def op_multispike(self, n):
        """D binary planes: plane k spikes when x ≥ k − 1/2, with no memory (module docstring)."""
        if self.syn is None:
            self.fail(n, "its input is not a synapse output; each Loihi compartment is fed by a synapse")
        D = n.attrs["D"]
        channels = self.syn["shape"][0]
        theta = np.repeat(np.arange(1, D + 1) - 0.5, channels)
        notes = [f"multi-bit spikes (D = {D}) as {D} binary spike planes with thresholds 0.5 … {D - 0.5}; "
                 f"x ≥ k − 1/2 becomes x > k − 1/2 (differs only at ties)"]
        self.spiking_layer(n, 0.0, None, theta, notes, planes=D)

    def op_li(self, n):
        syn = self.syn
        if syn is None:
            self.fail(n, "its input is not a synapse output; each Loihi compartment is fed by a synapse")
        beta = self.uniform(n, "beta")
        if not 0.0 <= beta <= 1.0:
            self.fail(n, f"beta = {beta} is outside [0, 1]")
        try:
            q = quantize_leaky(syn["E"], syn["b"] if np.any(syn["b"] != 0) else None, beta, syn["x_max"],
                               self.steps, chip.WEIGHT_EXP_MAX[syn["kind"]])
        except RangeError as e:
            self.fail(n, str(e))
        neuron = Neuron(q.i_decay, q.v_decay, q.vth_mant, spiking=False)
        layer = self.close(n, q.weight, q.weight_exp, q.bias, neuron, q.unit, [], syn["E"])
        shape = layer.shape
        layer.readout = Readout("v", np.full(shape, q.unit), np.zeros(shape))
        self.kind, self.output_shape = "readout", shape

    def close(self, n, weight, weight_exp, bias, neuron, unit, notes, E) -> Layer:
        syn = self.syn
        sources = tuple(syn["sources"]) + ((n.name,) if n is not syn["node"] else ())
        err = _relative_error(weight, E, unit)
        if err:
            notes.append(f"weights quantized to 8-bit mantissas: largest error {err:.2%} of the largest weight")
        layer = Layer(name=n.name, kind=syn["kind"], shape=tuple(syn["shape"]), in_shape=tuple(syn["in_shape"]),
                      weight=weight, neuron=neuron, bias=bias, flatten=syn["flatten"], weight_exp=weight_exp,
                      unit=unit, sources=sources, notes=notes, **_conv_fields(syn["conv"]))
        self.layers.append(layer)
        self.syn = None
        self.shape = layer.shape
        return layer

    # ------------------------------------------------------------------ pooling and output
    def op_maxpool2d(self, n):
        if self.syn is not None:
            self.fail(n, "it pools a synaptic current; Loihi pools spikes only (max of spikes = OR)")
        if self.kind != "spikes" and not (self.kind == "input" and self.message_bits == 0):
            self.fail(n, f"it pools {'graded input values' if self.kind == 'input' else 'a readout'}; "
                         f"on Loihi max pooling is an OR of binary spikes")
        if self.gain is not None or self.flat_from is not None:
            self.fail(n, "a gain or reshape before max pooling has no Loihi form")
        P = self.planes
        C = P * self.shape[0]
        a = n.attrs
        kh, kw = a["kernel"]
        out = tuple(n.type.shape)
        neuron = Neuron(chip.DECAY_UNITY, chip.DECAY_UNITY, 0)
        layer = Layer(name=n.name, kind="pool", shape=(P * out[0],) + out[1:], in_shape=self.loihi_shape(),
                      weight=np.ones((C, 1, kh, kw), np.int64), neuron=neuron, stride=a["stride"],
                      padding=a["padding"], groups=C, sources=(n.name,), planes=P,
                      notes=["max of binary spikes = OR: a grouped conv of ones, spike when the sum > 0"])
        self.layers.append(layer)
        self.shape, self.kind, self.x_max = out, "spikes", 1

    def op_output(self, n):
        if self.syn is not None:
            self.readout(n)
        elif self.kind == "input":
            self.fail(n, "the graph has no layer between its input and output")
        elif self.kind == "spikes":
            last = self.layers[-1]
            value = last.value_shape
            gain = np.broadcast_to(1.0 if self.gain is None else self.gain, self.shape).reshape(value)
            last.readout = Readout("s", gain.astype(np.float64), np.zeros(value))
            self.output_shape = self.shape
        if not self.output_shape:
            self.output_shape = self.shape

    def readout(self, n):
        """A synapse straight into the output: compartments that never spike, read from their current."""
        syn = self.syn
        shape = tuple(syn["shape"])
        notes = ["readout: the host reads the current u = a·2^6 and computes y = gain·a + bias"]
        w, e = None, 0
        max_exp = chip.WEIGHT_EXP_MAX[syn["kind"]]
        if syn["levels"] is not None:
            levels = syn["levels"].astype(np.int64)
            if int(np.abs(levels).reshape(levels.shape[0], -1).sum(1).max(initial=0)) * syn["x_max"] \
                    <= chip.WU_LIMIT and np.abs(levels).max(initial=0) <= chip.MANTISSA_MAX:
                w, unit = levels, 1.0
                gain = syn["row_gain"]
        if w is None:
            try:
                w, e, unit = quantize_readout(syn["E"], syn["x_max"], max_exp)
            except RangeError as err:
                self.fail(syn["node"], str(err))
            gain = np.full(shape[0], unit)
        neuron = Neuron(chip.DECAY_UNITY, chip.DECAY_UNITY, chip.VTH_MANT_MAX, spiking=False)
        layer = self.close(syn["node"], w, e, None, neuron, unit, notes,
                           syn["E"] if syn["levels"] is None else w.astype(np.float64))
        per_channel = (-1,) + (1,) * (len(shape) - 1)
        layer.readout = Readout("u", np.broadcast_to(gain.reshape(per_channel), shape).copy(),
                                np.broadcast_to(syn["b"].reshape(per_channel), shape).copy())
        self.output_shape = shape


def _conv_fields(conv: dict) -> dict:
    return {k: (tuple(v) if isinstance(v, tuple) else v) for k, v in conv.items()}


def _relative_error(weight: np.ndarray, E: np.ndarray, unit: float) -> float:
    top = float(np.abs(E).max()) if E.size else 0.0
    if top == 0.0:
        return 0.0
    return float(np.abs(weight * unit - E).max()) / top
