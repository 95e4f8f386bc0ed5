"""Worst-case ranges of an integer neuron's state over T timesteps (exact Python integers).

For the integer neuron equations of `ir/ops/neuron_int.py`, with the input I in
[x_lo, x_hi] and, at each timestep t, every parameter within its extremes over
the elements at t (leak ∈ [l_lo, l_hi], threshold ∈ [θ_lo, θ_hi], bias ∈
[b_lo, b_hi], alpha likewise), interval arithmetic bounds every element:

    u      = I << in_shift                      ∈ [x_lo·2^k, x_hi·2^k]
    d      = (leak · v) >> shift                ∈ corners of [l_lo, l_hi]×[v_lo, v_hi], floored
    i      = ((alpha · i) >> shift) + u          (cuba; else i = u)
    h      = d + i + bias
    v'     = h where no spike: h < θ ⇒ h ≤ θ_hi − 1 (ge) / h ≤ θ_hi (gt)
             reset zero: v_reset;  subtract: h − θ with θ ≤ h ⇒ 0 (ge) / 1 (gt) … h_hi − θ_lo;
             none, subtract_undecayed: h
    subtract_undecayed first takes θ off h where the previous v fired: the v range is split
    at θ into the part that did not fire and the part that did (`_undecayed`)

starting from v = i = 0. The union of every intermediate range (and of the
parameters, which must fit the state type too) gives the state width.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def per_t(a: np.ndarray | None, T: int) -> list[tuple[int, int]] | None:
    """[(min, max)] over the elements of a TB integer array at each timestep t < T."""
    if a is None:
        return None
    flat = a.reshape(a.shape[0], -1).astype(object)
    ext = [(int(min(r)), int(max(r))) for r in flat]
    return [ext[t % len(ext)] for t in range(T)]


def _dec(lo: int, hi: int, l: tuple[int, int], shift: int) -> tuple[int, int]:
    c = [l[0] * lo, l[0] * hi, l[1] * lo, l[1] * hi]
    return min(c) >> shift, max(c) >> shift


@dataclass
class StateRange:
    lo: int = 0
    hi: int = 0
    v_abs: list = field(default_factory=list)   # max |v| (post reset) per timestep
    i_abs: list = field(default_factory=list)   # max |i| per timestep (cuba)
    h_abs: list = field(default_factory=list)   # max |h| per timestep

    def see(self, lo: int, hi: int):
        self.lo, self.hi = min(self.lo, lo), max(self.hi, hi)

    @property
    def bits(self) -> int:
        """Signed width holding every value seen."""
        return max((-self.lo - 1).bit_length(), self.hi.bit_length()) + 1


def _undecayed(h, v, th, leak, shift, compare):
    """h after subtract_undecayed takes θ off where the previous v fired: the v range is split into
    the part that did not fire (nothing taken off) and the part that did (θ taken off)."""
    th_lo, th_hi = th
    quiet_hi = min(v[1], th_hi - 1 if compare == "ge" else th_hi)
    fired_lo = max(v[0], th_lo if compare == "ge" else th_lo + 1)
    d_full = _dec(*v, leak, shift)
    rest = (h[0] - d_full[0], h[1] - d_full[1])        # the input, current and bias part of h
    parts = []
    if v[0] <= quiet_hi:
        d = _dec(v[0], quiet_hi, leak, shift)
        parts.append((d[0] + rest[0], d[1] + rest[1]))
    if fired_lo <= v[1]:
        d = _dec(fired_lo, v[1], leak, shift)
        parts.append((d[0] + rest[0] - th_hi, d[1] + rest[1] - th_lo))
    return min(p[0] for p in parts), max(p[1] for p in parts)


def analyse(T: int, x_range: tuple[int, int], in_shift: int, shift: int, leak: np.ndarray,
            threshold: np.ndarray | None = None, bias: np.ndarray | None = None,
            alpha: np.ndarray | None = None, reset: str = "none", compare: str = "ge",
            v_reset: int = 0) -> StateRange:
    """Bounds of every intermediate of an integer neuron over T timesteps (see module docstring)."""
    r = StateRange()
    L, A, TH, B = per_t(leak, T), per_t(alpha, T), per_t(threshold, T), per_t(bias, T)
    for p in (L, A, TH, B):
        for lo, hi in p or ():
            r.see(lo, hi)
    r.see(v_reset, v_reset)
    u = (x_range[0] << in_shift, x_range[1] << in_shift)
    r.see(*u)
    v = (0, 0)
    i = (0, 0)
    for t in range(T):
        if A is not None:
            d = _dec(*i, A[t], shift)
            r.see(*d)
            i = (d[0] + u[0], d[1] + u[1])
        else:
            i = u
        r.see(*i)
        d = _dec(*v, L[t], shift)
        r.see(*d)
        h = (d[0] + i[0], d[1] + i[1])
        if B is not None:
            h = (h[0] + B[t][0], h[1] + B[t][1])
        if reset == "subtract_undecayed" and TH is not None:
            h = _undecayed(h, v, TH[t], L[t], shift, compare)
        r.see(*h)
        if TH is None or reset in ("none", "subtract_undecayed"):
            v = h
        else:
            th_lo, th_hi = TH[t]
            parts = []
            quiet_hi = min(h[1], th_hi - 1 if compare == "ge" else th_hi)
            if h[0] <= quiet_hi:
                parts.append((h[0], quiet_hi))
            fires = h[1] >= th_lo if compare == "ge" else h[1] > th_lo
            if fires:
                if reset == "zero":
                    parts.append((v_reset, v_reset))
                else:
                    parts.append((0 if compare == "ge" else 1, h[1] - th_lo))
            v = (min(p[0] for p in parts), max(p[1] for p in parts))
        r.see(*v)
        r.v_abs.append(max(abs(v[0]), abs(v[1])))
        r.i_abs.append(max(abs(i[0]), abs(i[1])))
        r.h_abs.append(max(abs(h[0]), abs(h[1])))
    return r
