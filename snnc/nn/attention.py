"""Spike-driven self-attention without softmax (QSD-Transformer / Spike-driven Transformer v2).

Layout: channel-first tokens ``x [T, B, C, H, W]`` (the N = H·W positions are the
tokens; C = heads · d). Per timestep, with 1×1 (quantized) convolutions:

    Q = IELIF(BN(Conv_q(x))),  K = IELIF(BN(Conv_k(x))),  V = IELIF(BN(Conv_v(x)))
    per head, with Q, K, V as [N, d] token matrices of integer spike counts in 0..D:
    A = Kᵀ · V                                 [d, d]  — the attention map (`attn_map`)
    O = (Q · A) · scale                        [N, d]  (no softmax)
    y = BN(Conv_proj(IELIF(O)))

Internally the tensors stay channel-first ([d, N] per head), so the products
are computed as ``A = K' · V'ᵀ`` and ``Oᵀ = (A'ᵀ · Q')`` on the [d, N] views —
the same integers (all products and sums of integers are exact in float32
below 2^24), then the scale multiply. The IR lowers them to
``spike_matmul(K', V', transpose_b=true)`` and
``spike_matmul(A, Q', transpose_a=true, scale=scale)``, with reshapes only.

The defaults are QSD's: 1×1 convolutions and IE-LIF neurons. ``conv`` (a callable
``conv(bias) -> module`` mapping ``[T, B, dim, H, W]`` to the same shape, e.g. a RepConv
``nn.Sequential``) replaces the four 1×1 convolutions, and ``neuron`` (a callable
``neuron(channels, role) -> module``, role "qkv" or "attn") the IE-LIF neurons: Spikformer's
SSA has LIF neurons (the attention neuron at half the threshold), Spike-driven Transformer
v2's attention RepConv branches.

``convention="qsd"`` takes the QSD-Transformer's code as it is: IE-LIF neurons
``floor(clip(D·x, 0, D) + ½)/D`` for Q, K, V, the attention neuron divided by 2
instead of D, and scale 0.25 (see `snnc.nn.neurons.IELIF`); the default
``"snnc"`` (integer spike counts, scale 0.125) is kept because its spikes are the
IR's integers with no extra scale ops, and shipped checkpoints use it.

With ``record_attn = True`` (see `record_attention`) the last forward's A,
shaped ``[T, B, heads, d, d]`` (batch on dim 1), is kept in ``attn_map`` for
attention distillation (with its autograd graph).
"""
from __future__ import annotations

import torch
from torch import nn

from snnc.errors import ConfigError

from .neurons import IELIF
from .neurons.ielif import CONVENTIONS
from .quant.qconv import QConv2d
from .seq import SeqWrap


#: attention scale when none is given: snnc's 0.125 (integer spike counts 0..D),
#: QSD's 0.25 (its spikes are already divided by D)
DEFAULT_SCALE = {"snnc": 0.125, "qsd": 0.25}


class SpikeDrivenSelfAttention(nn.Module):
    """Spike-driven self-attention block (equations in the module docstring)."""

    def __init__(self, dim: int, heads: int = 2, D: int = 4, scale: float | None = None, quant=None,
                 dropconnect: float = 0.0, conv=None, neuron=None, convention: str = "snnc"):
        super().__init__()
        if dim % heads != 0:
            raise ConfigError(f"attention dim {dim} is not divisible by heads={heads}")
        if convention not in CONVENTIONS:
            raise ConfigError(f"attention convention must be one of {', '.join(CONVENTIONS)}, got {convention!r}")
        if scale is None:
            scale = DEFAULT_SCALE[convention]
        self.dim, self.heads, self.D, self.scale = int(dim), int(heads), int(D), float(scale)
        self.convention = convention

        if conv is None:
            def conv(bias):
                return QConv2d(dim, dim, 1, bias=bias, quant=_fresh(quant), dropconnect=dropconnect)
        if neuron is None:
            def neuron(channels, role):
                if convention == "qsd":         # QSD's Multispike (÷D) and Multispike_att (÷2)
                    return IELIF(D, "qsd", divisor=2 if role == "attn" else None)
                return IELIF(D)

        def branch():
            return conv(False), SeqWrap(nn.BatchNorm2d(dim)), neuron(dim, "qkv")

        self.q_conv, self.q_bn, self.q_spike = branch()
        self.k_conv, self.k_bn, self.k_spike = branch()
        self.v_conv, self.v_bn, self.v_spike = branch()
        self.attn_spike = neuron(dim, "attn")
        self.proj_conv = conv(True)
        self.proj_bn = SeqWrap(nn.BatchNorm2d(dim))
        self.record_attn = False
        self.attn_map: torch.Tensor | None = None

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        T, B, C, H, W = x.shape
        return x.reshape(T, B, self.heads, C // self.heads, H * W)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 5 or x.shape[2] != self.dim:
            raise ConfigError(f"SpikeDrivenSelfAttention expects [T, B, {self.dim}, H, W], got {tuple(x.shape)}")
        q = self._heads(self.q_spike(self.q_bn(self.q_conv(x))))
        k = self._heads(self.k_spike(self.k_bn(self.k_conv(x))))
        v = self._heads(self.v_spike(self.v_bn(self.v_conv(x))))
        attn = torch.matmul(k, v.transpose(-2, -1))                  # A = Kᵀ·V  [T, B, h, d, d]
        out = torch.matmul(attn.transpose(-2, -1), q) * self.scale   # (Q·A·scale)ᵀ  [T, B, h, d, N]
        self.attn_map = attn if self.record_attn else None
        out = self.attn_spike(out).reshape(x.shape)
        return self.proj_bn(self.proj_conv(out))

    def ir_params(self) -> dict:
        return {"heads": self.heads, "scale": self.scale, "D": self.D}

    def extra_repr(self) -> str:
        return f"dim={self.dim}, heads={self.heads}, D={self.D}, scale={self.scale}"


def _fresh(quant):
    """Each layer needs its own quantizer: specs (None / str / dict) are rebuilt per layer."""
    if isinstance(quant, nn.Module):
        raise ConfigError("pass a quantizer spec (name or dict), not a Quantizer instance, to a block with "
                          "several layers: each layer needs its own quantizer")
    return dict(quant) if isinstance(quant, dict) else quant


def record_attention(model: nn.Module, on: bool = True) -> list[SpikeDrivenSelfAttention]:
    """Turn recording of attention maps on/off in every attention block; returns the blocks in order."""
    blocks = [m for m in model.modules() if isinstance(m, SpikeDrivenSelfAttention)]
    for b in blocks:
        b.record_attn = bool(on)
        if not on:
            b.attn_map = None
    return blocks


def attention_maps(model: nn.Module) -> list[torch.Tensor]:
    """The attention maps A of the last forward, one per block (record_attention must be on)."""
    blocks = [m for m in model.modules() if isinstance(m, SpikeDrivenSelfAttention)]
    if not blocks:
        raise ConfigError("the model has no SpikeDrivenSelfAttention block (use the 'transformer' architecture)")
    maps = [b.attn_map for b in blocks]
    if any(m is None for m in maps):
        raise ConfigError("no attention map recorded: call snnc.nn.record_attention(model) before the forward pass")
    return maps
