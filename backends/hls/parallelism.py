"""The per-layer parallelism knob: how many lanes a layer computes per clock cycle.

A layer with size N (output features of `linear`, output channels per group of
`conv2d`, columns of `spike_matmul`, elements of everything else) is computed in
N / P groups of P lanes, so P must divide N. A value that does not is refused with
the nearest valid values below and above, and the list of valid ones. The synaptic
layers also take SIMD (the `simd` option): the input lanes, which must divide the
fan-in (linear: input features; conv2d: C/groups · kh · kw; spike_matmul: K).
"""
from __future__ import annotations

from ..target import TargetError


def divisors(n: int) -> list[int]:
    small = [d for d in range(1, int(n ** 0.5) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def nearest_divisors(n: int, p: int) -> list[int]:
    """The divisors of n closest to p from below and from above (one or two values)."""
    ds = divisors(n)
    below = [d for d in ds if d < p]
    above = [d for d in ds if d > p]
    return ([below[-1]] if below else []) + ([above[0]] if above else [])


def check_lanes(node: str, lanes: int, size: int, what: str, option: str = "parallelism") -> int:
    """`lanes` if it divides `size`, else a TargetError that suggests the nearest valid values."""
    if size % lanes:
        near = " or ".join(str(d) for d in nearest_divisors(size, lanes))
        raise TargetError(f"{option} {lanes} for layer %{node} does not divide its {size} {what}; "
                          f"nearest valid values: {near} (option {option}={{{node!r}: {near.split(' ')[0]}}}); "
                          f"valid: {valid_text(size)}")
    return lanes


def valid_text(n: int, limit: int = 12) -> str:
    """The divisors of n, abridged in the middle past `limit` values."""
    ds = divisors(n)
    if len(ds) > limit:
        return ", ".join(map(str, ds[:limit // 2])) + ", …, " + ", ".join(map(str, ds[-limit // 2:]))
    return ", ".join(map(str, ds))
