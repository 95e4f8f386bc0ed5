"""`DeployableWeights`: what the compiler needs from one quantized layer, as plain NumPy data.

Contract (tested for every quantizer, Linear and Conv): for every timestep t the
layer's eval-mode output equals, with the same float operations,

    y[t] = (x[t] @ weight[t % T_w].T) * scale[t % T_w] + bias        (Linear)
    y[t] = conv2d(x[t], weight[t % T_w]) * scale[t % T_w] + bias     (Conv2d, per output channel)

— the integer-valued weight product first, then the scale, then the bias —
which is what the IR's `linear` / `conv2d` ops compute.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snnc.errors import ConfigError

METHODS = ("tawq", "mtawq", "ternary", "lsq", "ptq", "fp")


@dataclass(frozen=True)
class DeployableWeights:
    """Frozen weights of one layer.

    * ``weight``: integer levels, int8, ``[T_w, out, in]`` or ``[T_w, out, in_c, kh, kw]``
      (T_w = 1 for static weights); float32 for full precision ("fp").
    * ``scale``: float32 ``[T_w, out]`` (per timestep and output channel; all ones for "fp").
    * ``bias``: float32 ``[out]`` or None.
    * ``bits``: 2 for ternary, k for k-bit, 32 for float.
    * ``levels``: (lowest, highest) integer level of the method's level set ((0, 0) for "fp",
      which has no integer levels).
    * ``time_varying``: whether the levels change with the timestep (T_w > 1).
    * ``method``: "tawq", "mtawq", "ternary", "lsq", "ptq" or "fp".
    """

    weight: np.ndarray
    scale: np.ndarray
    bias: np.ndarray | None
    bits: int
    levels: tuple[int, int]
    time_varying: bool
    method: str

    def __post_init__(self):
        w, s = self.weight, self.scale
        if self.method not in METHODS:
            raise ConfigError(f"unknown weight method {self.method!r}; known: {', '.join(METHODS)}")
        if w.ndim not in (3, 5):
            raise ConfigError(f"weight must be [T_w, out, in] or [T_w, out, in_c, kh, kw], got {w.shape}")
        if w.dtype != (np.float32 if self.method == "fp" else np.int8):
            raise ConfigError(f"{self.method} weights must be {'float32' if self.method == 'fp' else 'int8'}, "
                              f"got {w.dtype}")
        if s.dtype != np.float32 or s.shape != w.shape[:2]:
            raise ConfigError(f"scale must be float32 [T_w, out] = {list(w.shape[:2])}, got {s.dtype} {s.shape}")
        if self.bias is not None and (self.bias.dtype != np.float32 or self.bias.shape != (w.shape[1],)):
            raise ConfigError(f"bias must be float32 [{w.shape[1]}], got {self.bias.dtype} {self.bias.shape}")
        if self.time_varying != (w.shape[0] > 1):
            raise ConfigError(f"time_varying={self.time_varying} does not match T_w={w.shape[0]}")
        lo, hi = self.levels
        if self.method != "fp" and w.size and (w.min() < lo or w.max() > hi):
            raise ConfigError(f"weight levels {int(w.min())}..{int(w.max())} exceed the level set {lo}..{hi}")

    @property
    def T_w(self) -> int:
        """Number of weight matrices in the bank (1 for static weights)."""
        return int(self.weight.shape[0])

    def dequantized(self) -> np.ndarray:
        """The real-valued weights ``weight · scale`` (per output channel), float32, same shape as weight."""
        s = self.scale.reshape(self.scale.shape + (1,) * (self.weight.ndim - 2))
        return self.weight.astype(np.float32) * s
