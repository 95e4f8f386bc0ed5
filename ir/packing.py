"""Packed storage of integer weight levels (pure NumPy; the C and HLS backends read these bytes).

`pack(levels, layout, row_ndim=1) -> uint8 array`, `unpack(packed, layout, shape) -> int8 array`,
`bits_per_weight(layout, shape, row_ndim=1) -> float`, `packed_shape(layout, shape, row_ndim=1)`,
`fits(levels, layout) -> bool`. Errors are `PackingError` (a `ValueError`).

A *row* is the trailing `row_ndim` dims of the weight, flattened in C order: for a
`linear` weight ``[out, in]`` / ``[T_w, out, in]`` a row is one output neuron's ``in``
weights (``row_ndim = 1``); for a `conv2d` weight ``[O, C/g, kh, kw]`` /
``[T_w, O, C/g, kh, kw]`` a row is one output channel's ``C/g·kh·kw`` weights in
``(c, u, v)`` order (``row_ndim = 3``). The *lead* dims are the others (``[out]``,
``[T_w, out]``, …). Padding entries always decode to level 0.

Layouts (n = row length, N = number of weights):

* ``codes2`` — levels in ``[-2, 1]``; one 2-bit two's-complement code per weight,
  ``code = level & 3`` (0 → 0, 1 → 1, −2 → 2, −1 → 3), four per byte; weight i of a
  row sits in byte ``i // 4`` at bits ``2·(i % 4) … 2·(i % 4)+1`` (least significant
  first). Each row is padded to whole bytes with code 0. Packed shape:
  ``lead + (ceil(n/4),)``. Decode: ``c = (byte >> 2·(i%4)) & 3``, ``level = c − 4·(c ≥ 2)``.
* ``bitplanes`` — ternary levels ``{−1, 0, 1}``, for popcount kernels. Each row is
  ``W = ceil(n/64)`` little-endian 64-bit words of the *positive plane* (bit set where
  the level is +1) followed by ``W`` words of the *negative plane* (bit set where −1);
  weight i is bit ``i % 64`` of word ``i // 64`` of each plane; bits past n are 0.
  Packed shape: ``lead + (16·W,)`` bytes, i.e. ``packed.view("<u8")`` has shape
  ``lead + (2·W,)``: words ``[0, W)`` positive, ``[W, 2W)`` negative. Then
  ``Σ_i w_i·x_i = popcount(pos & x) − popcount(neg & x)`` for a binary x packed the same way.
* ``base3`` — ternary levels; five trits per byte over the whole tensor (no row
  padding): with ``d_i = level_i + 1`` (0, 1, 2) of the flat (C-order) weight,
  ``byte_j = Σ_{k=0..4} d_{5j+k}·3^k`` (0 … 242); the last byte is padded with
  digit 1 (level 0). Packed shape ``(ceil(N/5),)``; weight i is
  ``(byte_{i//5} // 3^(i%5)) % 3 − 1``. Storage ``8·ceil(N/5)/N`` bits per weight:
  exactly 1.6 when 5 divides N, below ``1.6 + 8/N`` otherwise.
"""
from __future__ import annotations

import numpy as np

LAYOUTS = ("codes2", "bitplanes", "base3")
LEVELS = {"codes2": (-2, 1), "bitplanes": (-1, 1), "base3": (-1, 1)}
_POW3 = np.array([1, 3, 9, 27, 81], np.uint8)
# decoding tables: byte → its 4 codes2 levels / its 5 base3 levels (index 243…255: no valid byte)
_CODES2 = (((np.arange(256)[:, None] >> np.array([0, 2, 4, 6])) & 3) ^ 2).astype(np.int8) - 2
_BASE3 = ((np.arange(256)[:, None] // _POW3.astype(np.int64)) % 3).astype(np.int8) - 1


class PackingError(ValueError):
    """Levels that a layout cannot hold, or a packed array that does not match its shape."""


def _check_layout(layout: str):
    if layout not in LAYOUTS:
        raise PackingError(f"unknown weight layout {layout!r}; known layouts: {', '.join(LAYOUTS)}")


def _split(shape: tuple[int, ...], row_ndim: int) -> tuple[tuple[int, ...], int]:
    """(lead dims, row length) of a weight shape."""
    if not 1 <= row_ndim <= len(shape):
        raise PackingError(f"row_ndim={row_ndim} does not fit a weight of shape {list(shape)}")
    lead = tuple(int(d) for d in shape[:len(shape) - row_ndim])
    return lead, int(np.prod(shape[len(shape) - row_ndim:], dtype=np.int64))


def packed_shape(layout: str, shape, row_ndim: int = 1) -> tuple[int, ...]:
    """Shape of `pack`'s result for a weight of `shape` (see the module docstring)."""
    _check_layout(layout)
    shape = tuple(int(d) for d in shape)
    if layout == "base3":
        return (-(-int(np.prod(shape, dtype=np.int64)) // 5),)
    lead, n = _split(shape, row_ndim)
    return lead + ((-(-n // 4),) if layout == "codes2" else (16 * -(-n // 64),))


def fits(levels: np.ndarray, layout: str) -> bool:
    """Whether every entry of `levels` is an integer level the layout can hold."""
    _check_layout(layout)
    a = np.asarray(levels)
    if a.dtype.kind not in "iu":
        return False
    lo, hi = LEVELS[layout]
    return a.size == 0 or (int(a.min()) >= lo and int(a.max()) <= hi)


def pack(levels: np.ndarray, layout: str, row_ndim: int = 1) -> np.ndarray:
    """Pack integer weight levels into uint8 storage in `layout` (module docstring)."""
    _check_layout(layout)
    a = np.asarray(levels)
    if not fits(a, layout):
        lo, hi = LEVELS[layout]
        got = f"levels {int(a.min())}..{int(a.max())}" if a.dtype.kind in "iu" and a.size else f"dtype {a.dtype}"
        raise PackingError(f"layout {layout} holds integer levels {lo}..{hi}, got {got}; "
                           "keep the weight dense or use a layout for its levels")
    if layout == "base3":
        digits = (a.reshape(-1) + 1).astype(np.uint8)
        pad = (-digits.size) % 5
        digits = np.concatenate([digits, np.ones(pad, np.uint8)]).reshape(-1, 5)
        return (digits * _POW3).sum(axis=1, dtype=np.uint8)       # ≤ 242: no overflow
    lead, n = _split(a.shape, row_ndim)
    rows = a.reshape(-1, n)
    if layout == "codes2":
        codes = (rows.astype(np.int16) & 3).astype(np.uint8)
        codes = np.pad(codes, ((0, 0), (0, (-n) % 4))).reshape(rows.shape[0], -1, 4)
        out = codes[..., 0] | (codes[..., 1] << 2) | (codes[..., 2] << 4) | (codes[..., 3] << 6)
        return out.reshape(lead + (out.shape[1],))
    width = 64 * -(-n // 64)
    planes = []
    for level in (1, -1):
        bits = np.zeros((rows.shape[0], width), np.uint8)
        bits[:, :n] = rows == level
        planes.append(np.packbits(bits, axis=1, bitorder="little"))
    return np.concatenate(planes, axis=1).reshape(lead + (width // 4,))


def unpack(packed: np.ndarray, layout: str, shape) -> np.ndarray:
    """Decode `packed` (from `pack`) back to the int8 levels of a weight of `shape`.

    The row split is read from the packed rank (``row_ndim = len(shape) − packed.ndim + 1``)
    for codes2 / bitplanes. Raises `PackingError` when the array cannot be the packing of
    such a weight (dtype, shape, or a byte that is no valid code)."""
    _check_layout(layout)
    shape = tuple(int(d) for d in shape)
    p = np.asarray(packed)
    if p.dtype != np.uint8:
        raise PackingError(f"packed weights must be uint8, got {p.dtype}")
    row_ndim = 1 if layout == "base3" else len(shape) - p.ndim + 1
    if not 1 <= row_ndim <= len(shape):
        raise PackingError(f"packed array of shape {list(p.shape)} cannot hold a weight of shape {list(shape)}")
    want = packed_shape(layout, shape, row_ndim)
    if p.shape != want:
        raise PackingError(f"{layout}: a weight of shape {list(shape)} packs to shape {list(want)}, "
                           f"got {list(p.shape)}")
    total = int(np.prod(shape, dtype=np.int64))
    if layout == "base3":
        if p.size and int(p.max()) > 242:
            raise PackingError("base3 bytes are at most 242 (five trits); the packed array is damaged")
        return _BASE3[p].reshape(-1)[:total].reshape(shape)
    lead, n = _split(shape, row_ndim)
    rows = p.reshape(-1, p.shape[-1])
    if layout == "codes2":
        return np.ascontiguousarray(_CODES2[rows].reshape(rows.shape[0], -1)[:, :n]).reshape(shape)
    half = rows.shape[1] // 2
    pos = np.unpackbits(rows[:, :half], axis=1, bitorder="little")
    neg = np.unpackbits(rows[:, half:], axis=1, bitorder="little")
    if (pos & neg).any() or pos[:, n:].any() or neg[:, n:].any():
        raise PackingError("bitplanes: a weight is set in both planes, or a padding bit is set; "
                           "the packed array is damaged")
    return (pos[:, :n].astype(np.int8) - neg[:, :n].astype(np.int8)).reshape(shape)


def bits_per_weight(layout: str, shape, row_ndim: int = 1) -> float:
    """Storage bits per weight of `layout` for a weight of `shape`, padding included."""
    total = int(np.prod(tuple(shape), dtype=np.int64))
    nbytes = int(np.prod(packed_shape(layout, shape, row_ndim), dtype=np.int64))
    return 8.0 * nbytes / total if total else 0.0


__all__ = ["LAYOUTS", "LEVELS", "PackingError", "pack", "unpack", "packed_shape", "fits", "bits_per_weight"]
