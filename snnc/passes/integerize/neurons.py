"""Float neurons (lif, if, plif, cuba_lif, li) → integer neurons (lif_int, cuba_lif_int, li_int).

The input arrives as raw integers r with real I = r·σ + β (σ > 0, per timestep /
channel). The integer state counts units of u[t] = σ[t] / 2^f (f = frac_bits),
so the input enters as r << f and, with v_int[t] = v[t] / u[t]:

    leak[t]      = round(β_n[t] · σ[t-1]/σ[t] · 2^shift)   (α likewise for the current)
    threshold[t] = round(θ[t] · 2^f / σ[t])
    bias[t]      = round(β[t] · 2^f / σ[t])                 (lif, li: the input offset)
    bias[t]      = round(c[t] · 2^f / σ[t]),  c[t] = α[t]·c[t-1] + β[t]   (cuba: the offset's
                   own current, added to the membrane; exact for t < T)
    v_reset      = round(v_reset · 2^f / σ)                 (σ made static and scalar first)

shift = leak_bits, then reduced while every leak and alpha is even (β_n = 1 →
leak 1, shift 0: no multiply). Widths: `ranges.analyse` over T timesteps; if
the state needs more than max_state_bits, f is lowered (down to 0, recorded)
when `adapt_frac`, else — or if even f = 0 does not fit — the neuron is refused
(`StateOverflowError`), unless `saturate`, which sets state_bits = max_state_bits.

Error bound (real units, while the spikes of the input agree), per timestep:
e_h[t] = |β_n|·e_v[t-1] + e_in + [shift > 0]·u + |Δleak|·|v_int|·u + ½u (bias),
e_v = e_h + ½u (the rounded threshold or v_reset at a reset; subtract_undecayed adds its ½u to
e_h, where the rounded threshold is taken off); a spike can differ
from the float one only where |h − θ| ≤ tie margin = e_h + ½u.
"""
from __future__ import annotations

import numpy as np

from snnc.errors import UnsupportedError
from snnc.ir.ops.neuron_ranges import analyse

from . import tb
from .value import Builder, Val, int_param

INT_OP = {"lif": "lif_int", "if": "lif_int", "plif": "lif_int", "cuba_lif": "cuba_lif_int", "li": "li_int"}


class StateOverflowError(UnsupportedError):
    """A neuron's state provably needs more than max_state_bits (`node`, `bits` needed)."""

    def __init__(self, message: str, node: str, bits: int):
        self.node, self.bits = node, bits
        super().__init__(f"node %{node}: {message}")


def _leaks(b: Builder, decays: list, shift_max: int):
    """Integer decays at a common shift: round(d · 2^shift_max), then the shared factors of 2 removed."""
    ints = [None if d is None else np.rint(d * 2.0 ** shift_max) for d in decays]
    s = shift_max
    while s > 0 and all(i is None or np.all(i % 2 == 0) for i in ints):
        ints = [None if i is None else i / 2 for i in ints]
        s -= 1
    return ints, s


class _Plan:
    """The integer parameters of one neuron at a given number of fraction bits f."""

    def __init__(self, b: Builder, node, x: Val, f: int):
        T, op, a = b.T, node.op, node.attrs
        src = b.src
        rank = len(node.type.shape)
        get = (lambda role: tb.from_param(src.param(node, role)) if role in node.params else None)
        beta_n = tb.const(1.0, rank) if op == "if" else get("beta")
        alpha = get("alpha")
        theta = get("threshold")
        P = tb.common_period(T, x.sigma, beta_n, alpha, theta, x.beta)
        s = tb.expand_time(x.sigma, P)
        ratio = tb.previous(s) / s
        self.f, self.cuba, self.spiking = f, alpha is not None, theta is not None
        self.undecayed = self.spiking and a.get("reset") == "subtract_undecayed"
        leak_f = tb.expand_time(beta_n, P) * ratio
        alpha_f = None if alpha is None else tb.expand_time(alpha, P) * ratio
        (leak, alpha_i), self.shift = _leaks(b, [leak_f, alpha_f], b.opt.leak_bits)
        self.leak, self.alpha = tb.simplify(leak), tb.simplify(alpha_i)
        self.leak_err = np.abs(leak / 2.0 ** self.shift - leak_f)
        self.alpha_err = None if alpha_i is None else np.abs(alpha_i / 2.0 ** self.shift - alpha_f)
        unit = s / 2.0 ** f                                     # real value of one state unit
        self.unit, self.beta_n, self.alpha_f = unit, beta_n, alpha
        self.threshold = self.theta_err = None
        if theta is not None:
            th = tb.expand_time(theta, P) / unit
            self.threshold = tb.simplify(np.rint(th))
            self.theta_err = float(np.max(np.abs(np.rint(th) - th) / np.maximum(np.abs(th), 1e-30)))
        self.bias = None
        if x.beta is not None:
            if alpha is None:
                bias = tb.expand_time(x.beta, P) / unit
            else:                                                # the offset's own current, t < T
                c = np.zeros((T,) + np.broadcast_shapes(alpha.shape[1:], x.beta.shape[1:]))
                for t in range(T):
                    c[t] = (tb.expand_time(alpha, T)[t] * c[t - 1] if t else 0) + tb.expand_time(x.beta, T)[t]
                bias = c / tb.expand_time(unit, T)
            bias = np.rint(bias)
            self.bias = tb.simplify(bias) if np.any(bias) else None
        self.v_reset = 0
        if a.get("reset") == "zero" and a.get("v_reset", 0.0) != 0.0:
            self.v_reset = int(np.rint(a["v_reset"] / float(unit.reshape(-1)[0])))
        self.range = analyse(T, b.g[x.node].type.dtype.range(), f, self.shift, self.leak, self.threshold,
                             self.bias, self.alpha, a.get("reset", "none"), a.get("compare", "ge"), self.v_reset)

    def params_fit(self, bits: int) -> bool:
        lim = 1 << (bits - 1)
        arrays = [p for p in (self.leak, self.alpha, self.threshold, self.bias) if p is not None]
        return all(-lim <= int(p.min()) and int(p.max()) < lim for p in arrays) and -lim <= self.v_reset < lim

    def errors(self, T: int, e_in: float) -> tuple[list[float], list[float]]:
        """(tie margin per t, state error e_v per t) in real units (see the module docstring)."""
        r = self.range
        unit = tb.expand_time(self.unit, T)
        beta_n = tb.expand_time(np.abs(self.beta_n), T)
        alpha = None if self.alpha_f is None else tb.expand_time(np.abs(self.alpha_f), T)
        le = tb.expand_time(self.leak_err, T)
        ae = None if self.alpha_err is None else tb.expand_time(self.alpha_err, T)
        floor = 1.0 if self.shift > 0 else 0.0
        margins, ev = [], []
        e_v = e_i = 0.0
        for t in range(T):
            u = float(unit[t].max())
            leak_term = float((le[t] * unit[t]).max()) * (r.v_abs[t - 1] if t else 0)
            if alpha is not None:
                alpha_term = float((ae[t] * unit[t]).max()) * (r.i_abs[t - 1] if t else 0)
                e_i = float(alpha[t].max()) * e_i + e_in + floor * u + alpha_term
                cur = e_i
            else:
                cur = e_in
            bias_term = 0.5 * u if self.bias is not None else 0.0
            bias_term += 0.5 * u if self.undecayed else 0.0       # the rounded threshold taken off h
            e_h = float(beta_n[t].max()) * e_v + cur + floor * u + leak_term + bias_term
            margins.append(e_h + 0.5 * u)
            e_v = e_h + (0.5 * u if self.spiking else 0.0)
            ev.append(e_v)
        return margins, ev


def lower_neuron(b: Builder, node, x: Val) -> Val:
    """Emit the integer neuron for a float neuron node; returns its value."""
    opt, a = b.opt, node.attrs
    scalar = a.get("reset") == "zero" and a.get("v_reset", 0.0) != 0.0
    static = scalar or a.get("reset") == "subtract_undecayed"     # the integer threshold must not vary in t
    rank = len(node.type.shape)
    x = b.conform(x, f"{node.name}.in", uniform=tuple(range(rank)) if scalar else (), static=static,
                  why="a positive σ" + (" that is one scalar (v_reset ≠ 0)" if scalar else
                                        " static over time (subtract_undecayed)" if static else ""))
    plans = []
    for f in range(opt.frac_bits, -1, -1) if opt.adapt_frac else [opt.frac_bits]:
        plan = _Plan(b, node, x, f)
        plans.append(plan)
        if plan.range.bits <= opt.max_state_bits and plan.params_fit(opt.max_state_bits):
            break
    plan = plans[-1]
    need = max(plan.range.bits, 2)
    saturate = False
    if need > opt.max_state_bits or not plan.params_fit(opt.max_state_bits):
        first = plans[0]
        if not opt.saturate:
            raise StateOverflowError(
                f"the {node.op} state needs {need} bits over {b.T} timesteps at frac_bits={plan.f} "
                f"({first.range.bits} at frac_bits={first.f}), more than max_state_bits={opt.max_state_bits}; "
                f"raise integerize{{max_state_bits=…}} (up to 64), or set integerize{{saturate=true}} to clamp "
                f"the state to {opt.max_state_bits} bits", node.name, need)
        fitting = [p for p in plans if p.params_fit(opt.max_state_bits)]
        if not fitting:
            raise StateOverflowError(
                f"the {node.op} threshold/bias/leak need more than max_state_bits={opt.max_state_bits} "
                f"bits even at frac_bits=0; raise integerize{{max_state_bits=…}}", node.name, need)
        plan, saturate, need = fitting[0], True, opt.max_state_bits
    attrs = {"shift": plan.shift, "in_shift": plan.f, "state_bits": need, "frac_bits": plan.f,
             "saturate": saturate}
    if plan.spiking:
        attrs.update(reset=a["reset"], compare=a["compare"], v_reset=plan.v_reset)
    params = {"leak": int_param(plan.leak)}
    if plan.alpha is not None:
        params["alpha"] = int_param(plan.alpha)
    if plan.threshold is not None:
        params["threshold"] = int_param(plan.threshold)
    if plan.bias is not None:
        params["bias"] = int_param(plan.bias)
    margins, ev = plan.errors(b.T, x.err)
    approx = []
    if plan.f < opt.frac_bits:
        approx.append(f"frac_bits lowered from {opt.frac_bits} to {plan.f} to fit {opt.max_state_bits}-bit state")
    if saturate:
        approx.append(f"state saturates at {need} bits (needs {plans[0].range.bits} unclamped)")
    if float(plan.leak_err.max()) > 0:
        approx.append(f"leak rounded to {plan.shift} fraction bits (max error {float(plan.leak_err.max()):.2e})")
    if plan.theta_err:
        approx.append(f"threshold rounded to the state unit (max relative error {plan.theta_err:.2e})")
    meta = {"frac_bits": plan.f, "state_bits_needed": plan.range.bits,
            "tie_margin": max(margins) if plan.spiking else 0.0, "error_bound": max(ev),
            "input_error": x.err, "approx": approx}
    out = b.emit(INT_OP[node.op], [x.node], attrs=attrs, params=params, name=node.name, meta=meta)
    if plan.spiking:
        return Val(out.name, tb.const(1.0, rank), None, 0.0, tuple(node.type.shape))
    return Val(out.name, tb.simplify(plan.unit), None, max(ev), tuple(node.type.shape))
