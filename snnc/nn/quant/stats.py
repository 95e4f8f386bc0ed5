"""Weight statistics of integer weight levels (reports, TaWQ's weight-state entropy).

* ``weight_entropy(w) = −Σ_v p_v · log2 p_v`` over the histogram of the distinct
  levels v of w (bits). For ternary weights its maximum is log2(3) ≈ 1.585,
  reached when −1, 0, +1 are equally frequent.
* ``sparsity(w)`` = the fraction of levels equal to 0.
"""
from __future__ import annotations

import numpy as np


def _values(w) -> np.ndarray:
    if hasattr(w, "detach"):
        w = w.detach().cpu().numpy()
    return np.asarray(w).ravel()


def weight_entropy(w_int) -> float:
    """Shannon entropy in bits of the level histogram of `w_int` (array or tensor); 0.0 if empty."""
    v = _values(w_int)
    if v.size == 0:
        return 0.0
    _, counts = np.unique(v, return_counts=True)
    p = counts / v.size
    return float(-(p * np.log2(p)).sum() + 0.0)


def sparsity(w_int) -> float:
    """Fraction of zero entries of `w_int` (array or tensor); 0.0 if empty."""
    v = _values(w_int)
    return float(np.count_nonzero(v == 0) / v.size) if v.size else 0.0
