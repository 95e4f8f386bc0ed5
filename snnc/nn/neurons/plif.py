"""Parametric LIF: a LIF whose decay is learned."""
from __future__ import annotations

import math

import torch
from torch import nn

from snnc.errors import ConfigError

from .base import SpikingNeuron


class PLIF(SpikingNeuron):
    """Parametric LIF (Fang et al. 2021): ``beta = sigmoid(w)`` with w learned,
    ``h = beta·v[t-1] + I[t]``, then spike and reset as LIF (see base.py).

    * ``per_channel=False``: one scalar w. ``per_channel=True``: one w per channel
      of dim 2 of the input ``[T, B, C, ...]``; `channels` (= C) is then required.
    * w starts at ``logit(init_beta)``.

    `ir_params()["beta"]` is ``sigmoid(w)`` computed exactly as in `forward`
    (float32): a float, or a float32 array of shape [C] when per channel.
    """

    ir_op = "plif"

    def __init__(self, init_beta: float = 0.5, per_channel: bool = False, channels: int | None = None,
                 threshold: float = 1.0, reset: str = "subtract", v_reset: float = 0.0,
                 compare: str = "ge", surrogate=None, detach_reset: bool = False):
        super().__init__(threshold, reset, v_reset, compare, surrogate, detach_reset)
        if not 0.0 < init_beta < 1.0:
            raise ConfigError(f"PLIF init_beta must lie in (0, 1), got {init_beta}")
        if per_channel and (channels is None or channels < 1):
            raise ConfigError("PLIF(per_channel=True) needs channels=<size of dim 2 of the input>")
        shape = (int(channels),) if per_channel else ()
        self.per_channel = bool(per_channel)
        self.w = nn.Parameter(torch.full(shape, math.log(init_beta / (1 - init_beta))))

    def _beta(self, x):
        beta = torch.sigmoid(self.w)
        if not self.per_channel:
            return beta
        if x.dim() < 3 or x.shape[2] != beta.shape[0]:
            raise ConfigError(f"PLIF has {beta.shape[0]} channels but the input has shape {tuple(x.shape)} "
                              f"(channels are dim 2 of [T, B, C, ...])")
        return beta.view(-1, *([1] * (x.dim() - 3)))

    def ir_params(self) -> dict:
        with torch.no_grad():
            beta = torch.sigmoid(self.w).detach().cpu().numpy()
        return {"beta": beta.copy() if self.per_channel else float(beta), **self._common_params()}
