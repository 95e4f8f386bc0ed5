"""The multi-step LIF dynamics shared by LIF, IF, PLIF and CubaLIF.

All neurons take a time-major input current ``I [T, B, ...]`` and return spikes
of the same shape. State starts at 0 at every call (v[-1] = 0, i[-1] = 0) and
is not kept between calls. For t = 0 … T-1, with every constant a float32
value (constants are rounded to float32 when the neuron is built, so that the
float64 of `ir_params()` and the float32 arithmetic agree exactly):

    h    = beta · v[t-1] + I[t]        (the product first, then the sum)
    s[t] = h >= threshold              (compare = "ge", SpikingJelly)
           h >  threshold              (compare = "gt", snnTorch / NIR / Loihi)
    v[t] = s ? v_reset : h             (reset = "zero", computed as h·(1−s) + v_reset·s,
                                        which is exact for s ∈ {0, 1})
           h − s · threshold           (reset = "subtract")
           h                           (reset = "none")

Backward, the step uses the neuron's surrogate gradient (`snnc.nn.surrogate`);
`detach_reset=True` stops the gradient through s in the reset term.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from snnc.errors import ConfigError

from ..surrogate import get_surrogate

RESETS = ("subtract", "zero", "none")
COMPARES = ("ge", "gt")


def f32(value: float) -> float:
    """`value` rounded to the nearest float32, returned as a Python float."""
    return float(np.float32(value))


def check_time_major(x: torch.Tensor, who: str) -> None:
    """Raise ConfigError unless x is a time-major tensor [T, B, ...]."""
    if x.dim() < 2:
        raise ConfigError(f"{who} expects a time-major input [T, B, ...], got shape {tuple(x.shape)}; "
                          f"add the time axis first (x.unsqueeze(0) for T = 1)")


class SpikingNeuron(nn.Module):
    """Base of the LIF family: threshold, reset rule, comparison and surrogate.

    Subclasses provide `_decays(x)` (the beta, and alpha for CubaLIF) and may
    override `_current`; `forward` runs the equations of the module docstring.
    """

    ir_op = "lif"

    def __init__(self, threshold: float = 1.0, reset: str = "subtract", v_reset: float = 0.0,
                 compare: str = "ge", surrogate=None, detach_reset: bool = False):
        super().__init__()
        if reset not in RESETS:
            raise ConfigError(f"unknown reset {reset!r}; choose one of {', '.join(RESETS)}")
        if compare not in COMPARES:
            raise ConfigError(f"unknown compare {compare!r}; choose 'ge' (fire at h >= threshold) "
                              f"or 'gt' (fire at h > threshold)")
        if not np.isfinite(threshold) or threshold <= 0:
            raise ConfigError(f"threshold must be a finite number > 0, got {threshold}")
        self.threshold = f32(threshold)
        self.reset = reset
        self.v_reset = f32(v_reset)
        self.compare = compare
        self.surrogate = get_surrogate(surrogate)
        self.detach_reset = bool(detach_reset)

    # -- the pieces subclasses change -------------------------------------------------
    def _beta(self, x: torch.Tensor):
        """The membrane decay for this input: a float or a tensor broadcastable to x[t]."""
        raise NotImplementedError

    def _current(self, x: torch.Tensor):
        """The synaptic current sequence fed to the membrane (identity; CubaLIF filters it)."""
        return x

    # -- shared dynamics --------------------------------------------------------------
    def _spike_and_reset(self, h: torch.Tensor):
        s = self.surrogate.spike(h, self.threshold, self.compare)
        r = s.detach() if self.detach_reset else s
        if self.reset == "subtract":
            v = h - r * self.threshold
        elif self.reset == "zero":
            v = h * (1 - r) + self.v_reset * r
        else:
            v = h
        return s, v

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_time_major(x, type(self).__name__)
        beta = self._beta(x)
        v = torch.zeros_like(x[0])
        spikes = []
        for i_t in self._current(x):
            h = beta * v + i_t
            s, v = self._spike_and_reset(h)
            spikes.append(s)
        return torch.stack(spikes)

    def _common_params(self) -> dict:
        return {"threshold": self.threshold, "reset": self.reset, "compare": self.compare,
                "v_reset": self.v_reset}

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.ir_params().items() if not isinstance(v, np.ndarray))
