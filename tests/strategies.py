"""Hypothesis strategies for random IR graphs and matching inputs (``import strategies``).

`graphs(...)` draws a verify()-clean `Graph` (`float_graphs(...)` / `integer_graphs(...)`: one
family only); `inputs(graph, T, B)` draws an input for it; `random_inputs(graph, T, B, rng)`
does the same from a NumPy Generator (no hypothesis); `graphs_and_inputs(...)` draws
``(graph, x)`` together. Structure is drawn with hypothesis (so failures shrink to small
graphs); array contents come from a NumPy Generator seeded by one drawn integer.

What `graphs()` generates
-------------------------
One `input`, then a chain of ops (and, with ``dag=True``, small DAGs: residual
``add(x, f(x))``, diamonds ``add(f(x), g(x))`` and three-operand adds), then one `output`
(``max_outputs > 1`` adds side outputs of intermediate values). Every node is used.
A graph is of one *family*:

* **float** (``float_ops=True``): input ``spike``, ``f32`` or ``uint<k>`` (k = 1..8, with a
  positive `scale`); ops linear, conv2d, sumpool2d, avgpool2d, maxpool2d, flatten, add, lif,
  if, plif, cuba_lif, li, threshold, multispike. Weights are float32, or integer levels
  (ternary {-1, 0, 1} or k-bit, int8) with a float scale (as TaWQ / QAT produce).
* **integer** (``integer=True``): input ``spike`` or ``uint<k>``; ops linear and conv2d with
  int8 levels and optional int32 bias (no scale), sumpool2d, maxpool2d, flatten, add,
  threshold (int32 threshold), lif_int, cuba_lif_int, li_int, multispike_int. Every value is
  an integer; `li_int` (fixed-point) only feeds the output.

When both flags are set each graph is drawn from one of the two families.
``ops=`` restricts the op set (it may also name the opt-in ops scale, affine, batchnorm
(float only), reshape and spike_matmul). Input ranks: ``[F]``, ``[N, F]`` (linear over the
last axis) and ``[C, H, W]`` (when a conv/pool op is allowed). Sizes are small and odd on
purpose (1..`max_features`, not multiples of 8 or 64).

Parameters: weights are static ``[out, in]`` / ``[O, C/g, kh, kw]`` or, with
``time_varying=True``, sometimes banks ``[T_w, …]`` (T_w = 2..4); broadcast parameters
(scales, biases, neuron constants) have shape ``(T_p,) + B`` with T_p = 1 or (time-varying)
2..3, and B per tensor, per channel, per element or a random mix.
conv2d: kernel 1..3 (non-square allowed), stride 1..2, padding 0..1, dilation 1..2, groups.

No overflow in integer graphs (for any T ≤ `MAX_T`): weights are small levels (|w| ≤ 7),
integer linear/conv/sumpool/add are only applied to values of at most 16/24 bits, and each
integer neuron gets ``leak ≤ 2^shift`` (0 ≤ shift ≤ 6) and a `state_bits` that holds, by the
bound below, every state, pre-reset value and leak product ``leak·v``:
with u = max|I << in_shift| + max|bias| and g(leak) = min(MAX_T, 2^shift / (2^shift − leak))
(MAX_T when leak = 2^shift), |v| ≤ (1 + u + |v_reset|) · g and |leak·v| ≤ 2^shift · |v|
(cuba: the current i gets the same bound with alpha first; reset subtract_undecayed counts its
threshold in u, and has a threshold static over time). Thresholds are positive.

Inputs (`inputs` / `random_inputs`): an array ``[T, B, *shape]`` (a dict name → array when a
graph has several inputs): ``spike`` → uint8 0/1; ``uint<k>`` → the smallest unsigned NumPy
type holding k bits, values 0..2^k−1; ``int<k>`` / ``fixed`` → the smallest signed type;
``f32`` → float32 (normal, std ≈ 1). Patterns: random (density 0.1..0.9), all zero, all max.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from snnc.ir import Graph, TensorType, parse_dtype, verify

MAX_T = 64

FLOAT_OPS = ("linear", "conv2d", "sumpool2d", "avgpool2d", "maxpool2d", "flatten", "add",
             "lif", "if", "plif", "cuba_lif", "li", "threshold", "multispike")
INTEGER_OPS = ("linear", "conv2d", "sumpool2d", "maxpool2d", "flatten", "add",
               "threshold", "lif_int", "cuba_lif_int", "li_int", "multispike_int")
EXTRA_OPS = {"float": ("scale", "affine", "batchnorm", "reshape", "spike_matmul"),
             "integer": ("scale", "affine", "reshape", "spike_matmul")}

FLOAT_NEURONS = ("lif", "if", "plif", "cuba_lif", "li")
INT_NEURONS = ("lif_int", "cuba_lif_int", "li_int")
POOLS = ("sumpool2d", "avgpool2d", "maxpool2d")
# ops that can keep a value's shape (used inside residual branches)
SHAPE_KEEPING = ("linear", "conv2d", "maxpool2d", "threshold", "multispike", "multispike_int", "scale",
                 "affine", "batchnorm") + FLOAT_NEURONS + ("lif_int", "cuba_lif_int")

# how often an applicable op is picked, relative to the others (default 1)
WEIGHTS = {"linear": 3, "spike_matmul": 2, "lif": 2, "if": 2, "plif": 2, "cuba_lif": 2, "li": 2,
           "lif_int": 3, "cuba_lif_int": 3, "li_int": 2}
# … and on [C, H, W] values, where convolution and pooling are the natural next ops
WEIGHTS_RANK3 = {**WEIGHTS, "conv2d": 6, "sumpool2d": 3, "avgpool2d": 3, "maxpool2d": 3, "linear": 1, "flatten": 2}

f32 = np.float32


@dataclass(frozen=True)
class Options:
    family: str
    allowed: frozenset | None
    max_nodes: int
    min_nodes: int
    time_varying: bool
    dag: bool
    max_features: int
    max_channels: int
    max_outputs: int
    input_dtypes: tuple


def _mag(t: TensorType) -> int:
    """Largest magnitude an integer value of type t can take."""
    lo, hi = t.dtype.range()
    return max(abs(lo), abs(hi))


def _bits(t: TensorType) -> int:
    return _mag(t).bit_length()


def applicable(op: str, t: TensorType, family: str, same_shape: bool = False) -> bool:
    """Whether the generator can apply `op` to a value of type `t` in `family` graphs."""
    rank, dt = len(t.shape), t.dtype
    is_float = dt.is_float
    if same_shape and op not in SHAPE_KEEPING:
        return False
    if family == "integer" and (is_float or (dt.kind == "fixed" and op not in ("threshold", "multispike_int"))):
        return False
    if op == "linear":
        return rank >= 1 and (family == "float" or _bits(t) <= 16)
    if op == "conv2d":
        return rank == 3 and (family == "float" or _bits(t) <= 16)
    if op in POOLS:
        return rank == 3 and (op != "sumpool2d" or is_float or _bits(t) <= 24)
    if op == "flatten":
        return rank >= 2 and not same_shape
    if op == "reshape":
        return rank >= 1 and t.size > 1 and not same_shape
    if op == "add":
        return is_float or (dt.kind != "fixed" and _bits(t) <= 24)
    if op in FLOAT_NEURONS or op == "multispike" or op == "batchnorm":
        return is_float and rank >= (1 if op == "batchnorm" else 0)
    if op in INT_NEURONS:
        return not is_float and _bits(t) <= 24
    if op == "multispike_int":
        return not is_float and _bits(t) <= 40
    if op == "threshold":
        return True
    if op in ("scale", "affine"):
        return is_float or _bits(t) <= 16
    if op == "spike_matmul":
        return rank == 2 and (is_float or (dt.kind in ("uint", "spike") and dt.width <= 4)) \
            and t.shape[1] <= 16
    return False


class _Builder:
    def __init__(self, draw, opts: Options):
        self.draw, self.o = draw, opts
        self.rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))   # array contents
        self.integer = opts.family == "integer"
        name = draw(st.sampled_from(["g", "net", "model.v2"]))
        attrs = draw(st.sampled_from([{}, {"dt": 0.001}, {"dt": 0.0005, "source": "strategies"}]))
        self.g = Graph(name, attrs)
        self.dotted = draw(st.booleans())
        self.count = 0

    # ------------------------------------------------------------------ helpers
    def pick(self, seq):
        return self.draw(st.sampled_from(list(seq)))

    def int_(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def flag(self):
        return self.draw(st.booleans())

    def add(self, op, operands, attrs=None, params=None):
        self.count += 1
        name = f"l{self.count}.{op}" if self.dotted else None
        return self.g.add(op, operands, attrs=attrs or {}, params=params or {}, name=name).name

    def type(self, v) -> TensorType:
        return self.g[v].type

    def t_p(self) -> int:
        return self.pick([1, 2, 3]) if self.o.time_varying and self.flag() else 1

    def bshape(self, shape) -> tuple:
        """(T_p,) + B: per tensor, per channel, per element or a random mix of 1 and full dims."""
        mode = self.pick(["tensor", "channel", "element", "mixed"])
        rank = len(shape)
        if mode == "tensor" or rank == 0:
            b = (1,) * rank
        elif mode == "channel":
            axis = 0 if rank == 3 else rank - 1
            b = tuple(s if i == axis else 1 for i, s in enumerate(shape))
        elif mode == "element":
            b = tuple(shape)
        else:
            b = tuple(s if self.flag() else 1 for s in shape)
        return (self.t_p(),) + b

    def uniform(self, shape, lo, hi):
        return self.rng.uniform(lo, hi, size=shape).astype(f32)

    def levels(self, shape):
        """Integer weight levels: ternary {-1, 0, 1} or k-bit {-(2^(k-1)-1) … 2^(k-1)-1}, k = 2..4."""
        k = self.pick([2, 2, 3, 4])
        m = (1 << (k - 1)) - 1
        return self.rng.integers(-m, m + 1, size=shape).astype(np.int8)

    def bank(self, shape):
        """Weight shape with a leading T_w axis (2..4) when time-varying weights are drawn."""
        if self.o.time_varying and self.flag():
            return (self.pick([2, 3, 4]),) + tuple(shape)
        return tuple(shape)

    # ------------------------------------------------------------------ synaptic ops
    def weights(self, shape, fan_in, out_shape):
        """Weight (+ scale, bias) parameters for linear/conv2d."""
        params = {}
        if self.integer:
            params["weight"] = self.levels(shape)
            if self.flag():
                params["bias"] = self.rng.integers(-3, 4, size=self.bshape(out_shape)).astype(np.int32)
            return params
        gain = float(self.pick([1.0, 2.0, 3.0]))
        if self.flag():       # float weights
            params["weight"] = (self.rng.standard_normal(shape) * gain / np.sqrt(fan_in)).astype(f32)
            if self.flag():
                params["scale"] = self.uniform(self.bshape(out_shape), 0.5, 1.5)
        else:                 # integer levels with a float scale
            params["weight"] = self.levels(shape)
            params["scale"] = self.uniform(self.bshape(out_shape), 0.3, 1.2) * f32(gain / np.sqrt(fan_in))
        if self.flag():
            params["bias"] = self.uniform(self.bshape(out_shape), -0.5, 0.5)
        return params

    def linear(self, v, same_shape=False):
        t = self.type(v)
        fin = t.shape[-1]
        fout = fin if same_shape else self.int_(1, self.o.max_features)
        out = tuple(t.shape[:-1]) + (fout,)
        return self.add("linear", [v], params=self.weights(self.bank((fout, fin)), fin, out))

    def conv2d(self, v, same_shape=False):
        c, h, w = self.type(v).shape
        divisors = [d for d in range(1, c + 1) if c % d == 0]
        groups = self.pick(divisors) if self.flag() else 1
        if same_shape:
            o, stride, dil = c, (1, 1), (1, 1)
            k = (self.pick([1, 3]), self.pick([1, 3]))
            pad = ((k[0] - 1) // 2, (k[1] - 1) // 2)
        else:
            o = groups * self.int_(1, max(1, self.o.max_channels // groups))
            pad = (self.int_(0, 1), self.int_(0, 1))
            stride = (self.int_(1, 2), self.int_(1, 2))
            dil = (self.pick([1, 1, 2]),) * 2
            k = tuple(self.int_(1, max(1, min(3, (size + 2 * p - 1) // d + 1)))
                      for size, p, d in zip((h, w), pad, dil))
        oh = (h + 2 * pad[0] - dil[0] * (k[0] - 1) - 1) // stride[0] + 1
        ow = (w + 2 * pad[1] - dil[1] * (k[1] - 1) - 1) // stride[1] + 1
        cin = c // groups
        params = self.weights(self.bank((o, cin) + k), cin * k[0] * k[1], (o, oh, ow))
        attrs = {"stride": stride, "padding": pad, "dilation": dil, "groups": groups}
        return self.add("conv2d", [v], attrs=attrs, params=params)

    def pool(self, op, v, same_shape=False):
        _, h, w = self.type(v).shape
        if same_shape:
            k = (self.pick([1, 3]), self.pick([1, 3]))
            attrs = {"kernel": k, "stride": (1, 1), "padding": ((k[0] - 1) // 2, (k[1] - 1) // 2)}
        else:
            k = (self.int_(1, min(3, h)), self.int_(1, min(3, w)))
            attrs = {"kernel": k}
            if self.flag():
                attrs["stride"] = (self.int_(1, k[0]), self.int_(1, k[1]))
                attrs["padding"] = (self.int_(0, k[0] // 2), self.int_(0, k[1] // 2))
        return self.add(op, [v], attrs=attrs)

    def flatten(self, v):
        rank = len(self.type(v).shape)
        return self.add("flatten", [v], attrs={"start": self.int_(0, rank - 2)})

    def reshape(self, v):
        n = self.type(v).size
        divisors = [d for d in range(1, n + 1) if n % d == 0]
        a = self.pick(divisors)
        shape = (n,) if self.flag() and len(self.type(v).shape) > 1 else (a, n // a)
        return self.add("reshape", [v], attrs={"shape": shape})

    # ------------------------------------------------------------------ neurons
    def spike_attrs(self, integer=False):
        attrs = {"reset": self.pick(["subtract", "zero", "none", "subtract_undecayed"]),
                 "compare": self.pick(["ge", "gt"])}
        if attrs["reset"] == "zero" and self.flag():
            attrs["v_reset"] = self.int_(-2, 2) if integer else float(self.pick([0.0, -0.25, 0.125]))
        return attrs

    def float_neuron(self, op, v):
        shape = self.type(v).shape
        params = {}
        if op == "cuba_lif":
            params["alpha"] = self.uniform(self.bshape(shape), 0.3, 0.95)
        if op in ("lif", "plif", "cuba_lif", "li"):
            params["beta"] = self.uniform(self.bshape(shape), 0.5, 1.0)
        attrs = {} if op == "li" else self.spike_attrs()
        if op != "li":
            params["threshold"] = self.uniform(self.bshape(shape), 0.3, 1.5)
            if attrs["reset"] == "subtract_undecayed":          # its threshold is static over time
                params["threshold"] = params["threshold"][:1]
        return self.add(op, [v], attrs=attrs, params=params)

    def decay(self, shift):
        """A leak (or alpha) as an integer ≤ 2^shift, and its growth factor g (see module docstring)."""
        full = 1 << shift
        leak_max = self.pick([full, max(full - 1, 0), full // 2, 0]) if shift else 0
        g = MAX_T if leak_max == full else min(MAX_T, -(-full // (full - leak_max)))
        return leak_max, g

    def int_neuron(self, op, v):
        t = self.type(v)
        shape = t.shape
        a = {"shift": self.int_(0, 6), "in_shift": self.int_(0, 2)}
        params = {}
        u_in = _mag(t) << a["in_shift"]
        bias_max = 0
        alpha_bound = 0
        if op == "cuba_lif_int":
            alpha_max, g_i = self.decay(a["shift"])
            params["alpha"] = self.rng.integers(0, alpha_max + 1, size=self.bshape(shape)).astype(np.int32)
            u_in = (1 + u_in) * g_i
            alpha_bound = (1 << a["shift"]) * u_in
        leak_max, g = self.decay(a["shift"])
        params["leak"] = self.rng.integers(0, leak_max + 1, size=self.bshape(shape)).astype(np.int32)
        if self.flag():
            bias_max = self.int_(1, 4)
            params["bias"] = self.rng.integers(-bias_max, bias_max + 1, size=self.bshape(shape)).astype(np.int32)
        if op != "li_int":
            a.update(self.spike_attrs(integer=True))
            typical = max(1, int(np.sqrt(_mag(t) + 1))) << a["in_shift"]
            params["threshold"] = self.rng.integers(1, 2 * typical + 1, size=self.bshape(shape)).astype(np.int32)
            if a["reset"] == "subtract_undecayed":              # static threshold, taken off h too
                params["threshold"] = params["threshold"][:1]
                bias_max += 2 * typical
        v_reset = abs(a.get("v_reset", 0))
        bound = (1 + u_in + bias_max + v_reset) * g
        need = max(bound << a["shift"], alpha_bound, bound).bit_length() + 2
        a["state_bits"] = min(64, need + self.int_(0, 4))
        a["frac_bits"] = self.int_(0, min(a["shift"], a["state_bits"] - 1))
        a["saturate"] = self.flag()
        return self.add(op, [v], attrs=a, params=params)

    def threshold(self, v):
        t = self.type(v)
        shape = t.shape
        if t.dtype.is_float:
            th = self.uniform(self.bshape(shape), -0.5, 1.0)
        else:
            lo, hi = t.dtype.range()
            th = self.rng.integers(max(lo, -8), min(hi, 8) + 1, size=self.bshape(shape)).astype(np.int32)
        return self.add("threshold", [v], attrs={"compare": self.pick(["ge", "gt"])}, params={"threshold": th})

    def multispike(self, op, v):
        attrs = {"D": self.int_(1, 7 if op == "multispike_int" else 4)}
        if op == "multispike_int":
            attrs["frac_bits"] = self.int_(0, 3)
        return self.add(op, [v], attrs=attrs)

    # ------------------------------------------------------------------ elementwise, attention
    def elementwise(self, op, v):
        t = self.type(v)
        shape = t.shape
        if t.dtype.is_float:
            params = {"scale": self.uniform(self.bshape(shape), -1.5, 1.5)}
            if op == "affine":
                params["bias"] = self.uniform(self.bshape(shape), -0.5, 0.5)
            return self.add(op, [v], params=params)
        params = {"scale": self.rng.integers(-3, 4, size=self.bshape(shape)).astype(np.int16)}
        if op == "affine":
            params["bias"] = self.rng.integers(-4, 5, size=self.bshape(shape)).astype(np.int32)
        return self.add(op, [v], attrs={"shift": self.int_(0, 2)}, params=params)

    def batchnorm(self, v):
        c = self.type(v).shape[0]
        params = {"mean": self.uniform((c,), -0.5, 0.5), "var": self.uniform((c,), 0.2, 2.0),
                  "weight": self.uniform((c,), 0.5, 1.5), "bias": self.uniform((c,), -0.3, 0.3)}
        return self.add("batchnorm", [v], attrs={"eps": 1e-5}, params=params)

    def spike_matmul(self, v):
        scale = 1.0 if self.integer else float(self.pick([1.0, 0.125, 0.5]))
        kv = self.add("spike_matmul", [v, v], attrs={"transpose_a": True})
        return self.add("spike_matmul", [v, kv], attrs={"scale": scale})

    # ------------------------------------------------------------------ driver
    def apply(self, op, v, same_shape=False):
        if op == "linear":
            return self.linear(v, same_shape)
        if op == "conv2d":
            return self.conv2d(v, same_shape)
        if op in POOLS:
            return self.pool(op, v, same_shape)
        if op == "flatten":
            return self.flatten(v)
        if op == "reshape":
            return self.reshape(v)
        if op in FLOAT_NEURONS:
            return self.float_neuron(op, v)
        if op in INT_NEURONS:
            return self.int_neuron(op, v)
        if op == "threshold":
            return self.threshold(v)
        if op in ("multispike", "multispike_int"):
            return self.multispike(op, v)
        if op in ("scale", "affine"):
            return self.elementwise(op, v)
        if op == "batchnorm":
            return self.batchnorm(v)
        if op == "spike_matmul":
            return self.spike_matmul(v)
        raise ValueError(f"strategies cannot generate op {op!r}")

    def choices(self, v, same_shape=False):
        t = self.type(v)
        return [op for op in self.ops if op != "add" and applicable(op, t, self.o.family, same_shape)]

    def block(self, v):
        """A residual / diamond / three-operand add around value v (all branches keep v's shape)."""
        branches = []
        for _ in range(self.int_(1, 2)):
            ops = self.choices(v, same_shape=True)
            if not ops:
                break
            b = self.apply(self.pick(ops), v, same_shape=True)
            if self.type(b).shape != self.type(v).shape:      # pragma: no cover - generator bug guard
                raise AssertionError(f"{self.g[b].op} changed the shape inside a residual branch")
            branches.append(b)
        if not branches:
            return None
        operands = [v] + branches if len(branches) == 1 or self.flag() else branches
        if self.integer and any(self.type(o).dtype.kind == "fixed" or _bits(self.type(o)) > 24 for o in operands):
            return branches[-1]
        return self.add("add", operands)

    def input(self):
        kinds = self.o.input_dtypes or (("spike", "uint") if self.integer else ("spike", "f32", "uint"))
        ranks = [1, 2] + ([3] if any(op in self.ops for op in ("conv2d",) + POOLS) else [])
        options = []
        for kind in kinds:
            for rank in ranks:
                probe = TensorType((3,) * rank, parse_dtype("uint<4>" if kind == "uint" else kind))
                if self.choices_for(probe) or self.o.min_nodes == 0:
                    options.append((kind, rank))
        if not options:
            raise ValueError(f"no allowed op accepts any input kind of {kinds}; widen ops= or input_dtypes=")
        kind, rank = self.pick(options)
        if rank == 1:
            shape = (self.int_(1, self.o.max_features),)
        elif rank == 2:
            shape = (self.int_(1, 4), self.int_(1, self.o.max_features))
        else:
            shape = (self.int_(1, self.o.max_channels), self.int_(1, 7), self.int_(1, 7))
        attrs = {"shape": shape, "dtype": kind}
        if kind == "uint":
            bits = self.int_(1, 8)
            attrs["dtype"] = f"uint<{bits}>"
            attrs["scale"] = float(self.pick([1.0, 2.0 ** -bits, 0.0625, 0.1]))
        self.count += 1
        return self.g.add("input", attrs=attrs, name="x" if not self.dotted else "in.x").name

    def choices_for(self, t):
        return [op for op in self.ops if op != "add" and applicable(op, t, self.o.family)]

    def build(self) -> Graph:
        fam_ops = INTEGER_OPS if self.integer else FLOAT_OPS
        allowed = self.o.allowed
        self.ops = list(fam_ops) if allowed is None else \
            [op for op in fam_ops + EXTRA_OPS[self.o.family] if op in allowed]
        v = self.input()
        target = self.int_(self.o.min_nodes, max(self.o.min_nodes, self.o.max_nodes))
        side = []
        while len(self.g) - 1 < target:
            ops = self.choices(v)
            use_block = self.o.dag and "add" in self.ops and applicable("add", self.type(v), self.o.family) \
                and self.choices(v, same_shape=True) and self.pick([False, False, True])
            if not ops and not use_block:
                break
            if use_block:
                nv = self.block(v)
                if nv is None:
                    break
            else:
                weights = WEIGHTS_RANK3 if len(self.type(v).shape) == 3 else WEIGHTS
                nv = self.apply(self.pick([op for op in ops for _ in range(weights.get(op, 1))]), v)
            if len(side) + 1 < self.o.max_outputs and self.g[v].op != "input" and self.flag():
                side.append(v)
            v = nv
            if self.g[v].op == "li_int":
                break
        for s in side:
            self.g.add("output", [s], name=f"{s}_out")
        attrs = {}
        if self.integer and self.flag():
            attrs["scale"] = float(self.pick([0.5, 0.0625, 3.0]))
        self.g.add("output", [v], attrs=attrs, name="y" if not self.dotted else "out.y")
        assume(len(self.g) - 1 - len(side) - 1 >= self.o.min_nodes)
        verify(self.g)
        return self.g


@st.composite
def graphs(draw, float_ops: bool = True, integer: bool = False, *, max_nodes: int = 8, min_nodes: int = 1,
           time_varying: bool = True, dag: bool = True, ops=None, max_features: int = 12,
           max_channels: int = 4, max_outputs: int = 1, input_dtypes=None) -> Graph:
    """A random verify()-clean graph (see the module docstring for exactly what is drawn).

    float_ops / integer: which families may be drawn (each graph is of one family).
    max_nodes / min_nodes: bounds on the number of op nodes drawn (not counting input and
    outputs; a block or an attention pair may overshoot by a few). ops: an iterable of op
    names to restrict to (may add the opt-in ops). input_dtypes: e.g. ("spike",) or
    ("uint",) or ("f32",) to restrict the input's element kind.
    """
    families = [f for f, on in (("float", float_ops), ("integer", integer)) if on]
    if not families:
        raise ValueError("graphs(): enable float_ops and/or integer")
    family = draw(st.sampled_from(families))
    opts = Options(family, frozenset(ops) if ops is not None else None, max_nodes, min_nodes, time_varying,
                   dag, max_features, max_channels, max_outputs, tuple(input_dtypes or ()))
    return _Builder(draw, opts).build()


def float_graphs(**kw):
    """`graphs` restricted to the float family."""
    return graphs(float_ops=True, integer=False, **kw)


def integer_graphs(**kw):
    """`graphs` restricted to the integer family."""
    return graphs(float_ops=False, integer=True, **kw)


# ---------------------------------------------------------------------- inputs
def _storage(dtype) -> np.dtype:
    if dtype.kind == "f32":
        return np.dtype(np.float32)
    signed = dtype.kind in ("int", "fixed")
    for bits in (8, 16, 32, 64):
        if dtype.width <= bits:
            return np.dtype(f"{'int' if signed else 'uint'}{bits}")
    raise ValueError(f"no NumPy type holds {dtype}")


def _one_input(node, T: int, B: int, rng: np.random.Generator, pattern: str, density: float) -> np.ndarray:
    dtype = parse_dtype(node.attrs["dtype"])
    shape = (T, B) + tuple(node.attrs["shape"])
    store = _storage(dtype)
    if dtype.is_float:
        if pattern == "zero":
            return np.zeros(shape, store)
        if pattern == "max":
            return np.full(shape, 1.0, store)
        return rng.standard_normal(shape).astype(store)
    lo, hi = dtype.range()
    if pattern == "zero":
        return np.zeros(shape, store) if lo <= 0 else np.full(shape, lo, store)
    if pattern == "max":
        return np.full(shape, hi, store)
    values = rng.integers(lo, hi, size=shape, endpoint=True)
    keep = rng.random(shape) < density
    return np.where(keep, values, max(lo, 0) if lo <= 0 <= hi else lo).astype(store)


def random_inputs(graph: Graph, T: int, B: int, rng: np.random.Generator, pattern: str = "random",
                  density: float = 0.5):
    """Input array(s) ``[T, B, *shape]`` for `graph` from a NumPy Generator.

    pattern: "random" (entries non-zero with probability `density`), "zero" or "max".
    Returns one array, or a dict name → array when the graph has several inputs.
    """
    arrays = {n.name: _one_input(n, T, B, rng, pattern, density) for n in graph.inputs}
    return next(iter(arrays.values())) if len(arrays) == 1 else arrays


@st.composite
def inputs(draw, graph: Graph, T: int, B: int):
    """A strategy for input array(s) ``[T, B, *shape]`` matching `graph`'s input(s)."""
    pattern = draw(st.sampled_from(["random", "random", "zero", "max"]))
    density = draw(st.sampled_from([0.5, 0.1, 0.9]))
    seed = draw(st.integers(0, 2**32 - 1))
    return random_inputs(graph, T, B, np.random.default_rng(seed), pattern, density)


@st.composite
def graphs_and_inputs(draw, max_T: int = 6, max_B: int = 3, **graph_kw):
    """``(graph, x)`` with T in 1..max_T and B in 1..max_B (x as `inputs` returns it)."""
    g = draw(graphs(**graph_kw))
    T = draw(st.integers(1, min(max_T, MAX_T)))
    B = draw(st.integers(1, max_B))
    return g, draw(inputs(g, T, B))
