"""Spiking CNN: 2 conv + 2 FC with parametric LIF (by default).

    QConv(k, pad k//2) → [BN2d] → neuron → pool(2) → QConv → [BN2d] → neuron → pool(2)
    → Flatten → dropout → QLinear(fc_hidden) → neuron → dropout → QLinear readout

pool is MaxPool2d or AvgPool2d (``pool="max" | "avg"``); per-timestep modules are `SeqWrap`ped.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from torch import nn

from snnc.errors import ConfigError

from .base import SpikingModel
from .config import MAX_UNITS, ModelConfig, _choice, _count, _ints, make_config
from .layers import LayerFactory


@dataclass
class CNNConfig(ModelConfig):
    input_shape: list = field(default_factory=lambda: [1, 8, 8])
    neuron: str = "plif"
    beta: float = 0.5
    channels: list = field(default_factory=lambda: [16, 32])
    kernel_size: int = 3
    fc_hidden: int = 64
    pool: str = "max"
    batchnorm: bool = True

    def __post_init__(self):
        super().__post_init__()
        self.channels = _ints("channels", self.channels)
        _count("kernel_size", self.kernel_size, 64)
        _count("fc_hidden", self.fc_hidden, MAX_UNITS)
        _choice("pool", self.pool, ("max", "avg"))
        if len(self.channels) != 2:
            raise ConfigError(f"the cnn has 2 conv layers: channels must have 2 entries, got {self.channels}")
        if len(self.input_shape) != 3:
            raise ConfigError(f"the cnn needs input_shape [C, H, W] (e.g. [1, 8, 8]), got {self.input_shape}")
        if min(self.input_shape[1:]) < 4:
            raise ConfigError(f"the cnn pools twice by 2: H and W must be >= 4, got {self.input_shape}")


class SpikingCNN(SpikingModel):
    arch = "cnn"

    def __init__(self, cfg: CNNConfig):
        super().__init__(cfg)
        f = LayerFactory(cfg)
        c_in, h, w = cfg.input_shape
        k = cfg.kernel_size
        pool = nn.MaxPool2d if cfg.pool == "max" else nn.AvgPool2d
        mods = []
        for i, c in enumerate(cfg.channels):
            mods.append(f.conv(c_in, c, k, 1, k // 2, "first" if i == 0 else "hidden"))
            if cfg.batchnorm:
                mods.append(f.seq(nn.BatchNorm2d(c)))
            mods += [f.neuron(c), f.seq(pool(2))]
            c_in = c
            h, w = (h + 2 * (k // 2) - k + 1) // 2, (w + 2 * (k // 2) - k + 1) // 2
        mods += [f.seq(nn.Flatten()), f.dropout(),
                 f.linear(c_in * h * w, cfg.fc_hidden), f.neuron(cfg.fc_hidden), f.dropout(),
                 f.linear(cfg.fc_hidden, cfg.num_classes, "last")]
        self.layers = nn.Sequential(*mods)

    def forward(self, x):
        return self.layers(x)


def build_cnn(**config) -> SpikingCNN:
    return SpikingCNN(make_config(CNNConfig, "cnn", config))
