"""C integer types for IR values and parameters, and C literals.

Every integer IR type (spike, int<k>, uint<k>, fixed<k,f>) is stored in the
narrowest C99 `<stdint.h>` type that holds its range:

    spike, uint<1..8>  → uint8_t        int<1..8>, fixed<..8>   → int8_t
    uint<9..16>        → uint16_t       int / fixed <9..16>     → int16_t
    uint<17..32>       → uint32_t       int / fixed <17..32>    → int32_t
    anything wider     → int64_t   (the reference interpreter carries every value as int64,
                                     so a uint<33..64> value never exceeds 2^63 − 1)

Arithmetic is done in a *compute type* (`int32_t`, `int64_t` or the 128-bit
`snnc_i128`), chosen from a proven bound on every intermediate (`compute_type`). Literals
are `backends.common.literals.int_literal`'s.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snnc.ir import DType

from ..common.literals import INT64_MAX, INT64_MIN, int_literal

INT32_MAX = (1 << 31) - 1
I128_LIMIT = 1 << 126          # bounds we accept for the 128-bit path (headroom for one add)


@dataclass(frozen=True)
class CType:
    name: str          # C spelling
    np: str            # NumPy dtype name of the same layout
    lo: int
    hi: int

    @property
    def itemsize(self) -> int:
        return np.dtype(self.np).itemsize


UINT8 = CType("uint8_t", "uint8", 0, 255)
INT8 = CType("int8_t", "int8", -128, 127)
UINT16 = CType("uint16_t", "uint16", 0, 65535)
INT16 = CType("int16_t", "int16", -32768, 32767)
UINT32 = CType("uint32_t", "uint32", 0, (1 << 32) - 1)
INT32 = CType("int32_t", "int32", -(1 << 31), INT32_MAX)
INT64 = CType("int64_t", "int64", INT64_MIN, INT64_MAX)
UINT64 = CType("uint64_t", "uint64", 0, (1 << 64) - 1)

_BY_RANGE = (UINT8, INT8, UINT16, INT16, UINT32, INT32, INT64)


def ctype_for_range(lo: int, hi: int) -> CType:
    """Narrowest storage type holding every integer in [lo, hi] (int64 beyond 32 bits)."""
    for ct in _BY_RANGE:
        if ct.lo <= lo and hi <= ct.hi:
            return ct
    return INT64


def storage_ctype(dtype: DType) -> CType:
    """Storage type of a value of integer IR type `dtype` (see the module docstring)."""
    lo, hi = dtype.range()
    return ctype_for_range(lo, min(hi, INT64_MAX))


def array_ctype(a: np.ndarray) -> CType:
    """Narrowest storage type for the actual values of an integer parameter array."""
    if a.size == 0:
        return INT8
    return ctype_for_range(int(a.min()), int(a.max()))


def compute_type(bound: int) -> str | None:
    """C type in which every intermediate of magnitude ≤ `bound` is exact, or None if none is.

    int32_t up to 2^31 − 1, int64_t up to 2^63 − 1, snnc_i128 up to 2^126."""
    if bound <= INT32_MAX:
        return "int32_t"
    if bound <= INT64_MAX:
        return "int64_t"
    if bound <= I128_LIMIT:
        return "snnc_i128"
    return None


def widest(*names: str) -> str:
    order = ("int32_t", "int64_t", "snnc_i128")
    return max(names, key=order.index)
