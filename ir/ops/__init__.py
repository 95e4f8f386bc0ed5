"""The op set: one definition per op (equation in its docstring, type inference, rules).

Importing this package registers every op in `OPS` (name → definition class).
"""
from . import add, batchnorm, conv2d, io, lif, linear, multispike, neuron_int, pool2d, scale, shape, spike_matmul  # noqa: F401
from . import mul, reduce_sum  # noqa: F401
from .base import OPS, Attr, OpDef, Param, get_op, register, time_slice

__all__ = ["OPS", "Attr", "OpDef", "Param", "get_op", "register", "time_slice"]
