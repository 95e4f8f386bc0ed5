"""The prepared float graph → Loihi `Network`: netx layers and their quantization.

The loihi pipeline (`target.py`) first rewrites the float graph with passes: fold-batchnorm,
fold-scale (static scale / affine ops into their synapses), lower-multispike{mode=binary}
(IE-LIF's spike counts as binary planes) and spike-maxpool-to-sumpool (max pooling of
spikes as an OR). What is left must be a chain from one input to one output whose value is
held by one node or by P parallel nodes, the binary planes of a multi-bit spike (Loihi
stacks them on the first axis, plane-major). Patterns → layers:

* synapse → neuron: a ``linear`` / ``conv2d`` (P copies summed by an ``add`` when it reads
  P planes: its weights repeat per plane, ``W·Σ_k p_k = Σ_k W·p_k``) with its static
  per-channel scale and bias gives real effective weights E and a bias b per neuron, divided
  by the neuron's threshold θ and quantized (`quantize.py`). ``lif``, ``plif``, ``if``
  (β = 1) and ``threshold`` (β = 0, stateless) become CUBA compartments with a memoryless
  current (iDecay = 4096); ``cuba_lif`` keeps its current decay α (its synapse bias, which
  enters the current, is mapped to the steady-state voltage bias b/(1 − α) — exact only when
  the bias is 0). Loihi resets v to 0 and spikes when v > threshold: ``reset = subtract`` is
  approximated by the zero reset (option ``subtract_reset``), ``compare = ge`` becomes ``>``.
* synapse → P ``threshold`` nodes (lower-multispike's planes ``<m>.plane<k>``, θ_k = k − 1/2):
  one layer ``<m>`` of P copies of the compartments, copy k with threshold θ_k, no memory.
* ``sumpool2d`` of spikes → ``threshold`` > 0 (max pooling of spikes, an OR): a grouped conv
  of ones that spikes when the sum > 0, plane by plane.
* an ``add`` of the planes: their sum, which the host takes when it reads them.
* ``li``: a leaky readout read from v; a synapse straight into the output: a readout read
  from its current u (exact: the host applies the layer's scale and bias); scale / affine
  ops after a readout and a scale of spikes before the output: the host's gain and bias.

Loihi compartments hold one set of constants for all time: time-varying weights (weight
banks), per-timestep scales and per-timestep neuron parameters are refused, as are
per-neuron decays (netx stores one iDecay / vDecay per layer).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from snnc.ir import Graph, Node, parse_dtype

from ..target import TargetError
from . import chip
from .network import Layer, Network, Neuron, Readout
from .options import COLLAPSE_PASS, LoihiOptions
from .quantize import RangeError, quantize_leaky, quantize_readout, quantize_spiking

SYNAPSES = ("linear", "conv2d")

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
    "mul": "an elementwise product of two activations (mul) multiplies two spike tensors; Loihi synapses "
           "hold fixed weights — use the reference target",
    "reduce_sum": "a sum over an axis of an activation (reduce_sum) gives graded values, which Loihi's "
                  "binary-spike layers cannot pass on — use the reference target",
    "avgpool2d": "average pooling of spikes gives graded values, which Loihi's binary-spike layers cannot "
                 f"pass on; train with max pooling (mapped to a spike-OR layer) or {OTHER_TARGETS}",
    "sumpool2d": "sum pooling of spikes gives graded values, which Loihi's binary-spike layers cannot pass "
                 f"on; train with max pooling (mapped to a spike-OR layer) or {OTHER_TARGETS}",
}
# ops the loihi pipeline rewrites away: a graph holding one was not prepared
UNPREPARED = {
    "batchnorm": "batch normalization must be folded first: run fold-batchnorm (the loihi default pipeline does)",
    "multispike": "multi-bit spikes must be lowered to binary planes first: run lower-multispike{mode=binary} "
                  "(the loihi default pipeline does)",
}


def build_network(graph: Graph, options: LoihiOptions | None = None) -> Network:
    """The Loihi network of a float graph prepared by the loihi pipeline, or a `TargetError`
    naming the node and the way out."""
    return Chain(graph, options or LoihiOptions()).network()


@dataclass
class Synapse:
    """The open synapse of the layer being matched: real weights E and bias b per output neuron."""
    node: Node                        # the linear / conv2d (its first copy): named in errors
    name: str                         # the IR value: that node, or the add summing its plane copies
    kind: str                         # dense | conv
    E: np.ndarray
    b: np.ndarray
    levels: np.ndarray | None         # integer weight levels with E = row_gain · levels, else None
    row_gain: np.ndarray | None
    shape: tuple[int, ...]
    in_shape: tuple[int, ...]
    flatten: bool
    x_max: int
    conv: dict


@dataclass
class Chain:
    """The walk along the chain: what the current value is and the layers matched so far."""
    graph: Graph
    opts: LoihiOptions
    input_name: str = ""
    input_shape: tuple[int, ...] = ()
    input_dtype: str = ""
    message_bits: int = 0                               # 0: binary spikes; k: graded spikes of k bits
    at: list[Node] = field(default_factory=list)       # the node(s) holding the value: one, or its planes
    shape: tuple[int, ...] = ()                         # the value's shape (one plane)
    kind: str = "input"                                 # input | spikes | readout
    planes: int = 1                                     # the value is held as this many binary planes
    x_max: int = 1                                      # largest input payload of the next synapse
    flat_from: tuple[int, ...] | None = None            # the shape Loihi holds before a flatten
    gain: np.ndarray | None = None                      # a host gain on spikes before the output
    syn: Synapse | None = None
    steps: int = 0                                      # state ranges are bounded over this many steps
    layers: list[Layer] = field(default_factory=list)
    output_shape: tuple[int, ...] = ()
    notes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ errors
    def fail(self, node, message: str):
        raise TargetError(f"target loihi cannot express node %{node.name} ({node.op}): {message}")

    # ------------------------------------------------------------------ driver
    def network(self) -> Network:
        g = self.graph
        if len(g.inputs) != 1 or len(g.outputs) != 1:
            raise TargetError(f"target loihi needs a graph with one input and one output (a netx network is a "
                              f"chain of layers); this one has {len(g.inputs)} inputs and {len(g.outputs)} "
                              f"outputs — {OTHER_TARGETS}")
        for n in g:
            if n.op in UNPREPARED:
                self.fail(n, UNPREPARED[n.op])
        T = self.opts.timesteps or g.attrs.get("timesteps")
        if not isinstance(T, (int, np.integer)) or isinstance(T, bool) or T < 1:
            raise TargetError("target loihi needs the number of timesteps T (the state ranges, the weight "
                              "exponents and the reset interval depend on it) and the graph records none: give "
                              "-T/--timesteps T to snnc compile, or the loihi option timesteps=T")
        self.input(g.inputs[0])
        self.steps = int(T) + self.count_layers()      # T + (one step of delay per layer) steps
        while self.at[0].op != "output":
            self.visit(self.next_nodes(self.at))
        return Network(name=g.name, input_name=self.input_name, input_shape=self.input_shape,
                       input_dtype=self.input_dtype, input_message_bits=self.message_bits, layers=self.layers,
                       output_name=self.at[0].name, output_shape=self.output_shape, timesteps=int(T),
                       notes=self.notes)

    def count_layers(self) -> int:
        """The layers along the chain (each synapse, each pool); a chain that breaks off is refused by
        the walk itself, at that node or before."""
        at, layers = self.at, 0
        try:
            while at[0].op != "output":
                at = self.next_nodes(at)
                layers += at[0].op in SYNAPSES + ("sumpool2d",)
        except TargetError:
            pass
        return layers

    def next_nodes(self, at: list[Node]) -> list[Node]:
        """The node(s) the value held by `at` feeds: one node, or one per plane (a plane's copy of an op)."""
        users = [self.graph.users(n.name) for n in at]
        if len(at) == 1 and len(users[0]) > 1 and all(u.op == "threshold" for u in users[0]):
            return users[0]                    # binary planes of a multi-bit spike
        for n, us in zip(at, users):
            if len(us) != 1:
                names = ", ".join("%" + u.name for u in us) or "nothing"
                self.fail(n, f"its value feeds {names}; a lava-dl netx network is a chain of layers, each "
                             f"feeding only the next — {OTHER_TARGETS}")
        nodes = [us[0] for us in users]
        return nodes[:1] if all(u is nodes[0] for u in nodes) else nodes

    def visit(self, nodes: list[Node]):
        n = nodes[0]
        op = n.op
        if n.opdef.integer or (op in ("scale", "affine") and n.attrs.get("shift")):
            self.fail(n, "it is an integer op; the loihi target maps the float graph (its own Loihi "
                         "quantization), so compile without integerize (the default loihi pipeline)")
        handler = HANDLERS.get(op)
        if handler is None:
            self.fail(n, REFUSED.get(op, f"op {op} has no Loihi form — {OTHER_TARGETS}"))
        if len(n.operands) != 1 and op not in ("add", "output"):
            self.fail(n, f"it takes {len(n.operands)} operands; a netx network is a chain of layers — "
                         f"{OTHER_TARGETS}")
        for other in nodes[1:]:
            self.same_as(n, other)
        self.at = handler(self, nodes) or nodes      # a handler that matches further nodes returns the last

    def same_as(self, first: Node, other: Node):
        """A plane's copy of an op: the same op, attributes and weights as the first plane's."""
        same = other.op == first.op and other.attrs == first.attrs and all(
            np.array_equal(self.graph.param(first, r), self.graph.param(other, r)) for r in ("weight", "scale")
            if first.op in SYNAPSES)
        if not same:
            self.fail(other, f"the binary planes of one value go through different ops (%{first.name}, "
                             f"%{other.name}); a Loihi layer treats all planes alike")

    # ------------------------------------------------------------------ parameters
    def static(self, n, role: str, default=None):
        """A broadcast parameter without its time axis; refused when it varies over time."""
        p = self.graph.param(n, role)
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

    def channel_param(self, nodes: list[Node], role: str, out: tuple[int, ...], default: float) -> np.ndarray:
        """A synapse's scale or bias per output channel (the bias summed over its plane copies)."""
        values = [self.channel_vector(n, role, p, out) for n in nodes[:1 if role == "scale" else None]
                  if (p := self.static(n, role)) is not None]
        return sum(values[1:], values[0]) if values else np.full(out[0], default)

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
                         f"encode the input as spikes or k-bit integers and say so: --input-type spike "
                         f"(input_type='spike'), or --input-type 'uint<k>' --input-scale S")
        self.input_name, self.input_shape, self.input_dtype = n.name, tuple(n.type.shape), str(dt)
        self.at, self.shape = [n], tuple(n.type.shape)
        if self.message_bits:
            self.notes.append(f"the input is sent as graded spikes with a {self.message_bits}-bit payload (Loihi 2; "
                              f"pass input_message_bits={self.message_bits} to lava.lib.dl.netx.hdf5.Network)")

    def op_flatten(self, nodes):
        n = nodes[0]
        if n.attrs["start"] != 0 and len(self.shape) > 1:
            self.fail(n, f"flatten from dim {n.attrs['start']} keeps a rank-2 value; netx flattens whole layers")
        self.flatten(nodes)

    def op_reshape(self, nodes):
        n = nodes[0]
        if tuple(n.type.shape) != self.shape:
            if tuple(n.type.shape) != (int(np.prod(self.shape)),):
                self.fail(n, f"reshape {list(self.shape)} → {list(n.type.shape)} is not a flatten; netx only "
                             f"flattens a layer's output")
            self.flatten(nodes)

    def flatten(self, nodes):
        if self.syn is not None:
            self.fail(nodes[0], "it reshapes a synaptic current before its neuron; Loihi layers end in compartments")
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
    def op_scale(self, nodes):
        n = nodes[0]
        p = self.static(n, "scale")
        if self.syn is not None:
            self.fail(n, "a scale after a synapse is folded into it by fold-scale (the loihi pipeline runs it)")
        if self.kind == "readout":
            self.scale_readout(p, np.zeros_like(p))
        else:
            self.gain = p if self.gain is None else self.gain * p

    def op_affine(self, nodes):
        n = nodes[0]
        s, b = self.static(n, "scale"), self.static(n, "bias")
        if self.syn is not None:
            self.fail(n, "an affine after a synapse is folded into it by fold-scale (the loihi pipeline runs it)")
        if self.kind != "readout":
            self.fail(n, "an affine on spikes adds a constant to a spike train; Loihi layers start with a synapse")
        self.scale_readout(s, b)

    def scale_readout(self, s, b):
        r, shape = self.layers[-1].readout, self.layers[-1].shape
        r.gain = np.broadcast_to(r.gain * np.broadcast_to(s, shape), shape).copy()
        r.bias = np.broadcast_to(r.bias * np.broadcast_to(s, shape) + np.broadcast_to(b, shape), shape).copy()

    def op_add(self, nodes):
        """The sum of the planes: of a synapse's plane copies (the synapse, named after the sum), or
        of spikes (the value, which the host sums)."""
        n = nodes[0]
        if len(self.at) < 2 or n.operands != [a.name for a in self.at]:
            self.fail(n, REFUSED["add"])
        if self.syn is not None:
            self.syn.name = n.name

    # ------------------------------------------------------------------ synapses
    def begin(self, n):
        if self.syn is not None:
            self.fail(n, f"it follows the synapse %{self.syn.name} without a neuron in between; "
                         f"each Loihi layer is one synapse and its compartments")
        if self.kind == "readout":
            self.fail(n, "it follows a readout (li); Loihi readouts are read by the host, not passed on")
        if self.gain is not None:
            self.fail(n, "a gain on its input that fold-scale could not fold into it (it folds a gain per "
                         "tensor, per input of a dense layer or per channel of a conv); Loihi synapses start "
                         "from spikes or integer payloads")
        w = self.graph.param(n, "weight")
        static_rank = 2 if n.op == "linear" else 4
        if w.ndim == static_rank + 1:
            if w.shape[0] != 1:
                self.fail(n, f"the weight is a bank of {w.shape[0]} time-varying matrices (TaWQ); Loihi synapses "
                             f"hold one static weight matrix — {TEMPORAL_WAYS_OUT}")
            w = w[0]
        return w

    def op_linear(self, nodes):
        n = nodes[0]
        w = self.begin(n)
        if len(self.shape) != 1:
            self.fail(n, f"it applies to a value of shape {list(self.shape)}; netx dense layers take a vector "
                         f"(flatten first)")
        out = (w.shape[0],)
        s, b = self.channel_param(nodes, "scale", out, 1.0), self.channel_param(nodes, "bias", out, 0.0)
        P = self.planes                       # W · count = Σ_k W · plane_k: the weights repeat per plane
        self.open(nodes, "dense", np.tile(w.astype(np.float64) * s[:, None], (1, P)), b, np.tile(w, (1, P)), s,
                  out, {})

    def op_conv2d(self, nodes):
        n = nodes[0]
        w = self.begin(n)
        if len(self.shape) != 3 or self.flat_from is not None:
            self.fail(n, f"it applies to a value of shape {list(self.shape)}; a conv layer takes [C, H, W]")
        out = tuple(n.type.shape)
        G, P = n.attrs["groups"], self.planes
        if P > 1 and G != 1:
            self.fail(n, f"a grouped convolution (groups = {G}) of multi-bit spikes; the {P} binary spike planes "
                         f"need groups = 1")
        s, b = self.channel_param(nodes, "scale", out, 1.0), self.channel_param(nodes, "bias", out, 0.0)
        E = w.astype(np.float64) * s[:, None, None, None]
        a = n.attrs
        conv = {"stride": a["stride"], "padding": a["padding"], "dilation": a["dilation"], "groups": G}
        self.open(nodes, "conv", np.tile(E, (1, P, 1, 1)), b, np.tile(w, (1, P, 1, 1)), s, out, conv)

    def open(self, nodes, kind, E, b, w, s, out, conv):
        levels = w.dtype.kind in "iu"
        self.syn = Synapse(node=nodes[0], name=nodes[0].name, kind=kind, E=E, b=b, levels=w if levels else None,
                           row_gain=s if levels else None, shape=out,
                           in_shape=self.flat_from or self.loihi_shape(), flatten=self.flat_from is not None,
                           x_max=self.x_max, conv=conv)
        self.flat_from, self.planes = None, 1

    # ------------------------------------------------------------------ neurons
    def neuron_constants(self, n):
        """β, α (None for a memoryless current) and the per-channel thresholds."""
        shape = self.syn.shape
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
            if reset == "subtract_undecayed":
                self.fail(n, "it takes the threshold off one step later without decay (reset = "
                             "subtract_undecayed, snnTorch's subtract); Loihi's compartment resets v to 0 after a "
                             f"spike — train or export with reset=zero, or {OTHER_TARGETS}")
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

    def op_spiking(self, nodes):
        n = nodes[0]
        if self.syn is None:
            self.fail(n, "its input is not a synapse output; each Loihi compartment is fed by a synapse")
        if len(nodes) > 1:
            self.planes_layer(nodes)
            return
        notes: list[str] = []
        beta, alpha, theta = self.neuron_constants(n)
        self.reset_rule(n, notes)
        self.spiking_layer(nodes, n.name, beta, alpha, theta, notes)

    def planes_layer(self, nodes):
        """D binary planes of a multi-bit spike: one threshold per plane, no memory (module docstring)."""
        D = len(nodes)
        theta = np.concatenate([self.neuron_constants(p)[2] for p in nodes])
        notes = [f"multi-bit spikes (D = {D}) as {D} binary spike planes with thresholds {float(theta[0])} … "
                 f"{float(theta[-1])}; x ≥ k − 1/2 becomes x > k − 1/2 (differs only at ties)"]
        self.spiking_layer(nodes, nodes[0].name.removesuffix(".plane1"), 0.0, None, theta, notes, planes=D)

    def spiking_layer(self, nodes, name, beta, alpha, theta, notes, planes: int = 1):
        """Close the open synapse with compartments of thresholds `theta` (one per output channel, of the
        synapse repeated `planes` times)."""
        syn, n = self.syn, nodes[0]
        if planes > 1:
            rep = (planes,) + (1,) * (syn.E.ndim - 1)
            syn.E, syn.b = np.tile(syn.E, rep), np.tile(syn.b, planes)
            if syn.levels is not None:
                syn.levels, syn.row_gain = np.tile(syn.levels, rep), np.tile(syn.row_gain, planes)
            syn.shape = (planes * syn.shape[0],) + tuple(syn.shape[1:])
        E = syn.E / theta.reshape((-1,) + (1,) * (syn.E.ndim - 1))
        b = syn.b / theta
        if alpha is not None and np.any(b != 0):
            if alpha >= 1.0:
                self.fail(n, "a synapse bias into a current that never decays (alpha = 1) grows without bound; "
                             "Loihi's bias enters the voltage")
            b = b / (1.0 - alpha)
            notes.append("CUBA synapse bias b mapped to the voltage bias b/(1 - alpha) (exact once the current "
                         "settles)")
        gains = None if syn.levels is None else syn.row_gain / theta      # E = gains_c · levels
        try:
            q = quantize_spiking(E, b if np.any(b != 0) else None, beta, alpha, syn.x_max, self.steps,
                                 chip.WEIGHT_EXP_MAX[syn.kind], levels=syn.levels, gains=gains)
        except RangeError as e:
            self.fail(n, str(e))
        if q.v_bound > chip.WU_LIMIT:
            notes.append(f"v may saturate at -(2^23 - 1) under inhibition stronger than {chip.WU_LIMIT} weight "
                         f"units (bound {q.v_bound}); above the threshold saturation still spikes")
        layer = self.close(name, q.weight, q.weight_exp, q.bias, Neuron(q.i_decay, q.v_decay, q.vth_mant), q.unit,
                           notes, E)
        layer.planes = planes
        self.shape = (syn.shape[0] // planes,) + tuple(syn.shape[1:])
        self.kind, self.x_max, self.planes = "spikes", 1, planes

    op_lif = op_plif = op_if = op_cuba_lif = op_threshold = op_spiking

    def op_li(self, nodes):
        n, syn = nodes[0], self.syn
        if syn is None:
            self.fail(n, "its input is not a synapse output; each Loihi compartment is fed by a synapse")
        beta = self.uniform(n, "beta")
        if not 0.0 <= beta <= 1.0:
            self.fail(n, f"beta = {beta} is outside [0, 1]")
        try:
            q = quantize_leaky(syn.E, syn.b if np.any(syn.b != 0) else None, beta, syn.x_max, self.steps,
                               chip.WEIGHT_EXP_MAX[syn.kind])
        except RangeError as e:
            self.fail(n, str(e))
        layer = self.close(n.name, q.weight, q.weight_exp, q.bias,
                           Neuron(q.i_decay, q.v_decay, q.vth_mant, spiking=False), q.unit, [], syn.E)
        layer.readout = Readout("v", np.full(layer.shape, q.unit), np.zeros(layer.shape))
        self.kind, self.output_shape = "readout", layer.shape

    def close(self, name, weight, weight_exp, bias, neuron, unit, notes, E) -> Layer:
        """The layer of the open synapse and its compartments (appended; the synapse closed)."""
        syn = self.syn
        err = _relative_error(weight, E, unit)
        if err:
            notes.append(f"weights quantized to 8-bit mantissas: largest error {err:.2%} of the largest weight")
        layer = Layer(name=name, kind=syn.kind, shape=tuple(syn.shape), in_shape=tuple(syn.in_shape), weight=weight,
                     neuron=neuron, bias=bias, flatten=syn.flatten, weight_exp=weight_exp, unit=unit,
                     sources=(syn.name,) + ((name,) if name != syn.name else ()), notes=notes,
                     **{k: (tuple(v) if isinstance(v, tuple) else v) for k, v in syn.conv.items()})
        self.layers.append(layer)
        self.syn, self.shape = None, layer.shape
        return layer

    # ------------------------------------------------------------------ pooling and output
    def op_maxpool2d(self, nodes):
        n = nodes[0]
        if self.syn is not None:
            self.fail(n, "it pools a synaptic current; Loihi pools spikes only (max of spikes = OR)")
        if self.kind != "spikes" and not (self.kind == "input" and self.message_bits == 0):
            self.fail(n, f"it pools {'graded input values' if self.kind == 'input' else 'a readout'}; "
                         f"on Loihi max pooling is an OR of binary spikes")
        if self.gain is not None or self.flat_from is not None:
            self.fail(n, "a gain or reshape before max pooling has no Loihi form")
        self.fail(n, "max pooling of spikes is mapped as sum pooling and a threshold: run spike-maxpool-to-sumpool "
                     "(the loihi default pipeline does)")

    def op_sumpool2d(self, nodes):
        """Sum pooling of spikes then threshold > 0 (an OR): a grouped conv of ones, plane by plane."""
        n = nodes[0]
        ors = [u[0] if len(u) == 1 else None for u in (self.graph.users(p.name) for p in nodes)]
        spikes = self.kind == "spikes" or (self.kind == "input" and self.message_bits == 0)
        if not (spikes and self.gain is None and self.flat_from is None and all(
                o is not None and o.op == "threshold" and o.attrs["compare"] == "gt"
                and not np.any(self.graph.param(o, "threshold")) for o in ors)):
            self.fail(n, REFUSED["sumpool2d"])
        P = self.planes
        C = P * self.shape[0]
        a = n.attrs
        kh, kw = a["kernel"]
        out = tuple(n.type.shape)
        name = ors[0].name.removesuffix(".plane1") if P > 1 else ors[0].name
        neuron = Neuron(chip.DECAY_UNITY, chip.DECAY_UNITY, 0)
        self.layers.append(Layer(name=name, kind="pool", shape=(P * out[0],) + out[1:], in_shape=self.loihi_shape(),
                                 weight=np.ones((C, 1, kh, kw), np.int64), neuron=neuron, stride=a["stride"],
                                 padding=a["padding"], groups=C, sources=(name,), planes=P,
                                 notes=["max of binary spikes = OR: a grouped conv of ones, spike when the sum > 0"]))
        self.shape, self.kind, self.x_max = out, "spikes", 1
        return ors

    def op_output(self, nodes):
        n = nodes[0]
        if self.syn is not None:
            self.readout()
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

    def readout(self):
        """A synapse straight into the output: compartments that never spike, read from their current."""
        syn = self.syn
        shape = tuple(syn.shape)
        notes = ["readout: the host reads the current u = a·2^6 and computes y = gain·a + bias"]
        w, e = None, 0
        if syn.levels is not None:
            levels = syn.levels.astype(np.int64)
            if int(np.abs(levels).reshape(levels.shape[0], -1).sum(1).max(initial=0)) * syn.x_max \
                    <= chip.WU_LIMIT and np.abs(levels).max(initial=0) <= chip.MANTISSA_MAX:
                w, unit, gain = levels, 1.0, syn.row_gain
        if w is None:
            try:
                w, e, unit = quantize_readout(syn.E, syn.x_max, chip.WEIGHT_EXP_MAX[syn.kind])
            except RangeError as err:
                self.fail(syn.node, str(err))
            gain = np.full(shape[0], unit)
        neuron = Neuron(chip.DECAY_UNITY, chip.DECAY_UNITY, chip.VTH_MANT_MAX, spiking=False)
        layer = self.close(syn.name, w, e, None, neuron, unit, notes,
                           syn.E if syn.levels is None else w.astype(np.float64))
        per_channel = (-1,) + (1,) * (len(shape) - 1)
        layer.readout = Readout("u", np.broadcast_to(gain.reshape(per_channel), shape).copy(),
                                np.broadcast_to(syn.b.reshape(per_channel), shape).copy())
        self.output_shape = shape


HANDLERS = {op: getattr(Chain, "op_" + op) for op in (
    "flatten", "reshape", "scale", "affine", "add", "linear", "conv2d", "lif", "plif", "if", "cuba_lif", "threshold",
    "li", "maxpool2d", "sumpool2d", "output")}


def _relative_error(weight: np.ndarray, E: np.ndarray, unit: float) -> float:
    top = float(np.abs(E).max()) if E.size else 0.0
    if top == 0.0:
        return 0.0
    return float(np.abs(weight * unit - E).max()) / top
