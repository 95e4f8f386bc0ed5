"""Element kinds and tensor types of IR values.

A value's type is its per-timestep shape (without T and B) and an element kind:

* ``spike``        — 1 bit, values {0, 1}
* ``int<k>``       — signed two's complement, k bits
* ``uint<k>``      — unsigned, k bits
* ``fixed<k,f>``   — signed k-bit integer read as ``raw · 2^-f``
* ``f32``          — IEEE float32

Text form of a type: ``spike[64]``, ``int<8>[1,8,8]``, ``fixed<24,8>[10]``, ``f32[]``.
Every value varies with time (it has a leading T axis at run time); whether a
*parameter* varies with time is told by its own leading axis (see `ir.ops.base`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

KINDS = ("spike", "int", "uint", "fixed", "f32")


@dataclass(frozen=True)
class DType:
    kind: str
    bits: int = 0
    frac: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown element kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if self.kind in ("int", "uint", "fixed") and not 1 <= self.bits <= 64:
            raise ValueError(f"{self.kind} width must be 1..64 bits, got {self.bits}")
        if self.kind == "fixed" and not 0 <= self.frac < self.bits:
            raise ValueError(f"fixed<{self.bits},{self.frac}>: fraction bits must be in 0..{self.bits - 1}")

    def __str__(self) -> str:
        if self.kind in ("spike", "f32"):
            return self.kind
        if self.kind == "fixed":
            return f"fixed<{self.bits},{self.frac}>"
        return f"{self.kind}<{self.bits}>"

    @property
    def is_float(self) -> bool:
        return self.kind == "f32"

    @property
    def is_integer(self) -> bool:
        """True for every kind stored as integers (spike, int, uint, fixed)."""
        return self.kind != "f32"

    @property
    def width(self) -> int:
        return 1 if self.kind == "spike" else (32 if self.kind == "f32" else self.bits)

    def range(self) -> tuple[int, int]:
        """Smallest and largest stored integer (raw value for fixed)."""
        if self.kind == "spike":
            return 0, 1
        if self.kind == "uint":
            return 0, (1 << self.bits) - 1
        if self.kind in ("int", "fixed"):
            return -(1 << (self.bits - 1)), (1 << (self.bits - 1)) - 1
        raise ValueError("f32 has no integer range")


SPIKE = DType("spike", 1)
F32 = DType("f32", 32)


def int_(bits: int) -> DType:
    return DType("int", bits)


def uint(bits: int) -> DType:
    return DType("uint", bits)


def fixed(bits: int, frac: int) -> DType:
    return DType("fixed", bits, frac)


def signed_bits(lo: int, hi: int) -> int:
    """Bits of the narrowest two's complement integer holding every integer of [lo, hi] (at least 1)."""
    lo, hi = int(lo), int(hi)
    return max(max(-lo - 1, 0).bit_length(), max(hi, 0).bit_length()) + 1


def bits_for_range(lo: int, hi: int) -> DType:
    """Narrowest int<k> (or uint<k> when lo ≥ 0) holding every integer in [lo, hi]."""
    lo, hi = int(lo), int(hi)
    if lo >= 0:
        return uint(max(1, int(hi).bit_length()))
    return int_(signed_bits(lo, hi))


def maxabs(*values) -> int | float:
    """Largest |v| over `values` (0 when there is none), exactly.

    Each value is a DType (its stored range), a number, an array, or None (skipped). Integers
    are compared as Python ints, so −2^63 and uint64 values are exact; a float array gives a float.
    """
    m = 0
    for v in values:
        if isinstance(v, DType):
            m = max(m, *(abs(e) for e in v.range()))
        elif isinstance(v, (int, float, np.number)):
            m = max(m, abs(v.item() if isinstance(v, np.number) else v))
        elif v is not None and v.size:
            conv = float if v.dtype.kind == "f" else int
            m = max(m, abs(conv(v.min())), abs(conv(v.max())))
    return m


def size_of(shape) -> int:
    """Number of elements of a per-timestep shape (1 for the scalar shape ())."""
    return int(np.prod(shape, dtype=np.int64)) if len(shape) else 1


def range_dtype(lo: int, hi: int) -> DType:
    """Like `bits_for_range` but {0,1} is `spike`-compatible uint<1>."""
    return bits_for_range(lo, hi)


_DTYPE_RE = re.compile(r"^(spike|f32|(int|uint)<(\d+)>|fixed<(\d+),(\d+)>)$")


def parse_dtype(text: str) -> DType:
    m = _DTYPE_RE.match(text.replace(" ", ""))
    if not m:
        raise ValueError(f"bad element type {text!r}; expected spike, f32, int<k>, uint<k> or fixed<k,f>")
    if m.group(1) in ("spike", "f32"):
        return SPIKE if m.group(1) == "spike" else F32
    if m.group(2):
        return DType(m.group(2), int(m.group(3)))
    return DType("fixed", int(m.group(4)), int(m.group(5)))


@dataclass(frozen=True)
class TensorType:
    shape: tuple[int, ...]
    dtype: DType

    def __post_init__(self):
        object.__setattr__(self, "shape", tuple(int(d) for d in self.shape))
        if any(d <= 0 for d in self.shape):
            raise ValueError(f"shape {list(self.shape)} has a non-positive dimension")

    def __str__(self) -> str:
        return f"{self.dtype}[{','.join(str(d) for d in self.shape)}]"

    @property
    def size(self) -> int:
        return size_of(self.shape)

    def with_dtype(self, dtype: DType) -> "TensorType":
        return TensorType(self.shape, dtype)


# Storage types of parameters: a parameter is a NumPy array; its element type in the
# text form is derived from the array's dtype.
_NP_TO_DTYPE = {
    np.dtype(np.float32): F32,
    np.dtype(np.int8): int_(8), np.dtype(np.int16): int_(16),
    np.dtype(np.int32): int_(32), np.dtype(np.int64): int_(64),
    np.dtype(np.uint8): uint(8), np.dtype(np.uint16): uint(16),
    np.dtype(np.uint32): uint(32), np.dtype(np.uint64): uint(64),
}
_DTYPE_TO_NP = {v: k for k, v in _NP_TO_DTYPE.items()}


def param_dtype(array: np.ndarray) -> DType:
    """Element type of a stored parameter (float32 or a machine integer type)."""
    try:
        return _NP_TO_DTYPE[np.dtype(array.dtype)]
    except KeyError:
        raise ValueError(f"parameters must be float32 or 8/16/32/64-bit integers, got {array.dtype}") from None


def numpy_dtype(dtype: DType) -> np.dtype:
    """NumPy storage dtype of a parameter element type (inverse of `param_dtype`)."""
    try:
        return _DTYPE_TO_NP[dtype]
    except KeyError:
        raise ValueError(f"{dtype} is not a parameter storage type (f32, int<8|16|32|64>, uint<8|16|32|64>)") from None


def normalize_param(array) -> np.ndarray:
    """Canonical stored form: float64/float16 become float32, bool becomes uint8; C-contiguous."""
    a = np.asarray(array)
    if a.dtype.kind == "f" and a.dtype != np.float32:
        a = a.astype(np.float32)
    elif a.dtype.kind == "b":
        a = a.astype(np.uint8)
    param_dtype(a)
    return np.ascontiguousarray(a)
