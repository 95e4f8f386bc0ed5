"""Current-based LIF."""
from __future__ import annotations

import torch

from snnc.errors import ConfigError

from .base import SpikingNeuron, f32


class CubaLIF(SpikingNeuron):
    """Current-based LIF, states i[-1] = v[-1] = 0:

        i[t] = alpha · i[t-1] + I[t]
        h    = beta · v[t-1] + i[t]
        then spike and reset of v as LIF (see base.py); the current is not reset.

    `ir_params()` returns ``{"alpha", "beta", "threshold", "reset", "compare", "v_reset"}``.
    """

    ir_op = "cuba_lif"

    def __init__(self, alpha: float = 0.5, beta: float = 0.9, threshold: float = 1.0,
                 reset: str = "subtract", v_reset: float = 0.0, compare: str = "ge",
                 surrogate=None, detach_reset: bool = False):
        super().__init__(threshold, reset, v_reset, compare, surrogate, detach_reset)
        for name, value in (("alpha", alpha), ("beta", beta)):
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"CubaLIF {name} must lie in [0, 1], got {value}")
        self.alpha, self.beta = f32(alpha), f32(beta)

    def _beta(self, x):
        return self.beta

    def _current(self, x):
        i = torch.zeros_like(x[0])
        for x_t in x:
            i = self.alpha * i + x_t
            yield i

    def ir_params(self) -> dict:
        return {"alpha": self.alpha, "beta": self.beta, **self._common_params()}
