"""`LayerScale` and `Voting`: the two fixed-shape per-timestep maps the papers' networks add.

* ``LayerScale(C, init)`` (MetaFormer / CaiT): ``y = γ ⊙ x`` with a learned γ per channel,
  channel axis 2 of ``x [T, B, C, ...]``. The IR's ``scale`` op (per channel, static).
* ``Voting(k)`` (SpikingJelly's ``VotingLayer``, Fang et al. 2021): the readout of a
  population of ``k·n`` neurons as ``n`` classes, ``y[..., j] = mean_{i<k} x[..., j·k + i]``
  over the last axis. The IR's ``reshape`` → ``avgpool2d (1, k)`` → ``flatten``.
"""
from __future__ import annotations

import torch
from torch import nn

from snnc.errors import ConfigError


class LayerScale(nn.Module):
    """``y = gamma ⊙ x``, gamma ``[C]`` (initialised to `init`) over axis 2 of ``x [T, B, C, ...]``."""

    def __init__(self, channels: int, init: float = 1e-5):
        super().__init__()
        self.channels = int(channels)
        self.gamma = nn.Parameter(torch.full((self.channels,), float(init)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() < 3 or x.shape[2] != self.channels:
            raise ConfigError(f"LayerScale({self.channels}) expects [T, B, {self.channels}, ...], got "
                              f"{tuple(x.shape)}")
        return x * self.gamma.view(self.channels, *([1] * (x.dim() - 3)))

    def extra_repr(self) -> str:
        return f"{self.channels}"


class Voting(nn.Module):
    """``y[..., j] = mean(x[..., j·k : (j+1)·k])`` over the last axis (k = `k`, the voters per class)."""

    def __init__(self, k: int):
        super().__init__()
        if not isinstance(k, int) or k < 1:
            raise ConfigError(f"Voting k must be an integer >= 1 (neurons per class), got {k!r}")
        self.k = k

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() < 3 or x.shape[-1] % self.k:
            raise ConfigError(f"Voting({self.k}) expects [T, B, ..., n·{self.k}], got {tuple(x.shape)}")
        return x.unflatten(-1, (x.shape[-1] // self.k, self.k)).mean(-1)

    def extra_repr(self) -> str:
        return f"k={self.k}"
