"""Spiking MLP: [Flatten] → (QLinear → [BatchNorm1d] → neuron → dropout) × len(hidden) → QLinear readout."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from torch import nn

from snnc.errors import ConfigError

from .base import SpikingModel
from .config import ModelConfig, _ints, make_config
from .layers import LayerFactory


@dataclass
class MLPConfig(ModelConfig):
    hidden: list = field(default_factory=lambda: [128])
    batchnorm: bool = False

    def __post_init__(self):
        super().__post_init__()
        self.hidden = _ints("hidden", self.hidden) if self.hidden else []


class SpikingMLP(SpikingModel):
    """``layers``: an nn.Sequential ending with the readout `QLinear` (no neuron after it)."""

    arch = "mlp"

    def __init__(self, cfg: MLPConfig):
        super().__init__(cfg)
        f = LayerFactory(cfg)
        mods = [] if len(cfg.input_shape) == 1 else [f.seq(nn.Flatten())]
        width = math.prod(cfg.input_shape)
        for i, h in enumerate(cfg.hidden):
            mods.append(f.linear(width, h, "first" if i == 0 else "hidden"))
            if cfg.batchnorm:
                mods.append(f.seq(nn.BatchNorm1d(h)))
            mods += [f.neuron(h), f.dropout()]
            width = h
        mods.append(f.linear(width, cfg.num_classes, "last"))
        self.layers = nn.Sequential(*mods)

    def forward(self, x):
        return self.layers(x)


def build_mlp(**config) -> SpikingMLP:
    cfg = make_config(MLPConfig, "mlp", config)
    if cfg.neuron == "ielif" and not cfg.hidden:
        raise ConfigError("an MLP without hidden layers has no neuron; give hidden=[...]")
    return SpikingMLP(cfg)
