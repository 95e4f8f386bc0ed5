"""Integer literals for generated C99 and C++: one spelling that both languages read exactly."""
from __future__ import annotations

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def int_literal(v: int) -> str:
    """A literal of exactly `v` (any int64): plain when it fits `int` (|v| < 2^31), else with ``LL``
    (long long is at least 64 bits in C99 and C++11), and INT64_MIN as an expression."""
    v = int(v)
    if not INT64_MIN <= v <= INT64_MAX:
        raise ValueError(f"the constant {v} does not fit 64 bits")
    if v == INT64_MIN:
        return "(-9223372036854775807LL - 1)"
    if -(1 << 31) < v < (1 << 31):
        return str(v)
    return f"{v}LL"
