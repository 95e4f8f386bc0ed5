"""Float neuron kernels: lif, if, plif, cuba_lif, li (state starts at 0; loop over t,
vectorised over batch and neurons; everything in float32, in the docstring's order)."""
from __future__ import annotations

import numpy as np

from .common import F32, float_operand
from .registry import kernel


def _spike(h, th, compare):
    return h >= th if compare == "ge" else h > th


def _reset(h, s, th, attrs):
    """v[t] = s ? v_reset : h (zero) | h − s·threshold (subtract) | h (none, subtract_undecayed)."""
    if attrs["reset"] == "zero":
        return np.where(s, F32(attrs["v_reset"]), h)
    if attrs["reset"] == "subtract":
        return np.where(s, h - th, h)
    return h


def _lif(ctx, node, x, beta, alpha=None):
    """Shared loop of lif / if / plif / cuba_lif:

        i[t] = alpha[t] · i[t-1] + I[t]          (cuba_lif only; otherwise i[t] = I[t])
        h    = beta[t] · v[t-1] + i[t]           (if: h = v[t-1] + i[t])
               − [v[t-1] ≥ threshold[t]] · threshold[t]     (subtract_undecayed)
        s[t] = h ≥ threshold[t]  (or >),  v[t] = reset(h, s)
    """
    x = float_operand(x)
    th = ctx.tparam(node, "threshold", F32)
    v = np.zeros(x.shape[1:], F32)
    i = np.zeros(x.shape[1:], F32)
    spikes = np.empty(x.shape, np.int64)
    vs = np.empty(x.shape, F32)
    cs = np.empty(x.shape, F32) if alpha is not None else None
    for t in range(x.shape[0]):
        if alpha is not None:
            i = alpha[t] * i + x[t]
            cs[t] = i
        cur = i if alpha is not None else x[t]
        h = (beta[t] * v if beta is not None else v) + cur
        if node.attrs["reset"] == "subtract_undecayed":      # the previous spike's threshold, undecayed
            h = h - np.where(_spike(v, th[t], node.attrs["compare"]), th[t], F32(0))
        s = _spike(h, th[t], node.attrs["compare"])
        v = _reset(h, s, th[t], node.attrs)
        spikes[t], vs[t] = s, v
    ctx.record(node, "v", vs)
    if cs is not None:
        ctx.record(node, "i", cs)
    return spikes


@kernel("lif")
def lif(ctx, node, x):
    """lif: h = beta[t]·v[t-1] + I[t]; s = h ≥ θ[t] (or >); reset zero / subtract / none."""
    return _lif(ctx, node, x, ctx.tparam(node, "beta", F32))


@kernel("if")
def if_(ctx, node, x):
    """if: h = v[t-1] + I[t]; spike and reset as lif."""
    return _lif(ctx, node, x, None)


@kernel("plif")
def plif(ctx, node, x):
    """plif: exactly lif with its learned beta."""
    return _lif(ctx, node, x, ctx.tparam(node, "beta", F32))


@kernel("cuba_lif")
def cuba_lif(ctx, node, x):
    """cuba_lif: i[t] = alpha[t]·i[t-1] + I[t]; h = beta[t]·v[t-1] + i[t]; spike and reset v as lif."""
    return _lif(ctx, node, x, ctx.tparam(node, "beta", F32), ctx.tparam(node, "alpha", F32))


@kernel("li")
def li(ctx, node, x):
    """li: v[t] = beta[t]·v[t-1] + I[t]; y[t] = v[t] (also traced as "<node>#v")."""
    x = float_operand(x)
    beta = ctx.tparam(node, "beta", F32)
    v = np.zeros(x.shape[1:], F32)
    out = np.empty(x.shape, F32)
    for t in range(x.shape[0]):
        v = beta[t] * v + x[t]
        out[t] = v
    ctx.record(node, "v", out)
    return out
