"""Spiking VGG: conv3×3 → BN → SN per entry of ``features`` ("M": maxpool 2×2), then the classifier.

    features → flatten → (dropout → QLinear → SN) per ``fc_hidden`` → dropout → QLinear readout

``vgg11`` is configuration A of Simonyan & Zisserman 2015 (64 M 128 M 256 256 M 512 512 M 512 512 M)
with the 4096-4096 classifier; for 224×224 inputs the last map is 7×7 (25088 inputs to the
first FC). With ``fc_hidden=[]`` and ``pool_head=true`` the map is averaged first (the
single-FC CIFAR variant).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from torch import nn

from snnc.errors import ConfigError

from ..config import ModelConfig, _ints
from ..layers import LayerFactory
from .base import PresetModel, image_shape


@dataclass
class VGGConfig(ModelConfig):
    input_shape: list = field(default_factory=lambda: [3, 224, 224])
    num_classes: int = 1000
    beta: float = 0.5
    features: list = field(default_factory=lambda: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"])
    fc_hidden: list = field(default_factory=lambda: [4096, 4096])
    pool_head: bool = False

    def __post_init__(self):
        super().__post_init__()
        if not self.features or not all(v == "M" or (isinstance(v, int) and v >= 1) for v in self.features):
            raise ConfigError(f"vgg features must be a list of channel counts and \"M\" (maxpool), got "
                              f"{self.features!r}")
        self.fc_hidden = _ints("fc_hidden", self.fc_hidden) if self.fc_hidden else []


class SpikingVGG(PresetModel):
    def __init__(self, cfg: VGGConfig, name: str):
        super().__init__(cfg, name)
        f = LayerFactory(cfg)
        c, h, w = image_shape(cfg, name)
        mods = []
        for v in cfg.features:
            if v == "M":
                mods.append(f.seq(nn.MaxPool2d(2)))
                h, w = h // 2, w // 2
            else:
                mods += [f.conv(c, v, 3, 1, 1, "first" if not mods else "hidden", bias=False),
                         f.seq(nn.BatchNorm2d(v)), f.neuron(v)]
                c = v
        if min(h, w) < 1:
            raise ConfigError(f"input_shape {cfg.input_shape} is too small for {len(cfg.features)} vgg stages")
        self.features = nn.Sequential(*mods)
        head = [f.seq(nn.AvgPool2d((h, w)))] if cfg.pool_head else []
        n = c if cfg.pool_head else c * h * w
        head.append(f.seq(nn.Flatten()))
        for hidden in cfg.fc_hidden:
            head += [f.dropout(), f.linear(n, hidden), f.neuron(hidden)]
            n = hidden
        self.head = nn.Sequential(*head, f.dropout(), f.linear(n, cfg.num_classes, "last"))

    def forward(self, x):
        return self.head(self.features(x))
