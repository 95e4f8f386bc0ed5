"""Spiking transformers at the papers' sizes: Spikformer (CIFAR) and a spike-driven MetaFormer.

``spikformer`` — Zhou et al. 2023 (ICLR), the CIFAR model "Spikformer-L-D" (depth L, dim D):

    SPS:   {QConv3×3 → BN → SN} with D/8, D/4, D/2 (→ maxpool 3/2), D (→ maxpool 3/2) channels;
           x = x + SN(BN(QConv3×3(x)))                                    (relative position)
    block: x = x + SN(SSA(x));  x = x + SN(BN(QConv1×1(SN(BN(QConv1×1(x))))))   (MLP, ratio 4)
    head:  average over the tokens → QLinear readout

SSA is `SpikeDrivenSelfAttention` with the configured neuron for Q, K, V and the attention
neuron at half the threshold (Spikformer's 0.5): ``SN(Q·Kᵀ·V·s)`` equals ``SN(Q·(Kᵀ·V)·s)``
on integers, which is how snnc computes it. The residual stream carries spike counts.

``metaformer`` — the spike-driven MetaFormer of Yao et al. 2024 (ICLR, "Spike-driven Transformer
V2", Meta-SpikeFormer) that QSD-Transformer (Qiu et al. 2025) quantizes. Stage i: a downsampling
``[SN →] QConv(k, stride) → BN`` to ``widths[i]``, then ``blocks[i]`` blocks of ``kinds[i]``:

    conv:  u = u + LS(SepConv(u));  u = u + LS(BN(QConv3×3(SN(BN(QConv3×3(SN(u)))))))
           SepConv = SN → QConv1×1 (×sep_ratio) → BN → SN → depthwise QConv(sep_kernel) → QConv1×1 → BN
    attn:  u = u + LS(SDSA(SN(u)));  u = u + LS(BN(QConv1×1(SN(BN(QConv1×1(SN(u)))))))
           SDSA's Q, K, V and output projections are RepConv = QConv1×1 → BN → depthwise QConv3×3
           → QConv1×1 → BN (zero padding; v2 pads with the BN's value)
    head:  SN → average over the map → QLinear readout

The default widths 32-64-128-256-360 are Meta-SpikeFormer's 15.1 M model; 48-96-192-384-480 its
31.3 M and 64-128-256-512-640 its 55.4 M one. LS is `LayerScale` (init ``layer_scale``) when
``layer_scale > 0``, else nothing (Meta-SpikeFormer has none). With ``neuron="ielif"`` (QSD's
IE-LIF) the attention's neurons are IE-LIF(D).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from torch import nn

from snnc.errors import ConfigError
from snnc.nn import LayerScale, SpikeDrivenSelfAttention

from ..config import ModelConfig, _ints
from ..layers import LayerFactory
from .base import PresetModel, conv_out, image_shape


def _positive(cfg, *names):
    for name in names:
        v = getattr(cfg, name)
        if not isinstance(v, int) or v < 1:
            raise ConfigError(f"{name} must be an integer >= 1, got {v!r}")


def _bn(f: LayerFactory, c: int):
    return f.seq(nn.BatchNorm2d(c))


def attention(f: LayerFactory, cfg, dim: int, conv=None) -> SpikeDrivenSelfAttention:
    """The configured SDSA: IE-LIF(D) neurons for neuron="ielif", else the configured neuron (the
    attention neuron at half the threshold)."""
    neuron = None
    if cfg.neuron != "ielif":
        def neuron(c, role):
            return f.neuron(c, cfg.threshold * 0.5 if role == "attn" else None)
    return SpikeDrivenSelfAttention(dim, cfg.heads, cfg.D, cfg.attn_scale, f.block_quant(), cfg.dropconnect,
                                    conv=conv, neuron=neuron)


@dataclass
class SpikformerConfig(ModelConfig):
    input_shape: list = field(default_factory=lambda: [3, 32, 32])
    beta: float = 0.5
    embed_dim: int = 384
    depth: int = 4
    heads: int = 12
    mlp_ratio: int = 4
    attn_scale: float = 0.125

    def __post_init__(self):
        super().__post_init__()
        _positive(self, "embed_dim", "depth", "heads", "mlp_ratio")
        if self.embed_dim % 8 or self.embed_dim % self.heads:
            raise ConfigError(f"embed_dim={self.embed_dim} must be divisible by 8 (the SPS widths) and by "
                              f"heads={self.heads}")


class SpikformerBlock(nn.Module):
    def __init__(self, f: LayerFactory, cfg: SpikformerConfig):
        super().__init__()
        d, hidden = cfg.embed_dim, cfg.embed_dim * cfg.mlp_ratio
        self.attn = attention(f, cfg, d)
        self.attn_out = f.neuron(d)
        self.mlp = nn.Sequential(f.conv(d, hidden, 1), _bn(f, hidden), f.neuron(hidden),
                                 f.conv(hidden, d, 1), _bn(f, d), f.neuron(d))

    def forward(self, x):
        x = x + self.attn_out(self.attn(x))
        return x + self.mlp(x)


class Spikformer(PresetModel):
    def __init__(self, cfg: SpikformerConfig, name: str):
        super().__init__(cfg, name)
        f = LayerFactory(cfg)
        c, h, w = image_shape(cfg, name)
        d = cfg.embed_dim
        sps = []
        for i, width in enumerate((d // 8, d // 4, d // 2, d)):
            sps += [f.conv(c, width, 3, 1, 1, "first" if i == 0 else "hidden", bias=False), _bn(f, width),
                    f.neuron(width)]
            if i >= 2:
                sps.append(f.seq(nn.MaxPool2d(3, 2, 1)))
                h, w = conv_out(h, 3, 2, 1), conv_out(w, 3, 2, 1)
            c = width
        self.sps = nn.Sequential(*sps)
        self.rpe = nn.Sequential(f.conv(d, d, 3, 1, 1, bias=False), _bn(f, d), f.neuron(d))
        self.blocks = nn.Sequential(*[SpikformerBlock(f, cfg) for _ in range(cfg.depth)])
        self.head = nn.Sequential(f.seq(nn.AvgPool2d((h, w))), f.seq(nn.Flatten()), f.dropout(),
                                  f.linear(d, cfg.num_classes, "last"))

    def forward(self, x):
        x = self.sps(x)
        x = x + self.rpe(x)
        return self.head(self.blocks(x))


@dataclass
class MetaFormerConfig(ModelConfig):
    input_shape: list = field(default_factory=lambda: [3, 224, 224])
    num_classes: int = 1000
    neuron: str = "lif"
    beta: float = 0.5
    widths: list = field(default_factory=lambda: [32, 64, 128, 256, 360])
    blocks: list = field(default_factory=lambda: [1, 1, 2, 6, 2])
    kinds: list = field(default_factory=lambda: ["conv", "conv", "conv", "attn", "attn"])
    strides: list = field(default_factory=lambda: [2, 2, 2, 2, 1])
    heads: int = 8
    mlp_ratio: int = 4
    sep_ratio: int = 2
    sep_kernel: int = 7
    attn_scale: float = 0.125
    layer_scale: float = 0.0

    def __post_init__(self):
        super().__post_init__()
        self.widths, self.strides = _ints("widths", self.widths), _ints("strides", self.strides)
        self.blocks = [int(b) for b in self.blocks]
        if not (len(self.widths) == len(self.blocks) == len(self.kinds) == len(self.strides)):
            raise ConfigError("metaformer widths, blocks, kinds and strides need one entry per stage")
        if any(k not in ("conv", "attn") for k in self.kinds) or any(b < 0 for b in self.blocks):
            raise ConfigError(f"metaformer kinds must be \"conv\" or \"attn\" and blocks >= 0, got {self.kinds}, "
                              f"{self.blocks}")
        _positive(self, "heads", "mlp_ratio", "sep_ratio", "sep_kernel")
        if self.sep_kernel % 2 == 0:
            raise ConfigError(f"sep_kernel must be odd (same padding), got {self.sep_kernel}")
        bad = [w for w, k in zip(self.widths, self.kinds) if k == "attn" and w % self.heads]
        if bad:
            raise ConfigError(f"attention widths {bad} must be divisible by heads={self.heads}")
        if not self.layer_scale >= 0:
            raise ConfigError(f"layer_scale must be >= 0 (0 = none), got {self.layer_scale!r}")


def rep_conv(f: LayerFactory, d: int) -> nn.Sequential:
    """RepConv: QConv1×1 → BN → depthwise QConv3×3 → QConv1×1 → BN (no biases)."""
    return nn.Sequential(f.conv(d, d, 1, bias=False), _bn(f, d), f.conv(d, d, 3, 1, 1, bias=False, groups=d),
                         f.conv(d, d, 1, bias=False), _bn(f, d))


def sep_conv(f: LayerFactory, cfg: MetaFormerConfig, d: int) -> nn.Sequential:
    m, k = d * cfg.sep_ratio, cfg.sep_kernel
    return nn.Sequential(f.neuron(d), f.conv(d, m, 1, bias=False), _bn(f, m), f.neuron(m),
                         f.conv(m, m, k, 1, k // 2, bias=False, groups=m), f.conv(m, d, 1, bias=False), _bn(f, d))


class MetaBlock(nn.Module):
    """``u = u + LS(token_mixer(u));  u = u + LS(channel_mlp(u))`` (see the module docstring)."""

    def __init__(self, f: LayerFactory, cfg: MetaFormerConfig, d: int, kind: str):
        super().__init__()
        h = d * cfg.mlp_ratio
        if kind == "conv":
            self.mixer = sep_conv(f, cfg, d)
            k, p = 3, 1
        else:
            self.mixer = nn.Sequential(f.neuron(d), attention(f, cfg, d, conv=lambda bias: rep_conv(f, d)))
            k, p = 1, 0
        self.mlp = nn.Sequential(f.neuron(d), f.conv(d, h, k, 1, p, bias=kind == "attn"), _bn(f, h), f.neuron(h),
                                 f.conv(h, d, k, 1, p, bias=kind == "attn"), _bn(f, d))
        ls = cfg.layer_scale
        self.ls1 = LayerScale(d, ls) if ls > 0 else nn.Identity()
        self.ls2 = LayerScale(d, ls) if ls > 0 else nn.Identity()

    def forward(self, u):
        u = u + self.ls1(self.mixer(u))
        return u + self.ls2(self.mlp(u))


class SpikingMetaFormer(PresetModel):
    def __init__(self, cfg: MetaFormerConfig, name: str):
        super().__init__(cfg, name)
        f = LayerFactory(cfg)
        c, h, w = image_shape(cfg, name)
        stages = []
        for i, (d, n, kind, s) in enumerate(zip(cfg.widths, cfg.blocks, cfg.kinds, cfg.strides)):
            k, p = (7, 3) if i == 0 else (3, 1)
            down = ([] if i == 0 else [f.neuron(c)]) + [f.conv(c, d, k, s, p, "first" if i == 0 else "hidden"),
                                                        _bn(f, d)]
            stages.append(nn.Sequential(*down, *[MetaBlock(f, cfg, d, kind) for _ in range(n)]))
            c, h, w = d, conv_out(h, k, s, p), conv_out(w, k, s, p)
        if min(h, w) < 1:
            raise ConfigError(f"input_shape {cfg.input_shape} is too small for the strides {cfg.strides}")
        self.stages = nn.Sequential(*stages)
        self.head = nn.Sequential(f.neuron(c), f.seq(nn.AvgPool2d((h, w))), f.seq(nn.Flatten()), f.dropout(),
                                  f.linear(c, cfg.num_classes, "last"))

    def forward(self, x):
        return self.head(self.stages(x))
