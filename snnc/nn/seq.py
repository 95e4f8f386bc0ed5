"""`SeqWrap`: apply a per-sample module to every timestep of a time-major tensor."""
from __future__ import annotations

import torch
from torch import nn

from snnc.errors import ConfigError


class SeqWrap(nn.Module):
    """``y[t] = module(x[t])`` for ``x [T, B, ...]``, computed in one call on T·B samples:

        y = module(x.flatten(0, 1)).unflatten(0, (T, B))

    For stateless modules (pooling, Flatten, Identity) this is exactly per
    timestep. For BatchNorm the batch statistics of training are taken over
    T·B samples; in eval mode BN is an affine map per channel, again per
    timestep. A tracer treats `SeqWrap` as a leaf and lowers `module` (its one
    child) with the time axis removed.
    """

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() < 3:
            raise ConfigError(f"SeqWrap({type(self.module).__name__}) expects a time-major input [T, B, ...], "
                              f"got shape {tuple(x.shape)}")
        y = self.module(x.flatten(0, 1))
        return y.unflatten(0, (x.shape[0], x.shape[1]))
