"""Weight layouts of the cpu kernels (computed here from the dense integer weight).

* **bit planes** (`bitplanes`) — ternary weights ``w ∈ {−1, 0, +1}`` as two bit sets,
  ``P = [w = +1]`` and ``N = [w = −1]``, laid out ``[T_w, groups, kw, 8]`` uint64 words:
  output ``o = 8·g + l`` (lane l, outputs padded to a multiple of 8 with zero planes) and input
  bit ``k`` in word ``k // 64``, bit ``k % 64``. Then ``Σ_k w[o,k]·x[k] =
  popcount(x & P[o]) − popcount(x & N[o])`` for a binary x packed the same way.
* **conv bit planes** — the same with the input index ``k`` running over the receptive field
  word by word: ``k = ((u·kw + v)·cw + c // 64)·64 + c % 64`` (channel c packed 64 to a word,
  cw = ⌈C/64⌉ words per pixel), matching the runtime's channel-packed im2col; stored per
  output, ``[T_w, O, kwords]``, for the position-lane core.
* **transposed** (`transposed`) — ``[T_w, in, out]`` for event-driven accumulation, where an
  active input adds one contiguous row of weights to all outputs.

These layouts are derived from the dense integer `weight` of the graph: storage layout is a
target's choice, not the IR's.
"""
from __future__ import annotations

import numpy as np


def is_ternary(w: np.ndarray) -> bool:
    return w.dtype.kind in "iu" and (w.size == 0 or (int(w.min()) >= -1 and int(w.max()) <= 1))


def _planes(w2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """w2 [T_w, O, K] ternary → (P, N) as [T_w, groups, kw, 8] uint64."""
    tw, o, k = w2.shape
    groups, kw = -(-o // 8), -(-k // 64)
    out = []
    for sign in (1, -1):
        bits = np.zeros((tw, groups * 8, kw * 64), np.uint8)
        bits[:, :o, :k] = w2 == sign
        words = np.packbits(bits.reshape(tw, groups * 8, kw, 64), axis=-1, bitorder="little")
        words = words.view("<u8").reshape(tw, groups, 8, kw)        # 8 bytes → one little-endian word
        out.append(np.ascontiguousarray(words.transpose(0, 1, 3, 2)).astype(np.uint64))
    return out[0], out[1]


def bitplanes(bank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear weight bank [T_w, out, in] → (P, N) bit planes [T_w, ⌈out/8⌉, ⌈in/64⌉, 8]."""
    return _planes(bank)


def conv_bitplanes(bank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Conv weight bank [T_w, O, C, kh, kw] (groups = 1) → (P, N) over the channel-packed receptive field."""
    tw, o, c, kh, kw = bank.shape
    cw = -(-c // 64)
    padded = np.zeros((tw, o, kh, kw, cw * 64), bank.dtype)
    padded[..., :c] = bank.transpose(0, 1, 3, 4, 2)
    return _planes(padded.reshape(tw, o, kh * kw * cw * 64))


def conv_bitplanes_by_output(bank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Conv weight bank [T_w, O, C, kh, kw] (groups = 1) → (P, N) as [T_w, O, kwords] words, for the
    position-lane core (`snnc_bitdot_t`): output o's receptive-field words, contiguous."""
    o = bank.shape[1]
    P, N = conv_bitplanes(bank)
    tw, groups, kwords, _ = P.shape
    return tuple(np.ascontiguousarray(a.transpose(0, 1, 3, 2).reshape(tw, groups * 8, kwords)[:, :o])
                 for a in (P, N))


def transposed(bank: np.ndarray) -> np.ndarray:
    """Linear weight bank [T_w, out, in] → [T_w, in, out]."""
    return np.ascontiguousarray(bank.transpose(0, 2, 1))


def conv_transposed(bank: np.ndarray) -> np.ndarray:
    """Conv weight bank [T_w, O, C, kh, kw] → [T_w, C, kh, kw, O] (event-driven scatter)."""
    return np.ascontiguousarray(bank.transpose(0, 2, 3, 4, 1))
