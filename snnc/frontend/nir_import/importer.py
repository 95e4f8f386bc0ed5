"""`nir.NIRGraph` (or a ``.nir`` file) → IR graph (`from_nir`).

* Nodes are taken in topological order of the edges (NIR's dicts may be in any
  order; an HDF5 file gives them back sorted by name). A cycle — a recurrent
  connection — is refused: the IR is feed-forward, recurrence lives in neuron state.
* A node with several incoming edges sums them (NIR's rule): an ``add`` node is
  emitted in front of it (``<name>_sum``).
* Nested ``NIRGraph`` nodes with one Input and one Output are flattened; their
  nodes are named ``<subgraph>.<node>``.
* Shapes come from the IR's own type inference, starting at the Input nodes;
  where a NIR node declares an input type it must match (errors name the edge).
* Neurons follow `snnc.backends.nir.convert` (β = 1 − dt/τ, gains r·dt/τ, biases
  v_leak·dt/τ, IF's gain r). A gain ≠ 1 emits a ``scale`` node and a bias ≠ 0 an ``affine`` node in
  front of the neuron (``<name>_in``); a CubaLIF with v_leak ≠ 0 becomes
  ``li`` (the synaptic current, ``<name>_syn``) → ``affine`` → ``lif``, which is exact.
* Graphs without snnc metadata use NIR's conventions: reset to v_reset ("zero"),
  spike when v > threshold ("gt"), float32 inputs; a node's metadata ``reset`` /
  ``compare`` and an Input's ``dtype`` are honoured when valid. Graphs written by
  `snnc.backends.nir.to_nir` carry metadata (see `snnc.backends.nir.params`) that makes
  the round trip exact.
"""
from __future__ import annotations

import re

import nir
import numpy as np

from snnc.backends.nir import convert
from snnc.backends.nir import params as P
from snnc.ir import OPS, Graph, VerifyError, verify
from snnc.ir.ops.conv2d import conv_out
from snnc.ir.types import normalize_param, parse_dtype

from . import checks as C
from . import structure as S
from .errors import NIRImportError

_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
NEURON_OPS = ("lif", "plif", "if", "li", "cuba_lif")
FOREIGN_ATTRS = ("reset", "compare", "dtype")   # metadata honoured on graphs from other tools
REFUSED = {
    "Conv1d": "the IR has 2-D convolutions only; export the layer as a Conv2d with a 1-wide kernel",
    "Delay": "the IR has no synaptic delays; remove the Delay node (or fold it into the input timing)",
}


def from_nir(source, dt: float | None = None, name: str | None = None) -> Graph:
    """Import a `nir.NIRGraph`, or a ``.nir`` file path, as a verified IR graph.

    `dt` (seconds per timestep) overrides the graph's ``dt`` metadata (default 1e-4);
    `name` overrides the graph name.
    """
    graph = S.load(source)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # non-finite results are refused
        return _Importer(graph, dt, name).run()


def _dtype_ok(d) -> bool:
    if d is None:
        return True
    try:
        return isinstance(d, str) and np.dtype(d).kind in "biuf"
    except TypeError:
        return False


def graph_attrs(attrs: dict) -> dict:
    """snnc's recorded graph attributes, with the numbers that drive work (timesteps, dt, input_range)
    bounded as a user's own values are."""
    from snnc.errors import ConfigError
    from snnc.input_decl import check_timesteps
    out = dict(attrs)
    try:
        if "timesteps" in out:
            out["timesteps"] = check_timesteps(out["timesteps"])
    except ConfigError as e:
        raise NIRImportError(f"metadata 'snnc_attrs': {e}") from None
    for key in ("dt", "input_range", "input_scale"):
        v = out.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1e30):
            raise NIRImportError(f"metadata 'snnc_attrs': {key}={v!r} must be a positive finite number")
    return out


def _pair(v, what: str, key: str) -> tuple[int, int]:
    a = np.asarray(v).reshape(-1)
    if a.size == 1:
        a = np.repeat(a, 2)
    if a.size != 2 or not np.all(a == np.round(a)):
        raise NIRImportError(f"{what}={v!r} must be an integer or a pair of integers", key)
    return int(a[0]), int(a[1])


class _Importer:
    def __init__(self, graph: nir.NIRGraph, dt, name):
        self.meta = S.meta(graph)
        self.snnc = "snnc_format" in self.meta
        nodes, self.edges = S.flatten(graph)
        if not nodes:
            raise NIRImportError("the graph has no nodes; export a network with an Input and an Output node")
        for kind in ("Input", "Output"):
            if not any(type(n).__name__ == kind for n in nodes.values()):
                raise NIRImportError(f"the graph has no {kind} node; NIR graphs start at Input and end at Output")
        self.nodes = nodes
        self.preds = {k: [a for a, b in self.edges if b == k] for k in nodes}
        self.md = {k: S.meta(n) for k, n in nodes.items()}
        self.dt = self.resolve_dt(dt)
        for k, n in nodes.items():
            C.fields(k, type(n).__name__, lambda f, n=n: getattr(n, f, None))
            C.neuron(k, type(n).__name__, n, self.dt, foreign=not self.snnc)
        gname = name or (self.meta.get("snnc_graph") if self.snnc else None) or "nir_graph"
        self.g = Graph(P.identifier(gname))
        if self.snnc and "snnc_attrs" in self.meta:
            self.g.attrs = graph_attrs(C.json_field(None, "snnc_attrs", self.meta["snnc_attrs"], dict))
        else:
            self.g.attrs = {"dt": self.dt}
        if dt is not None:
            self.g.attrs["dt"] = self.dt
        self.names, taken = {}, set()
        for k in nodes:
            base = n = P.identifier(k)
            i = 1
            while n in taken:
                n, i = f"{base}_{i}", i + 1
            self.names[k] = n
            taken.add(n)
        self.reserved = set(taken)
        self.reserved_keys = set()
        for k in nodes:
            recs = self.recs(k)
            self.reserved_keys |= {r["key"] for r in recs.values() if isinstance(r, dict) and isinstance(r.get("key"), str)}
        self.value = {}   # NIR key → IR node holding its output
        self.index = {}   # IR node → its position in the exporting graph (snnc metadata)

    def resolve_dt(self, dt) -> float:
        if dt is None:
            dt = self.meta.get("dt")
        if dt is None:
            node_dts = {m["dt"] for m in self.md.values() if isinstance(m.get("dt"), (int, float))}
            dt = node_dts.pop() if len(node_dts) == 1 else convert.DEFAULT_DT
        if isinstance(dt, bool) or not isinstance(dt, (int, float, np.integer, np.floating)) or not 0 < dt < np.inf:
            raise NIRImportError(f"dt={dt!r} must be a positive number of seconds per timestep")
        return float(dt)

    # ------------------------------------------------------------------ driver
    def run(self) -> Graph:
        position = {k: i for i, k in enumerate(self.nodes)}

        def rank(k):
            idx = self.md[k].get("snnc_index") if self.snnc else None
            return (idx if isinstance(idx, int) else len(self.nodes), position[k])
        for k in S.topological(self.nodes, self.edges, rank):
            self.value[k] = self.convert(k)
        self.restore_order()
        verify(self.g)
        return self.g

    def restore_order(self):
        """Put the nodes back in the exporting graph's order when every node has its position."""
        if not self.snnc or any(not isinstance(self.index.get(n), int) for n in self.g.nodes):
            return
        order = sorted(self.g.nodes, key=lambda n: self.index[n])
        seen = set()
        for n in order:
            if any(o not in seen for o in self.g.nodes[n].operands):
                return
            seen.add(n)
        self.g.nodes = {n: self.g.nodes[n] for n in order}

    def convert(self, k: str) -> str:
        node = self.nodes[k]
        kind = type(node).__name__
        if kind in REFUSED:
            raise NIRImportError(REFUSED[kind], k)
        build = getattr(self, "nir_" + kind, None)
        if build is None:
            raise NIRImportError(f"NIR node type {kind} has no IR form", k)
        preds = self.preds[k]
        if isinstance(node, nir.Input):
            if preds:
                raise NIRImportError("an Input node cannot have incoming edges", k)
            return build(k, node, None)
        if not preds:
            raise NIRImportError(f"{kind} has no incoming edge", k)
        for a in preds:
            self.check_edge(a, k, node)
        srcs = [self.value[a] for a in preds]
        if self.op_of(k) == "add" and isinstance(node, nir.Scale):
            order = C.json_field(k, "snnc_operands", self.md[k].get("snnc_operands", "[]"), tuple)
            if sorted(order) == sorted(preds):
                srcs = [self.value[a] for a in order]
            return self.emit("add", srcs, {}, {}, self.names[k], k)
        src = srcs[0] if len(srcs) == 1 else self.emit("add", srcs, {}, {}, self.fresh(self.names[k] + "_sum"), k)
        return build(k, node, src)

    def check_edge(self, a: str, k: str, node):
        declared = (getattr(node, "input_type", None) or {}).get("input")
        if declared is None:
            return
        declared = tuple(int(d) for d in np.asarray(declared).reshape(-1))
        have = self.g[self.value[a]].type.shape
        if isinstance(node, nir.Conv2d) and int(np.asarray(node.groups)) != 1:
            declared, have = declared[1:], have[1:]   # nir types grouped convs with C/groups channels
        if declared != have and declared not in ((), (1,)):
            raise NIRImportError(f"edge {a!r} → {k!r}: {a!r} gives shape {list(have)} but {k!r} expects "
                                 f"{list(declared)}", k)

    # ------------------------------------------------------------------ helpers
    def op_of(self, k: str) -> str | None:
        return self.md[k].get("snnc_op") if self.snnc else None

    def recs(self, k: str) -> dict:
        """The node's parameter records (role → key, dtype, shape), each checked to be plain."""
        if not self.snnc or "snnc_params" not in self.md[k]:
            return {}
        recs = C.json_field(k, "snnc_params", self.md[k]["snnc_params"], dict)
        for role, rec in recs.items():
            if not (isinstance(rec, dict) and isinstance(rec.get("key", ""), str)
                    and isinstance(rec.get("shape", ()), tuple) and all(isinstance(d, int) for d in rec.get("shape", ()))
                    and _dtype_ok(rec.get("dtype"))):
                raise NIRImportError(f"metadata 'snnc_params' has a bad record for {role!r}: {rec!r}", k)
        return recs

    def attrs_from_meta(self, k: str, op: str) -> dict:
        """IR attributes stored in the node's metadata under their own names."""
        names = [a.name for a in OPS[op].attrs]
        out = {}
        for a in names:
            if a in self.md[k] and (self.snnc or a in FOREIGN_ATTRS):
                v = self.md[k][a]
                out[a] = tuple(np.asarray(v).tolist()) if isinstance(v, np.ndarray) else v
        if not self.snnc:   # foreign values are hints: keep only valid ones
            for a in OPS[op].attrs:
                if a.name in out and not self.valid_hint(a, out[a.name]):
                    del out[a.name]
        return out

    @staticmethod
    def valid_hint(attr, value) -> bool:
        if attr.choices:
            return value in attr.choices
        if attr.name == "dtype":
            try:
                parse_dtype(value)
            except (ValueError, TypeError, AttributeError):
                return False
        return True

    def fresh(self, base: str) -> str:
        name, i = base, 1
        while name in self.g.nodes or name in self.reserved:
            name, i = f"{base}_{i}", i + 1
        self.reserved.add(name)
        return name

    def store(self, array, key: str | None, name: str, role: str) -> str:
        """Put a parameter in the store under its recorded key when possible (shared keys stay shared)."""
        array = normalize_param(array)
        if key and _KEY_RE.match(key):
            old = self.g.params.get(key)
            if old is None:
                self.g.params[key] = array
                return key
            if old.dtype == array.dtype and old.shape == array.shape and np.array_equal(old, array, equal_nan=True):
                return key
        base = f"{name}.{role}"
        key, i = base, 1
        while key in self.g.params or key in self.reserved_keys:
            key, i = f"{base}_{i}", i + 1
        self.g.params[key] = array
        return key

    def emit(self, op, operands, attrs, params, name, k, index=None) -> str:
        """Add an IR node; `params` maps role → (array, recorded key or None), or None for none."""
        for role, v in params.items():
            if v is not None and np.asarray(v[0]).dtype.kind == "f" and not np.all(np.isfinite(v[0])):
                raise NIRImportError(f"the {op} {role} it becomes is not finite (a value beyond float32's range, "
                                     f"or a time constant and resistance that do not fit together); give smaller "
                                     f"values", k)
        keys = {role: self.store(arr, key, name, role) for role, (arr, key) in
                ((r, v) for r, v in params.items() if v is not None)}
        try:
            node = self.g.add(op, operands, attrs, keys, name=name)
        except VerifyError as e:
            raise NIRImportError(e.detail, k) from None
        if index is None and self.snnc and name == self.names.get(k):
            index = self.md[k].get("snnc_index")
        self.index[node.name] = index
        return node.name

    def shape(self, src: str) -> tuple[int, ...]:
        return self.g[src].type.shape

    def field(self, k, node, attr: str, shape) -> np.ndarray:
        a = np.asarray(getattr(node, attr), dtype=np.float64)
        try:
            return np.broadcast_to(a, shape)
        except ValueError:
            raise NIRImportError(f"{attr} has shape {list(a.shape)}, which does not fit the input shape "
                                 f"{list(shape)}", k) from None

    def param(self, values, shape, rec) -> tuple[np.ndarray, str | None]:
        return P.restore(values, shape, rec), (rec or {}).get("key")

    # ------------------------------------------------------------------ boundary and shape nodes
    def nir_Input(self, k, node, _):
        shape = tuple(int(d) for d in C.array(k, "shape", node.input_type["input"]).reshape(-1))
        if shape and (min(shape) < 1 or np.prod(np.asarray(shape, dtype=np.float64)) > C.MAX_ELEMENTS):
            raise NIRImportError(f"field 'shape' is {list(shape)}; give positive sizes, at most {C.MAX_ELEMENTS} "
                                 f"values per timestep", k)
        attrs = {"dtype": "f32", **self.attrs_from_meta(k, "input"), "shape": shape}
        return self.emit("input", [], attrs, {}, self.names[k], k)

    def nir_Output(self, k, node, src):
        return self.emit("output", [src], self.attrs_from_meta(k, "output"), {}, self.names[k], k)

    def nir_Flatten(self, k, node, src):
        shape = self.shape(src)
        rank = len(shape)
        s, e = int(node.start_dim), int(node.end_dim)
        s, e = (s + rank if s < 0 else s), (e + rank if e < 0 else e)
        if not 0 <= s <= e < rank:
            raise NIRImportError(f"start_dim={node.start_dim}, end_dim={node.end_dim} do not fit the input "
                                 f"shape {list(shape)}", k)
        if e == rank - 1 and self.op_of(k) != "reshape":
            return self.emit("flatten", [src], {"start": s}, {}, self.names[k], k)
        merged = tuple(shape[:s]) + (int(np.prod(shape[s:e + 1])),) + tuple(shape[e + 1:])
        return self.emit("reshape", [src], {"shape": merged}, {}, self.names[k], k)

    def nir_SumPool2d(self, k, node, src, op="sumpool2d"):
        attrs = {"kernel": _pair(node.kernel_size, "kernel_size", k), "stride": _pair(node.stride, "stride", k),
                 "padding": _pair(node.padding, "padding", k)}
        return self.emit(op, [src], attrs, {}, self.names[k], k)

    def nir_AvgPool2d(self, k, node, src):
        return self.nir_SumPool2d(k, node, src, "avgpool2d")

    # ------------------------------------------------------------------ elementwise
    def nir_Scale(self, k, node, src):
        shape = self.shape(src)
        values = self.field(k, node, "scale", shape)
        params = {"scale": self.param(values, shape, self.recs(k).get("scale"))}
        return self.emit("scale", [src], {}, params, self.names[k], k)

    def nir_Threshold(self, k, node, src):
        shape = self.shape(src)
        values = self.field(k, node, "threshold", shape)
        attrs = {"compare": "gt", **self.attrs_from_meta(k, "threshold")}
        params = {"threshold": self.param(values, shape, self.recs(k).get("threshold"))}
        return self.emit("threshold", [src], attrs, params, self.names[k], k)

    # ------------------------------------------------------------------ synapses
    def unfold_scale(self, k, weight, s_out, rec_w):
        """Split a folded weight W' = s ⊙ W back into W (see `params.fold_scale`); None unless
        the result folds back to exactly W' (a file edited by another tool keeps W')."""
        cand = P.unfold_scale(weight, s_out, (rec_w or {}).get("dtype"))
        steps = self.md[k].get("snnc_weight_ulps")
        if cand.dtype == np.float32 and isinstance(steps, np.ndarray) and steps.shape == cand.shape:
            cand = P.apply_ulps(cand, steps)
        return cand if np.array_equal(P.fold_scale(cand, s_out), weight) else None

    def nir_Linear(self, k, node, src, bias=None):
        w = np.asarray(node.weight)
        if w.ndim < 2:
            raise NIRImportError(f"weight must be at least 2-D, got shape {list(w.shape)}", k)
        out, batch = w.shape[-2], w.shape[:-2]
        out_shape = tuple(batch) + (out,)
        recs = self.recs(k)
        weight, scale = w, None
        folded = self.md[k].get("snnc_scale") if self.snnc else None
        if isinstance(folded, np.ndarray) and "scale" in recs and folded.ndim == len(out_shape) + 1 \
                and folded.shape[0] == 1:
            try:
                s_out = np.broadcast_to(folded[0], out_shape)[..., None]
            except ValueError:
                s_out = None
            cand = None if s_out is None else self.unfold_scale(k, w, s_out, recs.get("weight"))
            if cand is not None:
                weight, scale = cand, self.param(folded[0], out_shape, recs["scale"])
        stack = weight.reshape((-1,) + w.shape[-2:])
        if any(not np.array_equal(m, stack[0]) for m in stack[1:]):
            raise NIRImportError(f"a batched weight {list(w.shape)} with different matrices per leading index "
                                 f"is not a linear layer the IR can express", k)
        weight = P.cast_like(stack[0], (recs.get("weight") or {}).get("dtype"))
        attrs = self.attrs_from_meta(k, "linear")
        params = {"weight": (weight, (recs.get("weight") or {}).get("key")),
                  "scale": scale}
        if bias is not None:
            params["bias"] = self.param(self.field(k, node, "bias", out_shape), out_shape, recs.get("bias"))
        return self.emit("linear", [src], attrs, params, self.names[k], k)

    def nir_Affine(self, k, node, src):
        return self.nir_Linear(k, node, src, bias=node.bias)

    def nir_Conv2d(self, k, node, src):
        w = np.asarray(node.weight)
        if w.ndim != 4:
            raise NIRImportError(f"weight must be [C_out, C_in/groups, kh, kw], got shape {list(w.shape)}", k)
        x = self.shape(src)
        if len(x) != 3:
            raise NIRImportError(f"input must be [C, H, W], got {list(x)}", k)
        stride, dilation = _pair(node.stride, "stride", k), _pair(node.dilation, "dilation", k)
        kernel = w.shape[2:]
        padding = node.padding
        if isinstance(padding, (str, bytes)):
            padding = padding.decode() if isinstance(padding, bytes) else padding
            if padding == "valid":
                padding = (0, 0)
            elif padding == "same" and stride == (1, 1) and all(d * (q - 1) % 2 == 0
                                                                for d, q in zip(dilation, kernel)):
                padding = tuple(d * (q - 1) // 2 for d, q in zip(dilation, kernel))
            else:
                raise NIRImportError(f"padding={padding!r} has no symmetric zero-padding form here", k)
        padding = _pair(padding, "padding", k)
        attrs = {**self.attrs_from_meta(k, "conv2d"), "stride": stride, "padding": padding, "dilation": dilation,
                 "groups": int(np.asarray(node.groups))}
        channels = w.shape[0]
        out_shape = (channels,) + tuple(conv_out(x[i + 1], kernel[i], stride[i], padding[i], dilation[i])
                                        for i in range(2))
        if min(out_shape) < 1:
            raise NIRImportError(f"the kernel {list(kernel)} does not fit the input {list(x)}", k)
        recs = self.recs(k)
        weight, scale = None, None
        folded = self.md[k].get("snnc_scale") if self.snnc else None
        if isinstance(folded, np.ndarray) and "scale" in recs and folded.ndim == 4 and folded.shape[0] == 1 \
                and folded.shape[2:] == (1, 1) and folded.shape[1] in (1, channels):
            s_out = np.broadcast_to(folded[0, :, 0, 0], (channels,))[:, None, None, None]
            weight = self.unfold_scale(k, w, s_out, recs.get("weight"))
            if weight is not None:
                scale = self.param(folded[0], out_shape, recs["scale"])
        if weight is None:
            weight = P.cast_like(w, (recs.get("weight") or {}).get("dtype"))
        params = {"weight": (weight, (recs.get("weight") or {}).get("key")),
                  "scale": scale}
        bias = np.broadcast_to(np.asarray(node.bias, dtype=np.float64).reshape(-1), (channels,))
        # NIR's conv always has a bias; a zero one stands for none unless snnc recorded one
        rec_b = recs.get("bias") if self.snnc else None
        if rec_b is not None or not convert.is_zero(bias):
            rec_b = rec_b or {"shape": [1, channels, 1, 1], "dtype": "float32"}
            params["bias"] = self.param(bias[:, None, None], out_shape, rec_b)
        return self.emit("conv2d", [src], attrs, params, self.names[k], k)

    # ------------------------------------------------------------------ neurons
    def input_stage(self, k, src, gain, bias, shape, base, use_meta=True) -> str:
        """The scale/affine node in front of a neuron for a gain ≠ 1 or a bias ≠ 0 (none if unit and zero,
        unless the input is spikes: the IR's float neurons take float input)."""
        text = self.md[k].get("snnc_in") if (self.snnc and use_meta) else None
        if text is not None:
            rec = C.json_field(k, "snnc_in", text, dict)
            recs = rec.get("params", {})
            if not isinstance(recs, dict) or not isinstance(rec.get("name", ""), str) or "name" not in rec:
                raise NIRImportError(f"metadata 'snnc_in' is not an snnc input-stage record: {rec!r}", k)
            params = {"scale": self.param(gain, shape, recs.get("scale"))}
            if rec.get("op") == "affine":
                params["bias"] = self.param(bias, shape, recs.get("bias"))
            return self.emit(rec.get("op", "affine"), [src], {}, params, self.fresh(rec["name"]), k,
                             index=rec.get("index"))
        unit, zero = convert.is_unit(gain), convert.is_zero(bias)
        if unit and zero and self.g[src].type.dtype.is_float:
            return src
        if unit:
            gain = np.ones(shape, np.float32)
        params = {"scale": self.param(gain, shape, None)}
        if not zero:
            params["bias"] = self.param(bias, shape, None)
        return self.emit("scale" if zero else "affine", [src], {}, params, self.fresh(base + "_in"), k)

    def spiking_attrs(self, k, node, op) -> dict:
        attrs = {"reset": "zero", "compare": "gt", **self.attrs_from_meta(k, op)}
        v_reset = np.asarray(node.v_reset, dtype=np.float64).reshape(-1)
        if v_reset.size and np.any(v_reset != v_reset[0]):
            raise NIRImportError("v_reset differs between neurons; the IR has one v_reset per layer", k)
        if v_reset.size:
            attrs["v_reset"] = float(v_reset[0])
        return attrs

    def leaky(self, k, node, src, op):
        shape = self.shape(src)
        recs = self.recs(k)
        tau = self.field(k, node, "tau", shape)
        r, v_leak = self.field(k, node, "r", shape), self.field(k, node, "v_leak", shape)
        beta = convert.beta_from_tau(tau, self.dt)
        src = self.input_stage(k, src, convert.gain_from_r(r, tau, self.dt),
                               convert.bias_from_v_leak(v_leak, tau, self.dt), shape, self.names[k])
        params = {"beta": self.param(beta, shape, recs.get("beta"))}
        attrs = {}
        if op != "li":
            params["threshold"] = self.param(self.field(k, node, "v_threshold", shape), shape, recs.get("threshold"))
            attrs = self.spiking_attrs(k, node, op)
        return self.emit(op, [src], attrs, params, self.names[k], k)

    def nir_LIF(self, k, node, src):
        return self.leaky(k, node, src, "plif" if self.op_of(k) == "plif" else "lif")

    def nir_LI(self, k, node, src):
        return self.leaky(k, node, src, "li")

    def nir_IF(self, k, node, src):
        shape = self.shape(src)
        gain = self.field(k, node, "r", shape).astype(np.float32)
        src = self.input_stage(k, src, gain, np.zeros(shape, np.float32), shape, self.names[k])
        params = {"threshold": self.param(self.field(k, node, "v_threshold", shape), shape,
                                          self.recs(k).get("threshold"))}
        return self.emit("if", [src], self.spiking_attrs(k, node, "if"), params, self.names[k], k)

    def nir_I(self, k, node, src):
        shape = self.shape(src)
        gain = self.field(k, node, "r", shape).astype(np.float32)
        src = self.input_stage(k, src, gain, np.zeros(shape, np.float32), shape, self.names[k])
        params = {"beta": self.param(np.ones(shape, np.float32), shape, None)}
        return self.emit("li", [src], {}, params, self.names[k], k)

    def cuba(self, k, node, src):
        """Decay factors, gains and bias of a CubaLI/CubaLIF node (see `convert`)."""
        shape = self.shape(src)
        f = {a: self.field(k, node, a, shape) for a in ("tau_syn", "tau_mem", "r", "v_leak", "w_in")}
        alpha = convert.beta_from_tau(f["tau_syn"], self.dt)
        beta = convert.beta_from_tau(f["tau_mem"], self.dt)
        g_in = convert.gain_from_r(f["w_in"], f["tau_syn"], self.dt)
        g_r = convert.gain_from_r(f["r"], f["tau_mem"], self.dt)
        bias = convert.bias_from_v_leak(f["v_leak"], f["tau_mem"], self.dt)
        return shape, alpha, beta, g_in, g_r, bias

    def two_stage(self, k, src, shape, alpha, g_in, g_r, bias) -> str:
        """input gain → li(α) (the synaptic current) → gain and bias into the membrane."""
        base = self.names[k]
        src = self.input_stage(k, src, g_in, np.zeros(shape, np.float32), shape, base, use_meta=False)
        syn = self.emit("li", [src], {}, {"beta": self.param(alpha, shape, None)}, self.fresh(base + "_syn"), k)
        return self.input_stage(k, syn, g_r, bias, shape, base + "_mem", use_meta=False)

    def nir_CubaLIF(self, k, node, src):
        shape, alpha, beta, g_in, g_r, bias = self.cuba(k, node, src)
        recs = self.recs(k)
        if convert.is_zero(bias):
            gain = g_in if convert.is_unit(g_r) else (g_in.astype(np.float64) * g_r).astype(np.float32)
            src = self.input_stage(k, src, gain, np.zeros(shape, np.float32), shape, self.names[k])
            op, params = "cuba_lif", {"alpha": self.param(alpha, shape, recs.get("alpha"))}
        else:
            src = self.two_stage(k, src, shape, alpha, g_in, g_r, bias)
            op, params = "lif", {}
        params["beta"] = self.param(beta, shape, recs.get("beta"))
        params["threshold"] = self.param(self.field(k, node, "v_threshold", shape), shape, recs.get("threshold"))
        return self.emit(op, [src], self.spiking_attrs(k, node, op), params, self.names[k], k)

    def nir_CubaLI(self, k, node, src):
        shape, alpha, beta, g_in, g_r, bias = self.cuba(k, node, src)
        src = self.two_stage(k, src, shape, alpha, g_in, g_r, bias)
        return self.emit("li", [src], {}, {"beta": self.param(beta, shape, None)}, self.names[k], k)
