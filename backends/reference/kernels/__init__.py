"""Kernels of the reference interpreter: one function per IR op, in a name → function table.

A kernel is ``fn(ctx, node, *operands) -> value``: operands and result are arrays
``[T, B, *shape]`` (float32 for f32 types, int64 raw integers otherwise; a kernel
may return an object array of Python ints, which the interpreter range-checks and
narrows). Each kernel implements exactly the equation in its op's docstring
(`ir/ops/*.py`); the kernel's own docstring says how it evaluates it.
"""
from .registry import KERNELS, kernel
from . import io, dense, conv, pool, elementwise, neurons, neurons_int, multispike  # noqa: F401,E402

__all__ = ["KERNELS", "kernel"]
