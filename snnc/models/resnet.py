"""A small spiking ResNet with SEW (spike-element-wise) residual blocks, for [1, 8, 8] digits.

    stem:   QConv3×3 → BN → neuron
    stage i (channels[i]): [i > 0: QConv3×3 stride 2 → BN → neuron]  then `blocks` × SEWBlock
    head:   AvgPool2d over the whole map → Flatten → dropout → QLinear readout

SEWBlock (Fang et al. 2021, ADD connection): ``s_out = SN(BN(Conv(SN(BN(Conv(s)))))) + s``
— a sum of spike tensors (integer counts), fed to the next convolution.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from torch import nn

from snnc.errors import ConfigError

from .base import SpikingModel
from .config import MAX_LAYERS, ModelConfig, _count, _ints, make_config
from .layers import LayerFactory


@dataclass
class ResNetConfig(ModelConfig):
    input_shape: list = field(default_factory=lambda: [1, 8, 8])
    channels: list = field(default_factory=lambda: [16, 32])
    blocks: int = 1

    def __post_init__(self):
        super().__post_init__()
        self.channels = _ints("channels", self.channels)
        if len(self.input_shape) != 3:
            raise ConfigError(f"the resnet needs input_shape [C, H, W] (e.g. [1, 8, 8]), got {self.input_shape}")
        _count("blocks", self.blocks, MAX_LAYERS)


def conv_bn_neuron(f: LayerFactory, c_in: int, c_out: int, stride: int = 1, role: str = "hidden"):
    return nn.Sequential(f.conv(c_in, c_out, 3, stride, 1, role, bias=False), f.seq(nn.BatchNorm2d(c_out)),
                         f.neuron(c_out))


class SEWBlock(nn.Module):
    """``out = body(s) + s`` with body = (conv-BN-neuron) × 2: the SEW ADD residual on spikes."""

    def __init__(self, f: LayerFactory, channels: int):
        super().__init__()
        self.body = nn.Sequential(conv_bn_neuron(f, channels, channels), conv_bn_neuron(f, channels, channels))

    def forward(self, s):
        return self.body(s) + s


class SpikingResNet(SpikingModel):
    arch = "resnet"

    def __init__(self, cfg: ResNetConfig):
        super().__init__(cfg)
        f = LayerFactory(cfg)
        c_in, h, w = cfg.input_shape
        mods = [conv_bn_neuron(f, c_in, cfg.channels[0], 1, "first")]
        c = cfg.channels[0]
        for i, c_next in enumerate(cfg.channels):
            if i > 0:
                mods.append(conv_bn_neuron(f, c, c_next, 2))
                c, h, w = c_next, (h - 1) // 2 + 1, (w - 1) // 2 + 1
            mods += [SEWBlock(f, c) for _ in range(cfg.blocks)]
        self.features = nn.Sequential(*mods)
        self.head = nn.Sequential(f.seq(nn.AvgPool2d((h, w))), f.seq(nn.Flatten()), f.dropout(),
                                  f.linear(c, cfg.num_classes, "last"))

    def forward(self, x):
        return self.head(self.features(x))


def build_resnet(**config) -> SpikingResNet:
    return SpikingResNet(make_config(ResNetConfig, "resnet", config))
