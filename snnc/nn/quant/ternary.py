"""Ternary quantization, direct method (TWN-style quantization-aware training).

    Δ     = delta_factor · mean|W|                  (delta_factor = 0.7; per layer or per output channel)
    W_q   = sign(W) · [|W| > Δ]                     ∈ {−1, 0, +1}, static over time (T_w = 1)
    alpha = mean of |W| over the kept weights (|W| > Δ)      scale = "mean" (recomputed each call)
            a learned parameter initialised to that value    scale = "learned"
    effective weight = alpha · W_q

Gradients: straight-through to W, divided by alpha (so that
``∂(alpha·W_q)/∂W = 1``); with scale = "mean" the gradient also reaches W
through alpha; with scale = "learned" it reaches the alpha parameter. Δ gets no gradient.
"""
from __future__ import annotations

import torch
from torch import nn

from snnc.errors import ConfigError

from .base import QuantizedWeight, Quantizer, channel_view, reduce_dims
from .ste import ternary_ste


def ternary_threshold(weight: torch.Tensor, delta_factor: float, per_channel: bool) -> torch.Tensor:
    """Δ = delta_factor · mean|W| (0-dim, or [out, 1, ...] per channel), without gradient."""
    a = weight.detach().abs()
    return delta_factor * a.mean(dim=reduce_dims(weight, per_channel), keepdim=per_channel)


def kept_mean(weight: torch.Tensor, delta: torch.Tensor, per_channel: bool) -> torch.Tensor:
    """Mean of |W| over the weights with |W| > Δ (0-dim or [out]); 1e-8 where nothing is kept."""
    a = weight.abs()
    kept = (a.detach() > delta).to(weight.dtype)
    dims = reduce_dims(weight, per_channel)
    return ((a * kept).sum(dims) / kept.sum(dims).clamp(min=1)).clamp(min=1e-8)


class TernaryQuant(Quantizer):
    """Direct ternary quantizer; equations in the module docstring."""

    method = "ternary"

    def __init__(self, delta_factor: float = 0.7, scale: str = "mean", per_channel: bool = False):
        super().__init__(2, (-1, 1), 1)
        if scale not in ("mean", "learned"):
            raise ConfigError(f"ternary scale must be 'mean' or 'learned', got {scale!r}")
        if not delta_factor >= 0:
            raise ConfigError(f"ternary delta_factor must be >= 0, got {delta_factor}")
        self.delta_factor, self.scale_mode, self.per_channel = float(delta_factor), scale, bool(per_channel)
        self.alpha = nn.Parameter(torch.ones(())) if scale == "learned" else None

    def init_from(self, weight: torch.Tensor) -> None:
        if self.alpha is None:
            return
        with torch.no_grad():
            delta = ternary_threshold(weight, self.delta_factor, self.per_channel)
            self.alpha = nn.Parameter(kept_mean(weight, delta, self.per_channel).clone())

    def forward(self, weight: torch.Tensor) -> QuantizedWeight:
        delta = ternary_threshold(weight, self.delta_factor, self.per_channel)
        alpha = kept_mean(weight, delta, self.per_channel) if self.alpha is None else self.alpha.clamp(min=1e-8)
        w_int = ternary_ste(weight, delta, channel_view(1 / alpha.detach(), weight))
        return QuantizedWeight(w_int[None], self.static_scale(alpha, weight.shape[0]))

    def extra_repr(self) -> str:
        return (super().extra_repr() + f", delta_factor={self.delta_factor}, scale={self.scale_mode!r}, "
                f"per_channel={self.per_channel}")
