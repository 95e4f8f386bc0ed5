"""IR graph → `nir.NIRGraph` (`to_nir`).

One NIR node per IR node, under the same name, with these encodings:

* ``linear`` → ``nir.Linear`` (no bias) or ``nir.Affine``. NIR has no output scale,
  so a ``scale`` parameter is folded into the weight, ``W' = scale ⊙ W`` (float32
  product), and recorded as ``snnc_scale`` so that import can split it again.
  A linear over a value ``[..., in]`` of rank > 1 gets the weight repeated over the
  leading dims (NIR's batched weight ``[..., out, in]``).
* ``conv2d`` → ``nir.Conv2d`` with ``input_shape`` (per-channel scale folded as above;
  NIR's conv bias is per channel, a zero bias stands for none).
* ``add`` → ``nir.Scale`` of ones with one edge per operand: a NIR node sums all
  its incoming edges, so ``y = 1 ⊙ (x_1 + … + x_n)``; ``snnc_operands`` keeps the order.
* ``lif``/``plif`` → ``nir.LIF``, ``if`` → ``nir.IF``, ``li`` → ``nir.LI``,
  ``cuba_lif`` → ``nir.CubaLIF`` with τ, r, v_leak, w_in from `convert`; the reset
  rule, the comparison and v_reset go to the node's metadata. An ``affine`` whose
  only user is a neuron is folded into that neuron's input gain and bias (r, v_leak,
  w_in) — the inverse of what import emits for a gain ≠ 1 or a v_leak ≠ 0.
* ``scale`` → ``nir.Scale``, ``threshold`` → ``nir.Threshold``, ``flatten`` and a
  ``reshape`` that merges adjacent dims → ``nir.Flatten``, pools → ``nir.SumPool2d`` /
  ``nir.AvgPool2d`` (PyTorch's count_include_pad), input/output → ``nir.Input``/``nir.Output``.

Anything else raises `NIRExportError` naming the node and the way out. The result
passes NIR's own type inference and check (``NIRGraph(..., type_check=True)``).
"""
from __future__ import annotations

import nir
import numpy as np

from snnc.ir import verify

from . import convert
from . import params as P
from .errors import NIRExportError

NEURONS = ("lif", "plif", "if", "li", "cuba_lif")

# Ops NIR cannot express, with the way out.
REFUSED = {
    "batchnorm": "NIR has no batch normalization; run fold-batchnorm first",
    "maxpool2d": "NIR has no max pooling; train with sum/avg pooling or use the cpu, hls or onnx target",
    "spike_matmul": "spike-driven attention (spike_matmul) has no NIR primitive; use the cpu, hls or onnx target",
    "multispike": "multi-bit spikes have no NIR primitive; run lower-multispike first",
    "mul": "an elementwise product of two activations (mul) has no NIR primitive; use the reference target",
    "reduce_sum": "a sum over an axis of an activation (reduce_sum) has no NIR primitive; use the reference target",
    "affine": "NIR has no elementwise affine node; only an affine whose single user is a neuron "
              "(lif, plif, if, li, cuba_lif) is exported, folded into the neuron's r and v_leak",
}
INTEGER_HINT = "integer ops have no NIR form; export the float graph (before integerize) to NIR"

# IR attributes that NIR node fields carry (all others go to metadata under their own name).
NIR_ATTRS = {
    "conv2d": ("stride", "padding", "dilation", "groups"),
    "sumpool2d": ("kernel", "stride", "padding"),
    "avgpool2d": ("kernel", "stride", "padding"),
    "flatten": ("start",),
    "reshape": ("shape",),
    "input": ("shape",),
}


def to_nir(graph) -> nir.NIRGraph:
    """Export a verified IR graph to a type-checked `nir.NIRGraph` (see the module docstring)."""
    verify(graph)
    return _Exporter(graph).run()


def graph_dt(graph) -> float:
    dt = graph.attrs.get("dt", convert.DEFAULT_DT)
    if isinstance(dt, bool) or not isinstance(dt, (int, float, np.integer, np.floating)) or not dt > 0:
        raise NIRExportError(f"graph attribute dt={dt!r} must be a positive number (seconds per timestep)")
    return float(dt)


class _Exporter:
    def __init__(self, graph):
        self.g = graph
        self.dt = graph_dt(graph)
        self.users = {n.name: [] for n in graph}
        for n in graph:
            for o in n.operands:
                self.users[o].append(n.name)
        self.index = {n.name: i for i, n in enumerate(graph)}
        self.folded = {}   # affine name → neuron that absorbs it

    def fail(self, node, message):
        raise NIRExportError(message, node.name)

    # ------------------------------------------------------------------ driver
    def run(self) -> nir.NIRGraph:
        for n in self.g:
            if n.type.shape == ():
                self.fail(n, "its value is a scalar (shape []); nir.write stores per-neuron arrays compressed, "
                             "which HDF5 refuses for scalars — give the value shape [1]")
            if not self.users[n.name] and n.op != "output":
                way_out = "remove the input" if n.op == "input" else \
                    "remove it (the dce pass) or mark it with an output node"
                self.fail(n, f"{n.op} has no users and is not an output; NIR would add an extra graph output "
                             f"for it — {way_out}")
            if n.op in NEURONS and self.g[n.operands[0]].op == "affine" \
                    and self.users[n.operands[0]] == [n.name]:
                self.folded[n.operands[0]] = n.name
        nodes, edges = {}, []
        for n in self.g:
            if n.name in self.folded:
                continue
            nodes[n.name] = self.node(n)
            sources = [self.source(o) for o in n.operands]
            if len(set(sources)) != len(sources):
                self.fail(n, "an operand is used twice; NIR cannot hold duplicate edges "
                             "(use a scale by 2 instead of adding a value to itself)")
            edges += [(s, n.name) for s in sources]
        metadata = {"dt": self.dt, "snnc_format": P.FORMAT_VERSION, "snnc_graph": self.g.name}
        try:
            metadata["snnc_attrs"] = P.dumps(self.g.attrs)
        except TypeError as e:
            raise NIRExportError(f"graph attributes must be plain numbers, strings and tuples ({e})") from None
        try:
            return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata, type_check=True)
        except (ValueError, AssertionError, NotImplementedError) as e:
            raise NIRExportError(f"NIR's type check rejected the exported graph: {e}") from None

    def source(self, name: str) -> str:
        """The NIR node whose output is the IR value `name` (a folded affine passes its input on)."""
        return self.g[name].operands[0] if name in self.folded else name

    def node(self, n) -> nir.NIRNode:
        op = n.op
        if op in REFUSED:
            self.fail(n, REFUSED[op])
        if n.opdef.integer:
            self.fail(n, INTEGER_HINT)
        build = getattr(self, "op_" + op, None)
        if build is None:
            self.fail(n, f"op {op!r} has no NIR primitive")
        try:
            node, meta = build(n)
        except P.NotRepresentable as e:
            self.fail(n, str(e))
        carried = NIR_ATTRS.get(op, ())
        plain = {k: v for k, v in n.attrs.items() if k not in carried}
        for k, v in plain.items():
            if isinstance(v, tuple):
                v = np.array(v)
            meta.setdefault(k, v)
        meta.update(snnc_op=op, snnc_index=self.index[n.name])
        if n.params:
            meta["snnc_params"] = P.dumps({r: P.info(self.g, n, r) for r in n.params})
        node.metadata = meta
        return node

    def in_type(self, n):
        return self.g[n.operands[0]].type

    # ------------------------------------------------------------------ boundary and shape ops
    def op_input(self, n):
        return nir.Input(input_type={"input": np.array(n.type.shape, dtype=np.int64)}), {}

    def op_output(self, n):
        return nir.Output(output_type={"output": np.array(n.type.shape, dtype=np.int64)}), {}

    def op_flatten(self, n):
        shape = np.array(self.in_type(n).shape, dtype=np.int64)
        return nir.Flatten(input_type={"input": shape}, start_dim=n.attrs["start"], end_dim=-1), {}

    def op_reshape(self, n):
        src, dst = self.in_type(n).shape, n.type.shape
        for s in range(len(src)):
            for e in range(s, len(src)):
                merged = tuple(src[:s]) + (int(np.prod(src[s:e + 1])),) + tuple(src[e + 1:])
                if merged == tuple(dst):
                    shape = np.array(src, dtype=np.int64)
                    end = -1 if e == len(src) - 1 else e
                    return nir.Flatten(input_type={"input": shape}, start_dim=s, end_dim=end), {}
        self.fail(n, f"reshape {list(src)} → {list(dst)} is not a flatten of adjacent dims, "
                     f"the only reshape NIR has (nir.Flatten)")

    def op_sumpool2d(self, n, cls=nir.SumPool2d):
        a = n.attrs
        return cls(kernel_size=np.array(a["kernel"]), stride=np.array(a["stride"]),
                   padding=np.array(a["padding"])), {}

    def op_avgpool2d(self, n):
        return self.op_sumpool2d(n, nir.AvgPool2d)

    # ------------------------------------------------------------------ elementwise
    def op_scale(self, n):
        if n.attrs["shift"]:
            self.fail(n, f"shift={n.attrs['shift']} is the integer form of scale; {INTEGER_HINT}")
        return nir.Scale(scale=P.full(self.g, n, "scale", n.type.shape)), {}

    def op_add(self, n):
        meta = {"snnc_operands": P.dumps(list(n.operands))}
        return nir.Scale(scale=np.ones(n.type.shape, dtype=np.float32)), meta

    def op_threshold(self, n):
        return nir.Threshold(threshold=P.full(self.g, n, "threshold", n.type.shape)), {}

    # ------------------------------------------------------------------ synapses
    def op_linear(self, n):
        w = self.g.param(n, "weight")
        if w.ndim == 3:
            self.fail(n, f"the weight is a bank of {w.shape[0]} time-varying matrices (TaWQ); NIR weights are "
                         f"static — export a static-weight model or use the cpu or hls target")
        x = self.in_type(n)
        out_shape = n.type.shape
        batch = tuple(x.shape[:-1])
        weight = np.broadcast_to(w, batch + w.shape)
        meta = {}
        scale = P.static_slice(self.g, n, "scale")
        if scale is not None:
            weight = self.fold(n, weight, np.broadcast_to(scale, out_shape)[..., None], meta)
        weight = P.nir_array(np.ascontiguousarray(weight))
        bias = P.full(self.g, n, "bias", out_shape)
        if bias is None:
            return nir.Linear(weight=weight), meta
        return nir.Affine(weight=weight, bias=bias), meta

    def op_conv2d(self, n):
        w = self.g.param(n, "weight")
        a = n.attrs
        if w.ndim == 5:
            self.fail(n, f"the weight is a bank of {w.shape[0]} time-varying kernels (TaWQ); NIR weights are "
                         f"static — export a static-weight model or use the cpu or hls target")
        if w.shape[-1] != w.shape[-2]:
            self.fail(n, f"kernel {w.shape[-2]}×{w.shape[-1]} is not square; nir 1.0.8 infers Conv2d shapes from "
                         f"one kernel size, so the file would fail NIR's type check")
        if a["groups"] != 1:
            self.fail(n, f"groups={a['groups']}: nir 1.0.8 types a Conv2d input as weight.shape[1] channels, "
                         f"which is wrong for grouped convolutions, so the file would fail NIR's type check")
        channels = w.shape[0]
        meta = {}
        weight = w
        scale = P.static_slice(self.g, n, "scale")
        if scale is not None:
            s = self.per_channel(n, "scale", scale, channels)
            weight = self.fold(n, w, s[:, None, None, None], meta)
        bias = P.static_slice(self.g, n, "bias")
        bias = np.zeros(channels, np.float32) if bias is None else self.per_channel(n, "bias", bias, channels)
        x = self.in_type(n)
        node = nir.Conv2d(input_shape=tuple(x.shape[1:]), weight=P.nir_array(weight), stride=a["stride"],
                          padding=a["padding"], dilation=a["dilation"], groups=1, bias=P.nir_array(bias))
        return node, meta

    def fold(self, n, weight, s_out, meta) -> np.ndarray:
        """W' = s ⊙ W, recording s (``snnc_scale``) and, for float weights, the ulp steps
        that make import's W'/s exactly W (``snnc_weight_ulps``)."""
        folded = P.fold_scale(weight, s_out)
        meta["snnc_scale"] = np.array(self.g.param(n, "scale"))
        if weight.dtype.kind == "f":
            approx = P.unfold_scale(folded, s_out, "float32")
            steps = P.ulp_steps(weight, approx)
            if steps is not None and np.any(steps) and np.array_equal(P.apply_ulps(approx, steps), weight):
                meta["snnc_weight_ulps"] = steps
        return folded

    def per_channel(self, n, role, p, channels):
        """A conv2d broadcast parameter (C|1, 1, 1) as a per-channel vector."""
        if p.shape[1:] != (1, 1):
            self.fail(n, f"parameter {role} varies over positions (shape {list(p.shape)}); NIR's Conv2d "
                         f"has per-channel values only")
        return np.broadcast_to(p[:, 0, 0], (channels,))

    # ------------------------------------------------------------------ neurons
    def neuron_input(self, n):
        """Gain and bias of a folded affine in front of the neuron (1 and 0 when none), and its record."""
        shape = n.type.shape
        src = self.g[n.operands[0]]
        if src.name not in self.folded:
            return np.ones(shape, np.float32), np.zeros(shape, np.float32), None
        if src.attrs["shift"]:
            self.fail(src, f"shift={src.attrs['shift']} is the integer form of affine; {INTEGER_HINT}")
        try:
            gain = np.broadcast_to(P.static_slice(self.g, src, "scale"), shape).astype(np.float32)
            bias = np.broadcast_to(P.static_slice(self.g, src, "bias"), shape).astype(np.float32)
        except P.TimeVarying as e:
            self.fail(src, str(e))
        rec = {"name": src.name, "op": src.op, "index": self.index[src.name],
               "params": {r: P.info(self.g, src, r) for r in src.params}}
        return gain, bias, rec

    def neuron_meta(self, n, rec):
        meta = {"dt": self.dt}
        if rec is not None:
            meta["snnc_in"] = P.dumps(rec)
        return meta

    def no_bias(self, n, bias, rec, why):
        if rec is not None and not convert.is_zero(bias):
            self.fail(self.g[rec["name"]], f"its bias cannot be folded into the {n.op} %{n.name}: {why}")

    def infinite_tau(self, n, tau, gain, rec):
        if rec is not None and np.any(np.isinf(tau) & (gain != 1)):
            self.fail(self.g[rec["name"]], f"a gain ≠ 1 cannot be folded into %{n.name} where its decay is 1 "
                                           f"(τ = ∞ in NIR)")

    def lif_fields(self, n, beta_role="beta"):
        shape = n.type.shape
        gain, bias, rec = self.neuron_input(n)
        tau = convert.tau_from_beta(P.full(self.g, n, beta_role, shape), self.dt)
        self.infinite_tau(n, tau, gain, rec)
        fields = dict(tau=tau, r=convert.r_from_gain(gain, tau, self.dt),
                      v_leak=convert.v_leak_from_bias(bias, tau, self.dt))
        return fields, self.neuron_meta(n, rec)

    def threshold_fields(self, n):
        shape = n.type.shape
        return dict(v_threshold=P.full(self.g, n, "threshold", shape).astype(np.float64),
                    v_reset=np.full(shape, n.attrs["v_reset"], dtype=np.float64))

    def op_lif(self, n):
        fields, meta = self.lif_fields(n)
        return nir.LIF(**fields, **self.threshold_fields(n)), meta

    op_plif = op_lif

    def op_li(self, n):
        fields, meta = self.lif_fields(n)
        return nir.LI(**fields), meta

    def op_if(self, n):
        gain, bias, rec = self.neuron_input(n)
        self.no_bias(n, bias, rec, "NIR's IF has no v_leak")
        return nir.IF(r=gain.astype(np.float64), **self.threshold_fields(n)), self.neuron_meta(n, rec)

    def op_cuba_lif(self, n):
        shape = n.type.shape
        gain, bias, rec = self.neuron_input(n)
        self.no_bias(n, bias, rec, "NIR's CubaLIF has no bias on the synaptic current")
        tau_syn = convert.tau_from_beta(P.full(self.g, n, "alpha", shape), self.dt)
        tau_mem = convert.tau_from_beta(P.full(self.g, n, "beta", shape), self.dt)
        self.infinite_tau(n, tau_syn, gain, rec)
        node = nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau_mem, r=convert.r_from_gain(1.0, tau_mem, self.dt),
                           v_leak=np.zeros(shape), w_in=convert.r_from_gain(gain, tau_syn, self.dt),
                           **self.threshold_fields(n))
        return node, self.neuron_meta(n, rec)
