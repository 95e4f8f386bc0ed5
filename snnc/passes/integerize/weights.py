"""Weights as integer levels, and the float64 helpers that carry offsets through layers.

`levels(W)` returns integer levels L and a positive factor c per row (a row is
one output channel of one bank entry: ``[T_w, out]``) with ``W = L · c``:

* integer weights are their own levels (c = 1);
* float weights that lie exactly on a grid — ``W = fl(L · c)`` bit for bit, with
  one c per tensor or per row and |L| ≤ 127, as a ternary or k-bit model exported
  through NIR stores them — give those levels and that scale (grid.py; one ulp
  off the grid is off it);
* any other float weights are quantized per row to `weight_bits`:
  ``c = max|W_row| / (2^(bits-1) − 1)``, ``L = round(W / c)`` (lossy; the
  caller records it).

The offset helpers compute, in float64, what a layer does to a per-element
offset map β (``linear(β)``, ``conv2d(β)`` with zero padding, ``sumpool2d(β)``):
offsets never become integers before they reach a neuron, so they lose nothing.
"""
from __future__ import annotations

import numpy as np

from .grid import describe, exact_rows


def rows(w: np.ndarray, static_rank: int):
    """(weight as a 2-D array [T_w·out, fan_in], the bank shape [T_w, out, ...])."""
    bank = w if w.ndim == static_rank + 1 else w[None]
    return bank.reshape(bank.shape[0] * bank.shape[1], -1), bank.shape


def levels(w: np.ndarray, static_rank: int, weight_bits: int):
    """(L bank int, c [T_w, out] float64 > 0, info dict) with W ≈ L·c; see the module docstring."""
    r, shape = rows(w, static_rank)
    if w.dtype.kind in "iu":
        return r.reshape(shape), np.ones(shape[:2]), {"weights": "integer levels"}
    if r.size:
        whole = exact_rows(r.reshape(1, -1))
        if whole is not None:
            L, c = whole[0].reshape(r.shape), np.full(r.shape[0], float(whole[1][0]))
            return L.reshape(shape), c.reshape(shape[:2]), {"weights": describe(L, "per-tensor")}
        per_row = exact_rows(r)
        if per_row is not None:
            L, c = per_row
            return L.reshape(shape), c.astype(np.float64).reshape(shape[:2]), {"weights": describe(L, "per-channel")}
    r = r.astype(np.float64)
    m_all = float(np.abs(r).max()) if r.size else 0.0
    m = np.abs(r).max(axis=1, initial=0.0)
    qmax = (1 << (weight_bits - 1)) - 1
    c = np.where(m > 0, m / qmax, 1.0)
    L = np.rint(r / c[:, None])
    err = np.abs(L * c[:, None] - r)
    info = {"weights": f"float weights quantized to {weight_bits} bits per channel (lossy)",
            "weight_max_abs_error": float(err.max(initial=0.0)),
            "weight_rel_error": float(err.max(initial=0.0) / m_all) if m_all else 0.0}
    return L.astype(np.int64).reshape(shape), c.reshape(shape[:2]), info


def dequant_error_rows(w: np.ndarray, L: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Σ_i |W − L·c| per row [T_w, out] (0 for integer weights)."""
    if w.dtype.kind in "iu":
        return np.zeros(c.shape)
    bank = w.reshape(L.shape).astype(np.float64)
    d = np.abs(bank - L * c.reshape(c.shape + (1,) * (L.ndim - 2)))
    return d.reshape(c.shape + (-1,)).sum(axis=-1)


def real_rows_abs_sum(L: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Σ_i |L·c| per row [T_w, out]."""
    return np.abs(L).reshape(c.shape + (-1,)).sum(axis=-1) * c


# ------------------------------------------------------------------ offsets through layers
def linear_f64(x: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """x [P, ..., in] (P timesteps), bank [T_w, out, in] → [P, ..., out], W[t % T_w]."""
    out = np.empty(x.shape[:-1] + (bank.shape[1],))
    for t in range(x.shape[0]):
        out[t] = x[t] @ bank[t % bank.shape[0]].T
    return out


def conv2d_f64(x: np.ndarray, bank: np.ndarray, stride, padding, dilation, groups) -> np.ndarray:
    """x [P, C, H, W], bank [T_w, O, C/g, kh, kw] → [P, O, H', W'] (zero padding, PyTorch conventions)."""
    P, C, H, W = x.shape
    _, O, cg, kh, kw = bank.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    Ho = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    xp = np.zeros((P, C, H + 2 * ph, W + 2 * pw))
    xp[:, :, ph:ph + H, pw:pw + W] = x
    out = np.zeros((P, O, Ho, Wo))
    og = O // groups
    for t in range(P):
        w = bank[t % bank.shape[0]]
        for g in range(groups):
            xs = xp[t, g * cg:(g + 1) * cg]
            for i in range(kh):
                for j in range(kw):
                    patch = xs[:, i * dh: i * dh + sh * (Ho - 1) + 1: sh, j * dw: j * dw + sw * (Wo - 1) + 1: sw]
                    out[t, g * og:(g + 1) * og] += np.einsum("oc,chw->ohw", w[g * og:(g + 1) * og, :, i, j], patch)
    return out


def sumpool_f64(x: np.ndarray, kernel, stride, padding) -> np.ndarray:
    """x [P, C, H, W] → windowed sums [P, C, H', W'] with zero padding."""
    ones = np.ones((1, 1, 1) + tuple(kernel))
    P, C, H, W = x.shape
    y = conv2d_f64(x.reshape(P * C, 1, H, W), ones, stride, padding, (1, 1), 1)
    return y.reshape(P, C, y.shape[2], y.shape[3])
