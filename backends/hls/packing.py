"""Packed weight memories: integer weight levels as k-bit two's complement codes in ≤ 64-bit words.

A synaptic layer with P lanes computes P outputs per cycle, so its weight memory
holds, per (bank, output group g, synapse k), the P codes of outputs
``o = g·P + l`` (l = 0 … P−1). Each code is the weight's two's complement in
``wbits`` bits (ternary {−1, 0, +1}: 2-bit codes 0b11, 0b00, 0b01). A word holds
``CPW = min(P, 64 // wbits)`` codes (lane l at bits ``(l % CPW)·wbits``), so a row of P
codes is ``NW = ceil(P / CPW)`` words; the words of a row are read in parallel
(the memory is partitioned along that dimension). Decoding is
``ap_int<wbits>(word >> ((l % CPW)·wbits))``: the constructor keeps the low
``wbits`` bits and reads them as a signed number.

Time-varying weights (TaWQ banks ``[T_w, …]``) are stored bank after bank: the row
of (tw, g, k) is ``(tw·G + g)·K + k``; timestep t uses bank ``t % T_w``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cpp import ConstArray, signed_bits

WORD_LIMIT = 64


@dataclass(frozen=True)
class PackedWeights:
    array: ConstArray
    wbits: int          # bits per code
    cpw: int            # codes per word
    nw: int             # words per row
    rows_per_bank: int  # G · K
    banks: int          # T_w
    ternary: bool       # every level in {-1, 0, +1}
    zero_fraction: float

    @property
    def word_bits(self) -> int:
        return self.cpw * self.wbits

    def decode(self, row: str, lane: str = "l") -> str:
        """C++ expression of the weight level of lane `lane` in row `row` (an ap_int<wbits>)."""
        lane = lane if lane.isidentifier() else f"({lane})"
        word = f"{self.array.name}[({row}) * {self.nw} + {lane} / {self.cpw}]" if self.nw > 1 else \
            f"{self.array.name}[{row}]"
        shift = f" >> (({lane} % {self.cpw}) * {self.wbits})" if self.cpw > 1 else ""
        return f"ap_int<{self.wbits}>({word}{shift})"


def pack(levels: np.ndarray, name: str) -> PackedWeights:
    """Pack ``levels [T_w, G, K, P]`` (integers) into words; see the module docstring."""
    tw, g, k, p = levels.shape
    lv = levels.astype(np.int64)
    lo, hi = (int(lv.min()), int(lv.max())) if lv.size else (0, 0)
    wbits = signed_bits(lo, hi)
    cpw = max(1, min(p, WORD_LIMIT // wbits))
    nw = -(-p // cpw)
    if wbits <= WORD_LIMIT - 1:      # vectorized: every word fits a uint64
        codes = (lv & ((1 << wbits) - 1)).astype(np.uint64).reshape(tw * g * k, p)
        padded = np.zeros((tw * g * k, nw * cpw), np.uint64)
        padded[:, :p] = codes
        shifts = (np.arange(cpw, dtype=np.uint64) * np.uint64(wbits))[None, None, :]
        words = np.bitwise_or.reduce(padded.reshape(-1, nw, cpw) << shifts, axis=2).reshape(-1).tolist()
    else:                            # one code per word, wider than 63 bits: Python integers
        words = [int(c) & ((1 << wbits) - 1) for c in lv.reshape(-1).tolist()]
    word_bits = cpw * wbits
    lits = [f"0x{w:X}ULL" for w in words]
    rows = [", ".join(lits[i:i + 8]) for i in range(0, len(lits), 8)]
    array = ConstArray(name, f"ap_uint<{word_bits}>", len(words), rows, word_bits)
    ternary = bool(lv.size == 0 or (lo >= -1 and hi <= 1))
    zeros = float((lv == 0).mean()) if lv.size else 1.0
    return PackedWeights(array, wbits, cpw, nw, g * k, tw, ternary, zeros)
