"""Dropout that can stay on at eval time, and `mc_mode` for Monte-Carlo passes.

`MCDropout` is `torch.nn.Dropout` (``y = x ⊙ M / (1−p)``, M ~ Bernoulli(1−p) per
element, drawn independently at every timestep) that is active while training
or when its ``mc`` flag is set. `mc_mode(model, on)` sets that flag on every
`MCDropout` and on every `QLinear` / `QConv2d` (their DropConnect), so that
uncertainty estimates can run many stochastic passes with the model in eval
mode (BatchNorm frozen). A plain `torch.nn.Dropout` found in the model is
switched with ``.train(on)`` instead (a later ``model.eval()`` turns it off again;
switching off restores the model's own mode).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .quant.qlayer import QuantLayer


class MCDropout(nn.Dropout):
    """`torch.nn.Dropout` that also samples in eval mode when ``self.mc`` is True."""

    def __init__(self, p: float = 0.5):
        super().__init__(p)
        self.mc = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.dropout(x, self.p, self.training or self.mc, self.inplace)


def mc_mode(model: nn.Module, on: bool) -> nn.Module:
    """Switch dropout and DropConnect sampling on (or off) at eval time; returns `model`."""
    on = bool(on)
    for m in model.modules():
        if isinstance(m, (MCDropout, QuantLayer)):
            m.mc = on
        elif isinstance(m, nn.Dropout):
            m.train(on or model.training)
    return model
