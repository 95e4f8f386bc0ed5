"""snnc.backends — the targets: each renders a deployable IR graph into code and runs it.

`TARGETS` maps a name to its `Target` class (`target.py`); every target module is
imported here explicitly. Backends import `snnc.ir` only, never the frontend or torch.
"""
from .reference import target as _reference_target  # noqa: F401
from .hls import target as _hls_target  # noqa: F401
from .cpu import target as _cpu_target  # noqa: F401
from .onnx import target as _onnx_target  # noqa: F401
from .loihi import target as _loihi_target  # noqa: F401
from .nir import target as _nir_target  # noqa: F401
from .target import TARGETS, Target, TargetError, get_target, register

__all__ = ["TARGETS", "Target", "TargetError", "get_target", "register"]
