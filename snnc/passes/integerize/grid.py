"""Float weights that lie exactly on a grid: ``W = fl(L · c)`` with integer levels L and one scale c.

A ternary or k-bit model exported through NIR (or any float format) stores its weights as
a scale times levels, rounded once to float32: ``0.05 · {-1, 0, 1}`` or, per output
channel, ``s_o · {-(2^(k-1)-1) … 2^(k-1)-1}``. `exact_rows` finds those levels and a scale
when they exist, and only then: every weight must be *exactly* the rounding of its level
times the row's scale (``fl(L·c) == W`` bit for bit, c real), with |L| ≤ `MAX_LEVEL`
(k ≤ 8 bits). A weight one ulp off the grid is not on it.

Search, per row (or for the whole tensor as one row): ternary first (every |w| is 0 or the
row's max m: L = sign(w), c = m); otherwise the smallest level count K that a cheap
tolerance probe allows (`probe_k`), L = round(W·K/m), and the exact test: the scales
that round every L·c to its W form an interval (`scale_interval`), which must not be
empty; multiples of K are tried too (levels with a common factor).
"""
from __future__ import annotations

import numpy as np

MAX_LEVEL = 127
PROBE_TOL = 2.0 ** -20


def probe_k(r: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per row, the smallest k in 1..127 with r ≈ round(r·k/m)·(m/k) to PROBE_TOL·m (0 if none)."""
    found = np.zeros(len(r), np.int64)
    found[m == 0] = 1
    probe = r[:, : min(r.shape[1], 32)]
    for k in range(1, MAX_LEVEL + 1):
        todo = np.flatnonzero(found == 0)
        if todo.size == 0:
            break
        c = (m[todo] / k)[:, None]
        ok = np.all(np.abs(np.rint(probe[todo] / c) * c - probe[todo]) <= PROBE_TOL * m[todo, None], axis=1)
        cand = todo[ok]
        if cand.size:
            c = (m[cand] / k)[:, None]
            full = np.all(np.abs(np.rint(r[cand] / c) * c - r[cand]) <= PROBE_TOL * m[cand, None], axis=1)
            found[cand[full]] = k
    return found


def scale_interval(row: np.ndarray, L: np.ndarray) -> tuple[float, float]:
    """The reals c with ``fl(L·c) == row`` for every element (fl: rounding to row's float type),
    as (lo, hi); empty when lo > hi. Zeros need level 0; each nonzero w rounds from the half-open
    interval between the midpoints to its neighbours, divided by its level."""
    if np.any((L == 0) != (row == 0)):
        return 1.0, 0.0
    nz = L != 0
    w, lv = row[nz], L[nz].astype(np.float64)
    if not w.size:
        return 0.0, np.inf
    below = (w.astype(np.float64) + np.nextafter(w, -np.inf).astype(np.float64)) / 2
    above = (w.astype(np.float64) + np.nextafter(w, np.inf).astype(np.float64)) / 2
    a, b = below / lv, above / lv
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return float(lo.max()), float(hi.min())


def _exact_row(row: np.ndarray, m, k0: int):
    """(levels, scale) with ``fl(levels·scale) == row`` exactly, or None (see `scale_interval`)."""
    for K in range(k0, MAX_LEVEL + 1, k0):
        L = np.rint(row.astype(np.float64) * (K / float(m)))
        if np.abs(L).max(initial=0) > K:
            continue
        lo, hi = scale_interval(row, L)
        if not 0 < lo <= hi:
            continue
        c0 = float(m) / K
        c32 = np.float32(c0)
        # the plainest scale in the interval: m/K itself, the float32 scale the exporter had, or the middle
        for c in (c0, float(c32), float(np.nextafter(c32, np.float32(0))), float(np.nextafter(c32, np.float32(1e30))),
                  (lo + hi) / 2):
            if lo <= c <= hi and np.array_equal((L * c).astype(row.dtype), row):
                return L.astype(np.int64), c
    return None


def exact_rows(r: np.ndarray):
    """Levels L [rows, n] (int64) and scales c [rows] (float64, > 0) with
    ``fl(L · c[:, None]) == r`` exactly (fl: rounding to r's float type), or None when some row
    is on no grid."""
    a = np.abs(r)
    m = a.max(axis=1, initial=0)
    L = np.zeros(r.shape, np.int64)
    c = np.ones(len(r), np.float64)
    ternary = np.all((a == 0) | (a == m[:, None]), axis=1)
    t = ternary & (m > 0)
    L[t] = np.sign(r[t]).astype(np.int64)
    c[t] = m[t]
    rest = np.flatnonzero(~ternary)
    if rest.size:
        ks = probe_k(r[rest].astype(np.float64), m[rest].astype(np.float64))
        if np.any(ks == 0):
            return None
        for i, k0 in zip(rest, ks):
            found = _exact_row(r[i], m[i], int(k0))
            if found is None:
                return None
            L[i], c[i] = found
    return L, c


def describe(L: np.ndarray, per: str) -> str:
    """What was recognized, for integerize's report: e.g. 'ternary levels {-1, 0, 1} × a per-channel
    scale (exact; 2 bits per weight)'."""
    K = int(np.abs(L).max(initial=0))
    bits = max(2, int(np.ceil(np.log2(2 * K + 1)))) if K else 1
    kind = "ternary levels {-1, 0, 1}" if K <= 1 else f"{bits}-bit levels {{-{K} … {K}}}"
    return f"float weights on a grid: {kind} × a {per} scale (exact; {bits} bits per weight)"
