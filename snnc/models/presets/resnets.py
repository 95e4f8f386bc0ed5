"""Deep spiking ResNets at the papers' sizes: ResNet-19 (tdBN), SEW-ResNet-18/34, MS-ResNet-18.

One builder, three residual blocks (``block``):

* ``"tdbn"`` — Zheng et al. 2021 (tdBN), pre-activation sum: ``s = SN(BN(conv(SN(BN(conv(x))))) + sc(x))``
  with ``sc`` the identity or ``BN(conv1×1)``; the blocks pass spikes.
* ``"sew"`` — Fang et al. 2021 (SEW ResNet, ADD): ``s = SN(BN(conv(SN(BN(conv(x)))))) + sc(x)``, ``sc``
  the identity or ``SN(BN(conv1×1))``; the blocks pass spike counts.
* ``"ms"`` — Hu et al. 2024 (MS-ResNet, membrane shortcut): ``u = BN(conv(SN(BN(conv(SN(u)))))) + sc(u)``,
  ``sc`` the identity or ``BN(conv1×1(SN(u)))``; the blocks pass membrane-like values, a neuron
  precedes every convolution (so every synapse sees spikes: Hu et al.'s code convolves the
  membrane in the downsampling shortcut; same parameters).

Stem ``"cifar"``: conv3×3 (stride 1) → BN → [SN]; ``"imagenet"``: conv7×7 stride 2 → BN → [SN] →
maxpool 3×3 stride 2 (MS: no SN in the stem). Stages: ``layers[i]`` blocks of width ``widths[i]``,
stride 2 in the first block of every stage but the first. Head: [SN for MS] → global average
pool → flatten → (QLinear → SN) per ``fc_hidden`` → QLinear readout. Convolutions have no
bias (BN follows). A scaled-down copy (smaller ``widths``, ``layers``, ``stem_width``, input)
runs the same code.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from torch import nn

from snnc.errors import ConfigError

from ..config import ModelConfig, _choice, _ints
from ..layers import LayerFactory
from .base import PresetModel, conv_out, image_shape

BLOCKS = ("tdbn", "sew", "ms")
STEMS = ("cifar", "imagenet")


@dataclass
class DeepResNetConfig(ModelConfig):
    input_shape: list = field(default_factory=lambda: [3, 32, 32])
    beta: float = 0.5
    block: str = "sew"
    layers: list = field(default_factory=lambda: [2, 2, 2, 2])
    widths: list = field(default_factory=lambda: [64, 128, 256, 512])
    stem: str = "cifar"
    stem_width: int = 64
    fc_hidden: list = field(default_factory=list)

    def __post_init__(self):
        super().__post_init__()
        _choice("block", self.block, BLOCKS)
        _choice("stem", self.stem, STEMS)
        self.layers, self.widths = _ints("layers", self.layers), _ints("widths", self.widths)
        self.fc_hidden = _ints("fc_hidden", self.fc_hidden) if self.fc_hidden else []
        if len(self.layers) != len(self.widths):
            raise ConfigError(f"layers {self.layers} and widths {self.widths} must have one entry per stage")
        if not isinstance(self.stem_width, int) or self.stem_width < 1:
            raise ConfigError(f"stem_width must be an integer >= 1, got {self.stem_width!r}")


def _bn(f: LayerFactory, c: int):
    return f.seq(nn.BatchNorm2d(c))


class TdBNBlock(nn.Module):
    def __init__(self, f: LayerFactory, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(f.conv(c_in, c_out, 3, stride, 1, bias=False), _bn(f, c_out), f.neuron(c_out),
                                  f.conv(c_out, c_out, 3, 1, 1, bias=False), _bn(f, c_out))
        self.shortcut = (nn.Sequential(f.conv(c_in, c_out, 1, stride, 0, bias=False), _bn(f, c_out))
                         if stride != 1 or c_in != c_out else None)
        self.spike = f.neuron(c_out)

    def forward(self, s):
        return self.spike(self.body(s) + (s if self.shortcut is None else self.shortcut(s)))


class SEWBasicBlock(nn.Module):
    def __init__(self, f: LayerFactory, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(f.conv(c_in, c_out, 3, stride, 1, bias=False), _bn(f, c_out), f.neuron(c_out),
                                  f.conv(c_out, c_out, 3, 1, 1, bias=False), _bn(f, c_out), f.neuron(c_out))
        self.shortcut = (nn.Sequential(f.conv(c_in, c_out, 1, stride, 0, bias=False), _bn(f, c_out),
                                       f.neuron(c_out)) if stride != 1 or c_in != c_out else None)

    def forward(self, s):
        return self.body(s) + (s if self.shortcut is None else self.shortcut(s))


class MSBlock(nn.Module):
    def __init__(self, f: LayerFactory, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(f.neuron(c_in), f.conv(c_in, c_out, 3, stride, 1, bias=False), _bn(f, c_out),
                                  f.neuron(c_out), f.conv(c_out, c_out, 3, 1, 1, bias=False), _bn(f, c_out))
        self.shortcut = (nn.Sequential(f.neuron(c_in), f.conv(c_in, c_out, 1, stride, 0, bias=False),
                                       _bn(f, c_out)) if stride != 1 or c_in != c_out else None)

    def forward(self, u):
        return self.body(u) + (u if self.shortcut is None else self.shortcut(u))


BLOCK_TYPES = {"tdbn": TdBNBlock, "sew": SEWBasicBlock, "ms": MSBlock}


class DeepSpikingResNet(PresetModel):
    """ResNet-19 / SEW-ResNet / MS-ResNet (equations in the module docstring)."""

    def __init__(self, cfg: DeepResNetConfig, name: str):
        super().__init__(cfg, name)
        f = LayerFactory(cfg)
        c_in, h, w = image_shape(cfg, name)
        ms = cfg.block == "ms"
        c = cfg.stem_width
        if cfg.stem == "cifar":
            stem = [f.conv(c_in, c, 3, 1, 1, "first", bias=False), _bn(f, c)] + ([] if ms else [f.neuron(c)])
        else:
            stem = [f.conv(c_in, c, 7, 2, 3, "first", bias=False), _bn(f, c)] + ([] if ms else [f.neuron(c)])
            stem.append(f.seq(nn.MaxPool2d(3, 2, 1)))
            h, w = (conv_out(conv_out(v, 7, 2, 3), 3, 2, 1) for v in (h, w))
        blocks = []
        for i, (n, width) in enumerate(zip(cfg.layers, cfg.widths)):
            for j in range(n):
                stride = 2 if i > 0 and j == 0 else 1
                blocks.append(BLOCK_TYPES[cfg.block](f, c, width, stride))
                c = width
                h, w = conv_out(h, 3, stride, 1), conv_out(w, 3, stride, 1)
        if min(h, w) < 1:
            raise ConfigError(f"input_shape {cfg.input_shape} is too small for {name}'s downsampling")
        self.stem = nn.Sequential(*stem)
        self.features = nn.Sequential(*blocks)
        head = ([f.neuron(c)] if ms else []) + [f.seq(nn.AvgPool2d((h, w))), f.seq(nn.Flatten())]
        for hidden in cfg.fc_hidden:
            head += [f.dropout(), f.linear(c, hidden), f.neuron(hidden)]
            c = hidden
        self.head = nn.Sequential(*head, f.dropout(), f.linear(c, cfg.num_classes, "last"))

    def forward(self, x):
        return self.head(self.features(self.stem(x)))
