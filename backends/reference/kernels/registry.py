"""The op name → kernel table and the decorator that fills it."""
from __future__ import annotations

from typing import Callable

KERNELS: dict[str, Callable] = {}


def kernel(op: str):
    """Register the decorated function as the kernel of `op`."""
    def deco(fn):
        if op in KERNELS:
            raise ValueError(f"kernel for {op!r} registered twice")
        KERNELS[op] = fn
        return fn
    return deco
