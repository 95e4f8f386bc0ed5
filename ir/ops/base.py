"""The op definition protocol and the helpers op files share.

An op is one `OpDef` subclass in its own file under `ir/ops/`, registered with
`@register`. It declares its operand count, attributes (`Attr`) and parameters
(`Param`), states its equation in its docstring, and implements

* `infer(node, graph) -> TensorType` — the result type, from the operand types,
  attributes and (for integer ops) the actual parameter values (range analysis);
* `check(node, graph)` — the op's own rules, raising `VerifyError` via `fail`.

Conventions shared by all ops:

* **Time-varying parameters** have a leading time axis. A *broadcast
  parameter* (neuron constants, per-channel scales, biases) has shape
  ``(T_p,) + B`` where ``len(B)`` equals the rank of the value it applies to
  and each dim of ``B`` is 1 or equal to the value's dim (NumPy broadcasting);
  at timestep t the slice ``p[t % T_p]`` applies. ``T_p = 1`` means static.
* A **weight bank** is a `linear`/`conv2d` weight with one extra leading axis
  ``T_w``; at timestep t the matrix ``W[t % T_w]`` applies.
* Integer arithmetic is exact in two's complement; ``>>`` is an arithmetic
  shift (floor division by a power of two).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import VerifyError
from ..types import F32, SPIKE, DType, TensorType, bits_for_range, fixed, param_dtype

REQUIRED = object()

OPS: dict[str, type["OpDef"]] = {}


def register(cls):
    """Class decorator: add an op definition to the registry under `cls.name`."""
    if cls.name in OPS:
        raise ValueError(f"op {cls.name!r} registered twice")
    OPS[cls.name] = cls
    return cls


def get_op(name: str, node: str | None = None) -> "OpDef":
    try:
        return OPS[name]()
    except KeyError:
        raise VerifyError(f"unknown op {name!r}; known ops: {', '.join(sorted(OPS))}", node=node) from None


@dataclass(frozen=True)
class Attr:
    """An attribute: `kind` is int, float, bool, str, ints (tuple of int) or floats."""
    name: str
    kind: str
    default: Any = REQUIRED
    choices: tuple = ()
    length: int | None = None   # for ints/floats: required tuple length

    def coerce(self, value, node):
        def bad(why):
            raise VerifyError(f"attribute {self.name}={value!r}: {why}", node=node)

        k = self.kind
        if k == "bool":
            if not isinstance(value, (bool, np.bool_)):
                bad("expected true or false")
            value = bool(value)
        elif k == "int":
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                bad("expected an integer")
            value = int(value)
        elif k == "float":
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                bad("expected a number")
            try:
                value = float(value)
            except OverflowError:
                bad("out of the float range")
        elif k == "str":
            if not isinstance(value, str):
                bad("expected a string")
        elif k in ("ints", "floats"):
            if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                value = (value,) * (self.length or 1)
            if not isinstance(value, (tuple, list)):
                bad("expected a tuple")
            conv = int if k == "ints" else float
            out = []
            for v in value:
                if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                    bad("expected a tuple of numbers")
                if k == "ints" and not float(v).is_integer():
                    bad("expected a tuple of integers")
                try:
                    out.append(conv(v))
                except OverflowError:
                    bad("out of the float range")
            value = tuple(out)
            if self.length is not None and len(value) != self.length:
                bad(f"expected {self.length} values")
        else:  # pragma: no cover - op definition error
            raise TypeError(f"bad attribute kind {k}")
        if self.choices and value not in self.choices:
            bad(f"expected one of {', '.join(map(repr, self.choices))}")
        return value


@dataclass(frozen=True)
class Param:
    """A parameter role: `required`, and whether the array must be float or integer."""
    role: str
    required: bool = True
    storage: str = "any"   # any | float | int


def time_slice(array: np.ndarray, t: int) -> np.ndarray:
    """The slice of a time-varying parameter or weight bank that applies at timestep t."""
    return array[t % array.shape[0]]


class OpDef:
    name: ClassVar[str]
    arity: ClassVar[int | None] = 1          # None: two or more operands
    attrs: ClassVar[tuple[Attr, ...]] = ()
    params: ClassVar[tuple[Param, ...]] = ()
    stateful: ClassVar[bool] = False         # has state carried across timesteps
    integer: ClassVar[bool] = False          # an integer-only op (the *_int forms)

    # ---------------------------------------------------------------- attrs
    def complete_attrs(self, attrs: dict, node: str | None) -> dict:
        known = {a.name: a for a in self.attrs}
        for k in attrs:
            if k not in known:
                allowed = ", ".join(known) or "none"
                raise VerifyError(f"{self.name} has no attribute {k!r} (allowed: {allowed})", node=node)
        out = {}
        for a in self.attrs:
            if a.name in attrs:
                out[a.name] = a.coerce(attrs[a.name], node)
            elif a.default is REQUIRED:
                raise VerifyError(f"{self.name} needs attribute {a.name!r}", node=node)
            else:
                out[a.name] = a.default
        return out

    # ---------------------------------------------------------------- checks
    def fail(self, node, message: str):
        raise VerifyError(message, node=node.name)

    def check_signature(self, node, graph):
        """Operand count, attributes and parameter roles (generic per-op rules)."""
        n = len(node.operands)
        if self.arity is None and n < 2:
            self.fail(node, f"{self.name} takes two or more operands, got {n}")
        if self.arity is not None and n != self.arity:
            self.fail(node, f"{self.name} takes {self.arity} operand(s), got {n}")
        checked = self.complete_attrs(node.attrs, node.name)
        if checked != node.attrs:
            self.fail(node, f"attributes are not in canonical form: {node.attrs}")
        roles = {p.role: p for p in self.params}
        for role, key in node.params.items():
            if role not in roles:
                self.fail(node, f"{self.name} has no parameter {role!r} (allowed: {', '.join(roles) or 'none'})")
            if key not in graph.params:
                self.fail(node, f"parameter @{key} is not in the parameter store")
            arr = graph.params[key]
            kind = param_dtype(arr)
            if roles[role].storage == "float" and not kind.is_float:
                self.fail(node, f"parameter {role} must be float32, got {kind}")
            if roles[role].storage == "int" and kind.is_float:
                self.fail(node, f"parameter {role} must be integer, got {kind}")
        for p in self.params:
            if p.required and p.role not in node.params:
                self.fail(node, f"{self.name} needs parameter {p.role!r}")

    def check_broadcast(self, node, graph, role: str, shape: tuple[int, ...]):
        """A broadcast parameter: shape (T_p,) + B with B broadcastable to `shape`, same rank."""
        arr = graph.param(node, role)
        if arr is None:
            return
        want = len(shape) + 1
        if arr.ndim != want:
            self.fail(node, f"parameter {role} has shape {list(arr.shape)}; expected rank {want} "
                            f"(a leading time axis, then dims broadcastable to {list(shape)})")
        if arr.shape[0] < 1:
            self.fail(node, f"parameter {role} has an empty time axis")
        for d, (p, s) in enumerate(zip(arr.shape[1:], shape)):
            if p not in (1, s):
                self.fail(node, f"parameter {role} has shape {list(arr.shape)}, which does not broadcast "
                                f"to the value shape {list(shape)} (dim {d + 1})")

    def check(self, node, graph):
        """The op's own rules; the default has none beyond type inference."""

    # ---------------------------------------------------------------- types
    def infer(self, node, graph) -> TensorType:
        try:
            self.check_signature(node, graph)
            self.check(node, graph)
            return self.infer_type(node, graph, graph.operand_types(node))
        except VerifyError as e:
            if e.node is None:          # raised by a shared helper: name the node here
                raise VerifyError(e.detail, node=node.name) from None
            raise

    def infer_type(self, node, graph, ins: list[TensorType]) -> TensorType:
        raise NotImplementedError

    # ---------------------------------------------------------------- helpers
    def need_float(self, node, t: TensorType, what="input"):
        if not t.dtype.is_float:
            self.fail(node, f"{self.name} is a float op but its {what} is {t.dtype}; "
                            f"use the integer form of the op in integer graphs")

    def need_integer(self, node, t: TensorType, what="input"):
        if t.dtype.is_float:
            self.fail(node, f"{self.name} is an integer op but its {what} is f32; run integerize first")


def value_range(dtype: DType) -> tuple[int, int]:
    return dtype.range()


def integer_result(lo: int, hi: int, like: list[DType]) -> DType:
    """Narrowest integer type for [lo, hi]; fixed-point when the operands are fixed with one `frac`.

    A range that needs more than 64 bits is a VerifyError (no target can hold it)."""
    fracs = {d.frac for d in like if d.kind == "fixed"}
    need = max((-int(lo) - 1).bit_length() if lo < 0 else 0, int(hi).bit_length()) + (1 if lo < 0 else 0)
    if need > 63 if fracs else need > 64:
        raise VerifyError(f"the result range [{lo}, {hi}] needs {need} bits, more than 64; "
                          f"use smaller weights or narrower inputs")
    base = bits_for_range(lo, hi)
    if fracs:
        (frac,) = fracs if len(fracs) == 1 else (max(fracs),)
        bits = base.bits + (1 if base.kind == "uint" else 0)
        return fixed(max(bits, frac + 1), frac)
    return base


def matmul_range(weight: np.ndarray, lo: int, hi: int, axes: tuple[int, ...]) -> tuple[int, int]:
    """Exact bounds of Σ_i w_i·x_i for x_i in [lo, hi], reduced over `axes`, min/max over the rest.

    With pos = Σ max(w, 0) and neg = Σ min(w, 0) per row: the top is hi·pos + lo·neg and the
    bottom lo·pos + hi·neg (lo ≤ hi). Row sums are exact in int64; the products use int64 when
    they cannot overflow and exact Python integers otherwise.
    """
    if weight.size == 0:
        return 0, 0
    w = weight.astype(np.int64, copy=False)
    pos = np.clip(w, 0, None).sum(axis=axes)
    neg = np.clip(w, None, 0).sum(axis=axes)
    lo, hi = int(lo), int(hi)
    big = max(abs(lo), abs(hi)) * (int(pos.max()) - int(neg.min()))
    if big >= 1 << 62:
        pos, neg = pos.astype(object), neg.astype(object)
    top = hi * pos + lo * neg
    bot = lo * pos + hi * neg
    return int(bot.min()), int(top.max())


def synaptic_type(node, graph, x: TensorType, shape: tuple[int, ...], axes: tuple[int, ...]) -> TensorType:
    """Result type of linear / conv2d: f32 when anything is float (input, weight, bias) or a scale
    is present; else the exact integer range of the weight bank (reduced over `axes`) plus bias."""
    w, b = graph.param(node, "weight"), graph.param(node, "bias")
    if (x.dtype.is_float or param_dtype(w).is_float or "scale" in node.params
            or (b is not None and param_dtype(b).is_float)):
        return TensorType(shape, F32)
    lo, hi = x.dtype.range()
    bank = w if w.ndim == len(axes) + 2 else w[None]
    rlo, rhi = add_bias_range(*matmul_range(bank, lo, hi, axes=axes), b)
    return TensorType(shape, integer_result(rlo, rhi, [x.dtype]))


def add_bias_range(lo: int, hi: int, bias: np.ndarray | None) -> tuple[int, int]:
    if bias is None:
        return lo, hi
    b = bias.astype(np.int64)
    return lo + int(min(b.min(), 0)), hi + int(max(b.max(), 0))


__all__ = ["Attr", "Param", "OpDef", "OPS", "register", "get_op", "time_slice", "REQUIRED",
           "F32", "SPIKE", "TensorType", "integer_result", "matmul_range", "add_bias_range",
           "value_range", "bits_for_range"]
