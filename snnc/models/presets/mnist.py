"""The ternary-SNN paper's MNIST networks (Wu et al., Frontiers of Computer Science 2025,
MNIST results table).

``plif_mnist`` — SNN-PLIF 2Conv + 2FC (Fang et al. 2021, the MNIST / Fashion-MNIST network):

    {QConv3×3(128) → BN → PLIF → maxpool 2}×2 → flatten → dropout → QLinear(2048) → PLIF → dropout
    → QLinear(10·voting) → PLIF → Voting(voting)

The readout is the mean spike count of ``voting`` neurons per class (SpikingJelly's
``VotingLayer``). ``fc_mnist`` — a fully connected net: flatten → (QLinear → neuron → dropout)
per ``hidden`` → QLinear(10·voting) → neuron → Voting(voting).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from torch import nn

from snnc.errors import ConfigError
from snnc.nn import Voting

from ..config import ModelConfig, _ints
from ..layers import LayerFactory
from .base import PresetModel, image_shape


def _voting(cfg) -> None:
    if not isinstance(cfg.voting, int) or cfg.voting < 1:
        raise ConfigError(f"voting (neurons per class) must be an integer >= 1, got {cfg.voting!r}")


@dataclass
class PLIFNetConfig(ModelConfig):
    input_shape: list = field(default_factory=lambda: [1, 28, 28])
    neuron: str = "plif"
    beta: float = 0.5
    channels: list = field(default_factory=lambda: [128, 128])
    fc_hidden: int = 2048
    voting: int = 10
    dropout: float = 0.5

    def __post_init__(self):
        super().__post_init__()
        self.channels = _ints("channels", self.channels)
        _voting(self)


class PLIFNet(PresetModel):
    def __init__(self, cfg: PLIFNetConfig, name: str):
        super().__init__(cfg, name)
        f = LayerFactory(cfg)
        c, h, w = image_shape(cfg, name)
        mods = []
        for i, width in enumerate(cfg.channels):
            mods += [f.conv(c, width, 3, 1, 1, "first" if i == 0 else "hidden", bias=False),
                     f.seq(nn.BatchNorm2d(width)), f.neuron(width), f.seq(nn.MaxPool2d(2))]
            c, h, w = width, h // 2, w // 2
        if min(h, w) < 1:
            raise ConfigError(f"input_shape {cfg.input_shape} is too small for {len(cfg.channels)} pools")
        out = cfg.num_classes * cfg.voting
        mods += [f.seq(nn.Flatten()), f.dropout(), f.linear(c * h * w, cfg.fc_hidden, bias=False),
                 f.neuron(cfg.fc_hidden), f.dropout(), f.linear(cfg.fc_hidden, out, "last", bias=False),
                 f.neuron(out), Voting(cfg.voting)]
        self.layers = nn.Sequential(*mods)

    def forward(self, x):
        return self.layers(x)


@dataclass
class FCNetConfig(ModelConfig):
    input_shape: list = field(default_factory=lambda: [1, 28, 28])
    hidden: list = field(default_factory=lambda: [1000])
    voting: int = 10

    def __post_init__(self):
        super().__post_init__()
        self.hidden = _ints("hidden", self.hidden)
        _voting(self)


class FCNet(PresetModel):
    def __init__(self, cfg: FCNetConfig, name: str):
        super().__init__(cfg, name)
        f = LayerFactory(cfg)
        mods = [] if len(cfg.input_shape) == 1 else [f.seq(nn.Flatten())]
        n = math.prod(cfg.input_shape)
        for i, hidden in enumerate(cfg.hidden):
            mods += [f.linear(n, hidden, "first" if i == 0 else "hidden"), f.neuron(hidden), f.dropout()]
            n = hidden
        out = cfg.num_classes * cfg.voting
        mods += [f.linear(n, out, "last"), f.neuron(out), Voting(cfg.voting)]
        self.layers = nn.Sequential(*mods)

    def forward(self, x):
        return self.layers(x)
