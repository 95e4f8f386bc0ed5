"""Per-op rules: each float node becomes integer node(s) and a scaled value (see value.py).

With x = r·σ + β for the operand(s):

* integer nodes on exact operands (spikes, integer sums …) are copied as they are;
* input: integer inputs are exact (σ = 1); an f32 input becomes int<input_bits> with
  step = input_range / (2^(bits-1) − 1) (σ = step, error ≤ step/2 inside the range);
* linear / conv2d: σ made constant over the summed axes, the weight written as
  levels L times a per-row factor c (weights.py); the integer layer computes W_L·r and
  σ_y = scale ⊙ c ⊙ σ_x, β_y = scale ⊙ (W·β_x) + bias (float64); negative / zero
  entries of σ_y that depend only on (t, out) are folded into the levels (row sign
  flipped, or zeroed with σ = 1);
* scale / affine / batchnorm (float): absorbed, σ' = σ·a, β' = β·a + b, no integer node;
* avgpool2d → sumpool2d with σ/(kh·kw); sumpool2d / maxpool2d keep σ (constant over H, W);
  β through the pool in float64;
* flatten / reshape: σ and β re-laid out;
* add: every operand brought to σ_c = min_i |σ_i| (elementwise; divided by 2^frac_bits when some
  ratio σ_i/σ_c is not an integer, so that the rounding stays far below every operand's unit),
  β = Σ β_i;
* spike_matmul: operands at one σ per timestep and β = 0; σ_y = scale·σ_a·σ_b, scale attr 1;
* mul: operands at one σ per timestep and β = 0; σ_y = σ_a·σ_b (spike ⊙ spike is copied);
* reduce_sum: σ constant over the summed axis and β = 0; σ_y = σ without that axis;
* threshold: r ≥ ceil((θ − β)/σ)  (gt: r > floor((θ − β)/σ)) — exact;
* multispike: r brought to fixed point 2^-f (f = frac_bits; or σ itself when it is a
  scalar 2^-k and β = 0), then multispike_int{frac_bits=f};
* neurons: neurons.py;
* output: σ made one static scalar, β folded in; the output's `scale` attribute is σ.
"""
from __future__ import annotations

import numpy as np

from snnc.errors import ConfigError, UnsupportedError
from snnc.ir import DType, TensorType, parse_dtype
from snnc.ir.ops.base import integer_result
from snnc.ir.types import param_dtype

from . import tb, weights
from .neurons import INT_OP, lower_neuron
from .value import Builder, Val, int_param


def _exact(shape) -> Val:
    return Val("", tb.const(1.0, len(shape)), None, 0.0, tuple(shape))


def _at(v: Val, node: str) -> Val:
    return Val(node, v.sigma, v.beta, v.err, v.shape)


def copy_node(b: Builder, node, ins: list[Val]) -> Val:
    params = {role: b.keep_param(key, b.src.params[key]) for role, key in node.params.items()}
    out = b.emit(node.op, [v.node for v in ins], attrs=dict(node.attrs), params=params, name=node.name)
    return _at(_exact(node.type.shape), out.name)


def is_copyable(b: Builder, node) -> bool:
    """An integer node of the float graph: integer result, integer operands, integer parameters."""
    if node.type.dtype.is_float or node.op in ("input", "output"):
        return False
    if any(b.src[o].type.dtype.is_float for o in node.operands):
        return False
    return not any(param_dtype(b.src.params[k]).is_float for k in node.params.values())


# ------------------------------------------------------------------ boundary
def lower_input(b: Builder, node, ins) -> Val:
    dtype = parse_dtype(node.attrs["dtype"])
    shape = tuple(node.attrs["shape"])
    if not dtype.is_float:
        out = b.emit("input", [], attrs=dict(node.attrs), name=node.name)
        return _at(_exact(shape), out.name)
    rng = b.opt.input_range or float(b.src.attrs.get("input_range", 0.0) or 0.0)
    if not rng > 0:
        raise ConfigError(f"the input %{node.name} is f32 (real values) and needs a range to become an integer "
                          "input: give --input-range R (input_range=R; inputs are clipped to [-R, R]), or say "
                          "what the input is: --input-type spike (input_type='spike') or --input-type 'uint<8>' "
                          "--input-scale S (input_type='uint<8>', input_scale=S)")
    bits = b.opt.input_bits
    step = rng / ((1 << (bits - 1)) - 1)
    out = b.emit("input", [], attrs={"shape": shape, "dtype": f"int<{bits}>", "scale": step}, name=node.name,
                 meta={"approx": [f"f32 input quantized to int<{bits}> with step {step:.4g} "
                                  f"over [-{rng}, {rng}]"]})
    return Val(out.name, tb.const(step, len(shape)), None, step / 2, shape)


def lower_output(b: Builder, node, ins) -> Val:
    (x,) = ins
    rank = len(x.shape)
    x = b.conform(x, f"{node.name}.scale", uniform=tuple(range(rank)), static=True, fold_beta=True,
                  refine=b.opt.frac_bits, why="one static output scale")
    sigma = float(x.sigma.reshape(-1)[0])
    out = b.emit("output", [x.node], attrs={"scale": node.attrs["scale"] * sigma}, name=node.name,
                 meta={"error_bound": x.err})
    return _at(x, out.name)


# ------------------------------------------------------------------ synapses
def _fold_signs(sig: np.ndarray, L: np.ndarray, T: int, lead_axes: tuple[int, ...]):
    """Fold the signs of σ into the level rows when they depend only on (t, out)."""
    if np.all(sig > 0) or not tb.uniform_over(sig, lead_axes):
        return sig, L, False
    sign = np.sign(tb.reduce_min(np.sign(sig), lead_axes))       # uniform over lead axes: exact
    P = tb.common_period(T, sign, L)
    sign = tb.expand_time(sign, P)
    L = tb.expand_time(L, P)
    L = L * sign.reshape((P, -1) + (1,) * (L.ndim - 2))      # sign is [P, 1.., out] or [P, O, 1, 1]
    sig = np.where(sig == 0, 1.0, np.abs(sig))
    return sig, L, True


def _row_sums(w: np.ndarray, static_rank: int) -> tuple[np.ndarray, np.ndarray]:
    """(Σ_{w>0} w, Σ_{w<0} w) per weight row [T_w·out], int64, without wide temporaries."""
    r, _ = weights.rows(w, static_rank)
    return np.clip(r, 0, None).sum(axis=1, dtype=np.int64), np.clip(r, None, 0).sum(axis=1, dtype=np.int64)


def _accumulator_type(pos: np.ndarray, neg: np.ndarray, x: DType) -> DType:
    """The integer layer's result type, as `matmul_range` gives it: per row, Σ w·x is largest at
    hi·Σ_{w>0} w + lo·Σ_{w<0} w and smallest at lo·Σ_{w>0} w + hi·Σ_{w<0} w."""
    lo, hi = x.range()
    if not pos.size:
        return integer_result(0, 0, [x])
    if max(abs(lo), abs(hi)) * int(max(pos.max(), -neg.min())) >= 1 << 61:   # exact Python integers
        pos, neg = pos.astype(object), neg.astype(object)
    return integer_result(int((lo * pos + hi * neg).min()), int((hi * pos + lo * neg).max()), [x])


def lower_synapse(b: Builder, node, ins) -> Val:
    (x,) = ins
    conv = node.op == "conv2d"
    rank_x = len(x.shape)
    axes = (0, 1, 2) if conv else (rank_x - 1,)
    x = b.conform(x, f"{node.name}.in", uniform=axes, why="a positive σ constant over the summed axes")
    w = b.src.param(node, "weight")
    static_rank = 4 if conv else 2
    L, c, info = weights.levels(w, static_rank, b.opt.weight_bits)
    pos, neg = _row_sums(L, static_rank)
    k = b.excess_bits(b.raw_maxabs(x) * int((pos - neg).max(initial=0)))
    if k:
        x = b.coarser(x, k, f"{node.name}.in", why="an accumulator within max_value_bits")
    out_shape = tuple(node.type.shape)
    rank_y = len(out_shape)
    T_w, n_out = c.shape
    c_tb = c.reshape((T_w, n_out, 1, 1)) if conv else c.reshape((T_w,) + (1,) * (rank_y - 1) + (n_out,))
    s = b.src.param(node, "scale")
    s_tb = tb.const(1.0, rank_y) if s is None else tb.from_param(s)
    sig = tb.mul(b.T, tb.mul(b.T, s_tb, c_tb), x.sigma)
    lead = (1, 2) if conv else tuple(range(rank_y - 1))
    sig, L_used, flipped = _fold_signs(sig, L, b.T, lead)
    # the offset: scale ⊙ (W · β_x) + bias, in float64 with the float graph's own weights
    beta = None
    if x.beta is not None:
        bank = (w if w.ndim == static_rank + 1 else w[None]).astype(np.float64)
        full = tb.full(tb.expand_time(x.beta, tb.common_period(b.T, x.beta, bank)), x.shape)
        if conv:
            at = node.attrs
            y = weights.conv2d_f64(full, bank, at["stride"], at["padding"], at["dilation"], at["groups"])
        else:
            y = weights.linear_f64(full, bank)
        beta = tb.mul(b.T, s_tb, y)
    bias = b.src.param(node, "bias")
    if bias is not None:
        beta = tb.add(b.T, beta, tb.from_param(bias))
    # error bound: propagated input error and lossy weights
    err = 0.0
    lossy = "weight_max_abs_error" in info
    if x.err > 0 or lossy:
        smax = tb.maxabs(s_tb)
        err = smax * x.err * float(weights.real_rows_abs_sum(L, c).max(initial=0.0))
        if lossy:
            err += smax * float(weights.dequant_error_rows(w, L, c).max(initial=0.0)) * b.real_maxabs(x)
    unchanged = w.dtype.kind in "iu" and not flipped
    if unchanged:
        wkey = b.keep_param(node.params["weight"], w)
    else:
        levels = L_used[0] if (w.ndim == static_rank and L_used.shape[0] == 1) else L_used
        wkey = int_param(levels)
    approx = [info["weights"]] if lossy else []
    meta = {"weights": info["weights"], "approx": approx, "sign_folded": flipped, "error_bound": err}
    if flipped:
        pos, neg = _row_sums(L_used, static_rank)
    typ = TensorType(out_shape, _accumulator_type(pos, neg, b.g[x.node].type.dtype))
    out = b.emit(node.op, [x.node], attrs=dict(node.attrs), params={"weight": wkey}, name=node.name, meta=meta,
                 type=typ)
    return Val(out.name, tb.simplify(sig), tb.simplify(beta), err, out_shape)


def lower_matmul(b: Builder, node, ins) -> Val:
    a, c = (b.conform(v, f"{node.name}.{i}", uniform=tuple(range(len(v.shape))), fold_beta=True,
                      why="one σ per timestep and no offset") for i, v in enumerate(ins))
    ta = b.src.operand_types(node)[0]
    k_dim = ta.shape[-2] if node.attrs["transpose_a"] else ta.shape[-1]
    k = b.excess_bits(k_dim * b.raw_maxabs(a) * b.raw_maxabs(c))
    if k:
        a = b.coarser(a, (k + 1) // 2, f"{node.name}.0c", why="a product within max_value_bits")
        c = b.coarser(c, k // 2, f"{node.name}.1c", why="a product within max_value_bits")
    attrs = dict(node.attrs, scale=1.0)
    out = b.emit("spike_matmul", [a.node, c.node], attrs=attrs, name=node.name)
    shape = tuple(node.type.shape)
    sa, sc = (v.sigma.reshape(v.sigma.shape[0], -1)[:, :1] for v in (a, c))
    sig = tb.mul(b.T, sa, sc).reshape((-1,) + (1,) * len(shape)) * node.attrs["scale"]
    err = 0.0
    if a.err or c.err:
        err = k_dim * abs(node.attrs["scale"]) * (a.err * b.real_maxabs(c) + c.err * b.real_maxabs(a)
                                                  + a.err * c.err)
    return Val(out.name, tb.simplify(sig), None, err, shape)


def lower_mul(b: Builder, node, ins) -> Val:
    a, c = (b.conform(v, f"{node.name}.{i}", uniform=tuple(range(len(v.shape))), fold_beta=True,
                      why="one σ per timestep and no offset") for i, v in enumerate(ins))
    k = b.excess_bits(b.raw_maxabs(a) * b.raw_maxabs(c))
    if k:
        a = b.coarser(a, (k + 1) // 2, f"{node.name}.0c", why="a product within max_value_bits")
        c = b.coarser(c, k // 2, f"{node.name}.1c", why="a product within max_value_bits")
    out = b.emit("mul", [a.node, c.node], name=node.name)
    shape = tuple(node.type.shape)
    sa, sc = (v.sigma.reshape(v.sigma.shape[0], -1)[:, :1] for v in (a, c))
    sig = tb.mul(b.T, sa, sc).reshape((-1,) + (1,) * len(shape))
    err = a.err * b.real_maxabs(c) + c.err * b.real_maxabs(a) + a.err * c.err if (a.err or c.err) else 0.0
    return Val(out.name, tb.simplify(sig), None, err, shape)


def lower_reduce_sum(b: Builder, node, ins) -> Val:
    (x,) = ins
    ax = node.attrs["axis"] % len(x.shape)
    x = b.conform(x, f"{node.name}.in", uniform=(ax,), fold_beta=True,
                  why="σ constant over the summed axis and no offset")
    n = x.shape[ax]
    k = b.excess_bits(n * b.raw_maxabs(x))
    if k:
        x = b.coarser(x, k, f"{node.name}.in", why="a sum within max_value_bits")
    out = b.emit("reduce_sum", [x.node], attrs=dict(node.attrs), name=node.name)
    sig = np.asarray(x.sigma).take([0], axis=ax + 1)     # constant over the axis after conform
    if not node.attrs["keepdim"]:
        sig = sig.squeeze(axis=ax + 1)
    return Val(out.name, tb.simplify(sig), None, n * x.err, tuple(node.type.shape))


# ------------------------------------------------------------------ elementwise
def lower_absorbed(b: Builder, node, ins) -> Val:
    """Float scale / affine / batchnorm: folded into σ and β, no integer node."""
    (x,) = ins
    rank = len(x.shape)
    if node.op == "batchnorm":
        p = {r: b.src.param(node, r).astype(np.float64) for r in ("mean", "var", "weight", "bias")}
        gain = p["weight"] / np.sqrt(p["var"] + node.attrs["eps"])
        axis = node.attrs["axis"] % rank
        shape = (1,) + tuple(-1 if d == axis else 1 for d in range(rank))
        a, off = gain.reshape(shape), (p["bias"] - p["mean"] * gain).reshape(shape)
    else:
        a = tb.from_param(b.src.param(node, "scale"))
        off = tb.from_param(b.src.param(node, "bias")) if node.op == "affine" else None
    sigma = tb.mul(b.T, x.sigma, a)
    beta = None if x.beta is None else tb.mul(b.T, x.beta, a)
    beta = tb.add(b.T, beta, off)
    return Val(x.node, tb.simplify(sigma), tb.simplify(beta), x.err * tb.maxabs(a), x.shape)


def lower_add(b: Builder, node, ins) -> Val:
    mags = [np.where(v.sigma == 0, np.inf, np.abs(v.sigma)) for v in ins]
    mags = tb.align(b.T, *mags)
    target = mags[0]
    for m in mags[1:]:
        target = np.minimum(target, m)
    target = np.where(np.isinf(target), 1.0, target)
    ratios = [np.where(np.isinf(m), 0.0, m / target) for m in mags]
    exact = all(np.all(r == np.rint(r)) for r in ratios)
    target = tb.simplify(target)
    if not exact:                       # a non-integer gain rounds: work below the finest unit
        target = target / 2.0 ** b.opt.frac_bits
    k = b.excess_bits(sum(b.rescaled_bound(v, target) for v in ins))
    if k:
        target = target * 2.0 ** k
    vals = [b.conform_to(v, target, f"{node.name}.{i}", why="the common σ of an add")
            for i, v in enumerate(ins)]
    vals = b.common_fixed(vals, f"{node.name}")
    out = b.emit("add", [v.node for v in vals], name=node.name)
    beta = None
    for v in vals:
        beta = tb.add(b.T, beta, v.beta)
    return Val(out.name, target, tb.simplify(beta), sum(v.err for v in vals), tuple(node.type.shape))


def lower_shape(b: Builder, node, ins) -> Val:
    (x,) = ins
    out = b.emit(node.op, [x.node], attrs=dict(node.attrs), name=node.name)
    new = tuple(node.type.shape)
    return Val(out.name, tb.reshape(x.sigma, x.shape, new), tb.reshape(x.beta, x.shape, new), x.err, new)


def lower_pool(b: Builder, node, ins) -> Val:
    (x,) = ins
    hw_beta = x.beta is not None and not tb.uniform_over(x.beta, (1, 2))
    if node.op == "maxpool2d":
        x = b.conform(x, f"{node.name}.in", uniform=(1, 2), fold_beta=hw_beta,
                      refine=b.opt.frac_bits if hw_beta else 0,
                      why="a positive σ and β constant over H, W (max commutes with them)")
    else:
        x = b.conform(x, f"{node.name}.in", uniform=(1, 2), why="σ constant over H, W")
    a = node.attrs
    op = "maxpool2d" if node.op == "maxpool2d" else "sumpool2d"
    if op == "sumpool2d":
        k = b.excess_bits(b.raw_maxabs(x) * a["kernel"][0] * a["kernel"][1])
        if k:
            x = b.coarser(x, k, f"{node.name}.in", why="a window sum within max_value_bits")
    out = b.emit(op, [x.node], attrs=dict(a), name=node.name)
    shape = tuple(node.type.shape)
    k = a["kernel"][0] * a["kernel"][1]
    div = k if node.op == "avgpool2d" else 1
    sigma = tb.simplify(x.sigma) / div
    beta = x.beta
    if beta is not None and op == "sumpool2d":
        beta = weights.sumpool_f64(tb.full(beta, x.shape), a["kernel"], a["stride"], a["padding"]) / div
    elif beta is not None:
        beta = tb.simplify(beta)
    err = x.err * (k if node.op == "sumpool2d" else 1)
    return Val(out.name, sigma, tb.simplify(beta), err, shape)


# ------------------------------------------------------------------ spikes
def lower_threshold(b: Builder, node, ins) -> Val:
    (x,) = ins
    x = b.conform(x, f"{node.name}.in", why="a positive σ")
    th = tb.from_param(b.src.param(node, "threshold"))
    zero = tb.const(0.0, len(x.shape))
    th, sig, beta = tb.align(b.T, th, x.sigma, x.beta if x.beta is not None else zero)
    q = (th - beta) / sig
    ti = np.ceil(q) if node.attrs["compare"] == "ge" else np.floor(q)
    lo, hi = b.g[x.node].type.dtype.range()
    ti = np.clip(ti, lo - 1, hi + 1)
    out = b.emit("threshold", [x.node], attrs=dict(node.attrs), params={"threshold": int_param(tb.simplify(ti))},
                 name=node.name, meta={"tie_margin": x.err, "approx": []})
    return _at(_exact(node.type.shape), out.name)


def lower_multispike(b: Builder, node, ins) -> Val:
    (x,) = ins
    s0 = float(x.sigma.reshape(-1)[0])
    k = -np.log2(s0) if s0 > 0 else -1.0
    if x.beta is None and tb.is_scalar(x.sigma) and k >= 0 and k == int(k):
        f = int(k)
    else:
        f = b.opt.frac_bits
        f = max(0, f - b.excess_bits(b.rescaled_bound(x, tb.const(2.0 ** -f, len(x.shape)), fold_beta=True)))
        x = b.rescale(x, tb.const(2.0 ** -f, len(x.shape)), f"{node.name}.in", fold_beta=True,
                      why=f"fixed point with {f} fraction bits", cap=False)
    out = b.emit("multispike_int", [x.node], attrs={"D": node.attrs["D"], "frac_bits": f}, name=node.name,
                 meta={"tie_margin": x.err, "approx": []})
    return _at(_exact(node.type.shape), out.name)


RULES = {"input": lower_input, "output": lower_output, "linear": lower_synapse, "conv2d": lower_synapse,
         "spike_matmul": lower_matmul, "mul": lower_mul, "reduce_sum": lower_reduce_sum, "scale": lower_absorbed, "affine": lower_absorbed,
         "batchnorm": lower_absorbed, "add": lower_add, "flatten": lower_shape, "reshape": lower_shape,
         "sumpool2d": lower_pool, "avgpool2d": lower_pool, "maxpool2d": lower_pool,
         "threshold": lower_threshold, "multispike": lower_multispike,
         **{op: (lambda b, node, ins: lower_neuron(b, node, ins[0])) for op in INT_OP}}


def lower_node(b: Builder, node, ins: list[Val]) -> Val:
    if is_copyable(b, node) and all(v.exact for v in ins):
        return copy_node(b, node, ins)
    rule = RULES.get(node.op)
    if rule is None:
        raise UnsupportedError(f"integerize: node %{node.name} ({node.op}) has inputs that are not exact "
                               f"integers and no integer lowering; integerize handles {', '.join(sorted(RULES))}")
    return rule(b, node, ins)
