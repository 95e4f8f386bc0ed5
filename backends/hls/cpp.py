"""C++ spellings of IR integers: value types, literals, constant arrays and broadcast parameters.

Value types follow the integer IR exactly: ``spike`` → ``ap_uint<1>``, ``uint<k>`` →
``ap_uint<k>``, ``int<k>`` → ``ap_int<k>``, ``fixed<k,f>`` → ``ap_int<k>`` holding the raw
integer (its real value is ``raw · 2^-f``; every op works on raw integers).

A broadcast parameter ``p`` of shape ``(T_p,) + B`` applied to a value of shape S becomes
a constant array indexed by the element's flat (row-major) index ``i`` and the timestep:

* every dim of B is 1 (per tensor) and ``T_p = 1``: a literal in the code (no memory;
  HLS folds a constant multiplier into shifts and adds);
* the dims of S that B does not broadcast (``B_d = S_d > 1``) are contiguous, ``a..z``:
  ``p[(t % T_p) · n + (i / inner) % n]`` with ``n = S_a···S_z`` and ``inner = S_{z+1}···``
  (per channel of ``[C, H, W]``: ``i / (H·W)``; per feature of ``[N, F]``: ``i % F``);
* otherwise the parameter is expanded to the whole shape: ``p[(t % T_p) · |S| + i]``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snnc.ir import DType, types
from snnc.ir.types import maxabs  # noqa: F401 -- the IR's helper, imported from here by the layers

from ..target import TargetError

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
MAX_WIDTH = 128          # widest ap_int the generated code uses (the shim's limit)


def cpp_type(dtype: DType) -> str:
    """The ap type that holds a value of the integer IR type `dtype` (raw integers)."""
    if dtype.kind == "spike":
        return "ap_uint<1>"
    if dtype.kind == "uint":
        return f"ap_uint<{dtype.bits}>"
    if dtype.kind in ("int", "fixed"):
        return f"ap_int<{dtype.bits}>"
    raise TargetError(f"the hls target implements integer graphs only; got a value of type {dtype} "
                      "(run the integerize pass, or use the reference target for float graphs)")


def signed_bits(lo: int, hi: int) -> int:
    """Bits of the narrowest ap_int holding every integer of [lo, hi]: `ir.types.signed_bits`, at least 2."""
    return max(2, types.signed_bits(lo, hi))


maxabs_values = maxabs   # the layers' name for `ir.types.maxabs` of a parameter array


def literal(v: int) -> str:
    """A C++ integer literal of exactly `v` (any int64); plain below 2^31, else with LL."""
    v = int(v)
    if not INT64_MIN <= v <= INT64_MAX:
        raise TargetError(f"the constant {v} does not fit 64 bits; the hls target stores constants as int64")
    if v == INT64_MIN:
        return "(-9223372036854775807LL - 1)"
    if -(1 << 31) < v < (1 << 31):
        return str(v)
    return f"{v}LL"


def rows_text(values, per_row: int = 16) -> list[str]:
    """The literals of a flat integer sequence as initializer lines of `per_row` values."""
    lits = [literal(v) for v in values]
    return [", ".join(lits[k:k + per_row]) for k in range(0, len(lits), per_row)]


@dataclass(frozen=True)
class ConstArray:
    """A constant (ROM) array of the generated code: ``static const ctype name[len] = {...};``."""
    name: str
    ctype: str
    length: int
    rows: list          # initializer lines
    bits: int           # width of one element (for the memory estimate)


@dataclass(frozen=True)
class BParam:
    """A broadcast parameter lowered for one value: an inline literal or a constant array."""
    name: str
    values: np.ndarray      # int64 [T_p, n]
    literal_value: str | None
    index: str              # element index expression in terms of `i` (unused for a literal)
    bits: int

    @property
    def periodic(self) -> bool:
        return self.values.shape[0] > 1

    def at(self, i: str = "i") -> str:
        """C++ expression of the parameter's value for element `i` at timestep `t`."""
        if self.literal_value is not None:
            return self.literal_value
        tp, n = self.values.shape
        elem = self.index.replace("{i}", i)
        if tp > 1:
            return f"{self.name}[(t % {tp}) * {n} + {elem}]"
        return f"{self.name}[{elem}]"

    def array(self) -> ConstArray | None:
        if self.literal_value is not None:
            return None
        flat = self.values.reshape(-1)
        return ConstArray(self.name, f"ap_int<{self.bits}>", flat.size, rows_text(flat.tolist()), self.bits)


def int_values(array: np.ndarray, what: str, node: str) -> np.ndarray:
    """An integer parameter as int64, refusing float parameters and uint64 values above 2^63 − 1."""
    if array.dtype.kind not in "iu":
        raise TargetError(f"node %{node}: parameter {what} is {array.dtype}; the hls target needs the integer "
                          "graph (run the integerize pass)")
    if array.dtype == np.uint64 and array.size and int(array.max()) > INT64_MAX:
        raise TargetError(f"node %{node}: parameter {what} has values above 2^63 − 1; store it as int64")
    return array.astype(np.int64)


def broadcast_param(array: np.ndarray, shape: tuple[int, ...], name: str, what: str, node: str) -> BParam:
    """Lower a broadcast parameter ``(T_p,) + B`` for a value of per-timestep `shape` (module docstring)."""
    p = int_values(array, what, node)
    tp = p.shape[0]
    b = p.shape[1:]
    bits = signed_bits(int(p.min()), int(p.max())) if p.size else 2
    varying = [d for d, (bd, sd) in enumerate(zip(b, shape)) if bd == sd and sd > 1]
    if not varying:
        flat = p.reshape(tp, -1)[:, :1]
        if tp == 1:
            return BParam(name, flat, literal(int(flat[0, 0])), "", bits)
        return BParam(name, flat, None, "0", bits)
    a, z = varying[0], varying[-1]
    if all(shape[d] == 1 or d in varying for d in range(a, z + 1)):
        n = int(np.prod(shape[a:z + 1]))
        inner = int(np.prod(shape[z + 1:])) if z + 1 < len(shape) else 1
        # outside a..z every dim of B is 1: broadcast over a..z only, then flatten
        window = tuple(s if a <= d <= z else 1 for d, s in enumerate(shape))
        vals = np.ascontiguousarray(np.broadcast_to(p, (tp,) + window))
        expr = "{i}" if inner == 1 else f"({{i}} / {inner})"
        if n * inner != int(np.prod(shape)):
            expr = f"({expr} % {n})"
        return BParam(name, vals.reshape(tp, n), None, expr, bits)
    full = np.ascontiguousarray(np.broadcast_to(p, (tp,) + tuple(shape))).reshape(tp, -1)
    return BParam(name, full, None, "{i}", bits)
