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

The parameters repeat with period P (the lcm of their time axes); when the state
ranges (v, i) at t equal those at t − P the analysis has reached a fixed point and
every later timestep repeats the ranges already seen: the result is then proven for
any number of timesteps (`StateRange.converged`). With `fits` = (lo, hi), the
analysis stops at the first timestep where an intermediate leaves [lo, hi]
(`StateRange.overflow_at`): `integerize` sizes a state with it, `verify` proves a
stated width with it (`ir.ops.neuron_int`), and the runners refuse a run longer than
the timesteps it proved.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from math import lcm

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
    converged: bool = False                     # a fixed point: the ranges hold for any T
    overflow_at: int | None = None              # first timestep leaving `fits` (None: none)
    steps: int = 0                              # timesteps analysed

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
            v_reset: int = 0, fits: tuple[int, int] | None = None) -> StateRange:
    """Bounds of every intermediate of an integer neuron over T timesteps (see module docstring).

    Stops early at a fixed point (`converged`) or, with `fits`, at the first timestep whose
    ranges leave [fits[0], fits[1]] (`overflow_at`)."""
    r = StateRange()
    periods = [p.shape[0] for p in (leak, alpha, threshold, bias) if p is not None]
    P = lcm(*periods) if periods else 1
    L, A, TH, B = (per_t(p, min(T, P)) for p in (leak, alpha, threshold, bias))
    for p in (L, A, TH, B):
        for lo, hi in p or ():
            r.see(lo, hi)
    r.see(v_reset, v_reset)
    u = (x_range[0] << in_shift, x_range[1] << in_shift)
    r.see(*u)
    v = (0, 0)
    i = (0, 0)
    outside = (lambda: r.lo < fits[0] or r.hi > fits[1]) if fits is not None else (lambda: False)
    if outside():                               # a parameter, v_reset or the shifted input
        r.overflow_at = 0
        return r
    seen = deque(maxlen=P + 1)                  # (v, i) at the start of the last timesteps
    for t in range(T):
        seen.append((v, i))
        if t >= P and seen[0] == (v, i):
            r.converged = True
            break
        t_p = t % P
        if A is not None:
            d = _dec(*i, A[t_p], shift)
            r.see(*d)
            i = (d[0] + u[0], d[1] + u[1])
        else:
            i = u
        r.see(*i)
        d = _dec(*v, L[t_p], shift)
        r.see(*d)
        h = (d[0] + i[0], d[1] + i[1])
        if B is not None:
            h = (h[0] + B[t_p][0], h[1] + B[t_p][1])
        if reset == "subtract_undecayed" and TH is not None:
            h = _undecayed(h, v, TH[t_p], L[t_p], shift, compare)
        r.see(*h)
        if TH is None or reset in ("none", "subtract_undecayed"):
            v = h
        else:
            th_lo, th_hi = TH[t_p]
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
        r.steps = t + 1
        if outside():
            r.overflow_at = t
            break
    if r.converged and fits is None:            # the lists continue with period P
        for lst in (r.v_abs, r.i_abs, r.h_abs):
            while len(lst) < T:
                lst.append(lst[len(lst) - P])
    return r
