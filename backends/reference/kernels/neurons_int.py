"""Integer neuron kernels: lif_int, cuba_lif_int, li_int (exact; `>>` is an arithmetic shift = floor).

Per timestep, with state range R = int<state_bits> = [−2^(b−1), 2^(b−1) − 1]:

    u    = I[t] << in_shift
    i[t] = ((alpha[t] · i[t-1]) >> shift) + u                    (cuba_lif_int; else i[t] = u)
    h    = ((leak[t] · v[t-1]) >> shift) + i[t] + bias[t]
    s[t] = h ≥ threshold[t] (or >);  v[t] = s ? v_reset : h | h − s·threshold[t] | h
    (subtract_undecayed: h −= [v[t-1] ≥ threshold[t]]·threshold[t] first, v[t] = h)
    (li_int: v[t] = h, y[t] = v[t])

The products leak·v and alpha·i are formed exactly: in int64 when the op's
`intermediate_bounds` (for the actual inputs) fit it, else in Python ints. Without
`saturate`, each of u, (alpha·i) >> shift, (leak·v) >> shift, i[t], h and v[t]
must lie in R, else `ExecutionError` names the quantity, the timestep and R.
With `saturate`, everything is computed exactly and i[t], h and v[t] are each
clamped to R as they are formed (the spike compares the clamped h).
"""
from __future__ import annotations

import numpy as np

from snnc.ir import get_op
from snnc.ir.types import maxabs

from .. import intmath
from ..errors import ExecutionError
from .registry import kernel


class _State:
    """Range discipline of one integer neuron: check (or clamp) values against int<state_bits>."""

    def __init__(self, op, node):
        self.bits, self.saturate = node.attrs["state_bits"], node.attrs["saturate"]
        self.lo, self.hi = op.state_range(node)

    def check(self, value, what: str, t: int):
        """A term that must fit R without saturate (and is exact, unclamped, with it)."""
        if self.saturate:
            return value
        bad = intmath.offending(value, self.lo, self.hi)
        if bad is not None:
            raise ExecutionError(f"{what} = {bad} leaves int<{self.bits}> [{self.lo}, {self.hi}]; "
                                 "widen state_bits, lower the input shift, or set saturate=true", timestep=t)
        return value

    def fit(self, value, what: str, t: int):
        """A state update: clamped to R with saturate, else checked."""
        if self.saturate:
            return np.minimum(np.maximum(value, self.lo), self.hi)
        return self.check(value, what, t)


def _int_neuron(ctx, node, x, current: bool, spiking: bool):
    a = node.attrs
    roles = ["leak", "bias"] + (["alpha"] if current else []) + (["threshold"] if spiking else [])
    op = get_op(node.op)
    dt = intmath.wide_dtype(op.intermediate_bounds(node, ctx.graph, maxabs(x)).worst)
    p = {r: ctx.tparam(node, r, dt) for r in roles}
    st = _State(op, node)
    shift, in_shift = a["shift"], a["in_shift"]
    x = x.astype(dt)
    v = np.zeros(x.shape[1:], dt)
    i = np.zeros(x.shape[1:], dt)
    out = np.empty(x.shape, np.int64 if spiking else dt)
    vs = np.empty(x.shape, dt)
    cs = np.empty(x.shape, dt) if current else None
    for t in range(x.shape[0]):
        u = st.check(x[t] << in_shift, "the shifted input I << in_shift", t)
        if current:
            i = st.fit(st.check((p["alpha"][t] * i) >> shift, "the decayed current (alpha·i) >> shift", t)
                       + u, "the current i", t)
            cs[t] = i
        else:
            i = u
        h = st.check((p["leak"][t] * v) >> shift, "the decayed membrane (leak·v) >> shift", t) + i
        if p["bias"] is not None:
            h = h + p["bias"][t]
        if spiking and a["reset"] == "subtract_undecayed":    # the previous spike's threshold, undecayed
            th = p["threshold"][t]
            h = h - np.where(v >= th if a["compare"] == "ge" else v > th, th, 0).astype(dt)
        h = st.fit(h, "the membrane h", t)
        if spiking:
            th = p["threshold"][t]
            s = h >= th if a["compare"] == "ge" else h > th
            if a["reset"] == "zero":
                v = np.where(s, a["v_reset"], h)
            elif a["reset"] == "subtract":
                v = np.where(s, h - th, h)
            else:
                v = h
            v = st.fit(v, "the membrane after reset", t)
            out[t] = s
        else:
            v = h
            out[t] = v
        vs[t] = v
    ctx.record(node, "v", vs)
    if cs is not None:
        ctx.record(node, "i", cs)
    return out


@kernel("lif_int")
def lif_int(ctx, node, x):
    """lif_int: h = ((leak·v) >> shift) + (I << in_shift) + bias; spike and reset as lif."""
    return _int_neuron(ctx, node, x, current=False, spiking=True)


@kernel("cuba_lif_int")
def cuba_lif_int(ctx, node, x):
    """cuba_lif_int: i = ((alpha·i) >> shift) + (I << in_shift); h = ((leak·v) >> shift) + i + bias."""
    return _int_neuron(ctx, node, x, current=True, spiking=True)


@kernel("li_int")
def li_int(ctx, node, x):
    """li_int: v = ((leak·v) >> shift) + (I << in_shift) + bias; y = v (raw fixed<state_bits, frac_bits>)."""
    return _int_neuron(ctx, node, x, current=False, spiking=False)
