"""Multi-step spiking neurons over time-major tensors ``[T, B, ...]``.

Every neuron starts from zero state at each call and exposes `ir_op` (the IR
op it maps to) and `ir_params()` (its constants as plain floats / NumPy arrays),
so a tracer reads it without running it.
"""
from .base import COMPARES, RESETS, SpikingNeuron
from .cuba import CubaLIF
from .ielif import IELIF
from .lif import IF, LIF
from .plif import PLIF

__all__ = ["SpikingNeuron", "LIF", "IF", "PLIF", "CubaLIF", "IELIF", "RESETS", "COMPARES"]
