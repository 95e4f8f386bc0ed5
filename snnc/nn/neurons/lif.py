"""LIF and IF neurons (equations in `base.py`)."""
from __future__ import annotations

from snnc.errors import ConfigError

from .base import SpikingNeuron, f32


class LIF(SpikingNeuron):
    """Leaky integrate-and-fire: ``h = beta·v[t-1] + I[t]``, then spike and reset (see base.py).

    `beta` is a fixed decay in [0, 1] (float32). `ir_params()` returns
    ``{"beta", "threshold", "reset", "compare", "v_reset"}`` as plain floats / strings.
    """

    ir_op = "lif"

    def __init__(self, beta: float = 0.9, threshold: float = 1.0, reset: str = "subtract",
                 v_reset: float = 0.0, compare: str = "ge", surrogate=None, detach_reset: bool = False):
        super().__init__(threshold, reset, v_reset, compare, surrogate, detach_reset)
        if not 0.0 <= beta <= 1.0:
            raise ConfigError(f"LIF beta must lie in [0, 1], got {beta}")
        self.beta = f32(beta)

    def _beta(self, x):
        return self.beta

    def ir_params(self) -> dict:
        return {"beta": self.beta, **self._common_params()}


class IF(LIF):
    """Integrate-and-fire: LIF with beta = 1 (same code path): ``h = v[t-1] + I[t]``."""

    ir_op = "if"

    def __init__(self, threshold: float = 1.0, reset: str = "subtract", v_reset: float = 0.0,
                 compare: str = "ge", surrogate=None, detach_reset: bool = False):
        super().__init__(1.0, threshold, reset, v_reset, compare, surrogate, detach_reset)
