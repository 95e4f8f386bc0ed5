"""The static quantizer that post-training quantization (`ptq`) puts into layers.

No learned parameters; recomputed from the (frozen) full-precision weight:

* scheme "ternary" (bits = 2): ``Δ = delta_factor·mean|W|``, ``W_int = sign(W)·[|W| > Δ]``,
  scale = mean |W| over the kept weights (as `TernaryQuant` with scale="mean");
* scheme "kbit", bits = k >= 2: symmetric uniform levels ``{−L … L}``, ``L = 2^(k−1)−1``,
  ``s = max|W| / L``, ``W_int = round(W / s)`` (half to even), scale = s;
* scheme "kbit", bits = 1: ``W_int = sign(W)`` (+1 at 0), scale = mean|W|.

Per layer, or per output channel with ``per_channel=True``.
"""
from __future__ import annotations

import torch

from snnc.errors import ConfigError

from .base import QuantizedWeight, Quantizer, channel_view, reduce_dims
from .ste import round_ste, sign_ste, ternary_ste
from .ternary import kept_mean, ternary_threshold

SCHEMES = ("ternary", "kbit")


class PTQQuant(Quantizer):
    """Static post-training quantizer; equations in the module docstring."""

    method = "ptq"

    def __init__(self, scheme: str = "ternary", bits: int = 2, per_channel: bool = False,
                 delta_factor: float = 0.7):
        if scheme not in SCHEMES:
            raise ConfigError(f"PTQ scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")
        if int(bits) != bits or not 1 <= bits <= 8:
            raise ConfigError(f"PTQ bits must be an integer in 1..8, got {bits}")
        if scheme == "ternary" and bits != 2:
            raise ConfigError(f"ternary PTQ has 2 bits (levels -1, 0, +1), got bits={bits}; "
                              f"use scheme='kbit' for other widths")
        L = 1 if bits <= 2 else 2 ** (int(bits) - 1) - 1
        super().__init__(bits, (-L, L), 1)
        self.scheme, self.per_channel, self.delta_factor = scheme, bool(per_channel), float(delta_factor)
        self.L = L

    def forward(self, weight: torch.Tensor) -> QuantizedWeight:
        w = weight.detach()
        if self.scheme == "ternary":
            delta = ternary_threshold(w, self.delta_factor, self.per_channel)
            scale = kept_mean(w, delta, self.per_channel)
            w_int = ternary_ste(w, delta, channel_view(1 / scale, w))
        elif self.bits == 1:
            scale = w.abs().mean(dim=reduce_dims(w, self.per_channel)).clamp(min=1e-8)
            w_int = sign_ste(w)
        else:
            scale = w.abs().amax(dim=reduce_dims(w, self.per_channel)).clamp(min=1e-8) / self.L
            w_int = torch.clamp(round_ste(w / channel_view(scale, w)), -self.L, self.L)
        return QuantizedWeight(w_int[None], self.static_scale(scale, w.shape[0]))

    def extra_repr(self) -> str:
        return super().extra_repr() + f", scheme={self.scheme!r}, per_channel={self.per_channel}"
