"""C++ spellings of IR integers: value types, constant arrays and broadcast parameters.

Value types follow the integer IR exactly: ``spike`` → ``ap_uint<1>``, ``uint<k>`` →
``ap_uint<k>``, ``int<k>`` → ``ap_int<k>``, ``fixed<k,f>`` → ``ap_int<k>`` holding the raw
integer (its real value is ``raw · 2^-f``; every op works on raw integers).

A broadcast parameter is laid out by `snnc.backends.common.layout` (the rows
``[T_p][n]`` and the element index); here a uniform one becomes a literal in the code
(no memory; HLS folds a constant multiplier into shifts and adds) and any other one a
constant ``ap_int`` array read as ``p[(t % T_p) · n + index(i)]``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snnc.ir import DType, types

from ..common.layout import Layout, broadcast_layout
from ..common.literals import INT64_MAX, int_literal
from ..target import TargetError

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


def rows_text(values, per_row: int = 16) -> list[str]:
    """The literals of a flat integer sequence as initializer lines of `per_row` values."""
    lits = [int_literal(v) for v in values]
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
    """A broadcast parameter lowered for one value: an inline literal or the constant array `name`."""
    name: str
    layout: Layout
    bits: int

    @property
    def periodic(self) -> bool:
        return self.layout.periodic

    @property
    def literal_value(self) -> str | None:
        return int_literal(self.layout.constant) if self.layout.uniform else None

    def at(self, i: str = "i") -> str:
        """C++ expression of the parameter's value for element `i` at timestep `t`."""
        if self.layout.uniform:
            return self.literal_value
        return f"{self.name}[{self.layout.flat_index(i)}]"

    def factor(self) -> str:
        """The value as a multiplier: a literal is wrapped in its narrow ap_int (keeps the product narrow)."""
        return f"ap_int<{self.bits}>({self.literal_value})" if self.layout.uniform else self.at("i")

    def array(self) -> ConstArray | None:
        if self.layout.uniform:
            return None
        flat = self.layout.values.reshape(-1)
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
    """A broadcast parameter ``(T_p,) + B`` for a value of per-timestep `shape`, as `name`."""
    layout = broadcast_layout(int_values(array, what, node), shape)
    return BParam(name, layout, signed_bits(*layout.bounds) if layout.values.size else 2)
