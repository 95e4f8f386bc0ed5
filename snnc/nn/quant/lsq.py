"""LSQ: learned step size quantization (Esser et al., 2020), k = 1 … 8 bits.

Level sets (the integers a weight may take; bits = k):

* k = 1: binary {−1, +1} (``W_int = +1 if W/s >= 0 else −1``);
* k >= 2, symmetric=False (default, as in LSQ): two's complement
  {−2^(k−1), …, 2^(k−1)−1}, e.g. k = 2: {−2, −1, 0, 1};
* k >= 2, symmetric=True: {−(2^(k−1)−1), …, 2^(k−1)−1}, e.g. k = 2: ternary.

With ``Q_N, Q_P`` the magnitudes of the lowest and highest level and s the
learned step (per layer, or per output channel):

    W_int = round(clip(W / s, −Q_N, Q_P))      (round half to even; sign for k = 1)
    effective weight = s · W_int                (the layer's scale is s)

Gradients (straight-through estimator for round): ∂W_int/∂W = 1/s inside the
clip range, 0 outside; s receives the LSQ gradient
``∂(s·W_int)/∂s = W_int − W/s`` inside the range and ``−Q_N`` / ``Q_P`` outside,
multiplied by the LSQ gradient scale ``g = 1/sqrt(N · Q_P)`` (N = weights per step).
Initialisation: ``s = 2·mean|W| / sqrt(Q_P)`` (k >= 2), ``s = mean|W|`` (k = 1).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from snnc.errors import ConfigError

from .base import QuantizedWeight, Quantizer, channel_view, reduce_dims
from .ste import grad_scale, round_ste, sign_ste


def lsq_levels(bits: int, symmetric: bool = False) -> tuple[int, int]:
    """(lowest, highest) integer level of k-bit LSQ."""
    if bits == 1:
        return -1, 1
    top = 2 ** (bits - 1) - 1
    return (-top if symmetric else -(top + 1)), top


class LSQ(Quantizer):
    """Learned step size quantizer; equations and level sets in the module docstring."""

    method = "lsq"

    def __init__(self, bits: int = 4, per_channel: bool = False, symmetric: bool = False):
        if int(bits) != bits or not 1 <= bits <= 8:
            raise ConfigError(f"LSQ bits must be an integer in 1..8, got {bits}")
        super().__init__(bits, lsq_levels(int(bits), symmetric), 1)
        self.per_channel, self.symmetric = bool(per_channel), bool(symmetric)
        self.q_n, self.q_p = -self.levels[0], self.levels[1]
        self.step = nn.Parameter(torch.ones(()))

    def init_from(self, weight: torch.Tensor) -> None:
        with torch.no_grad():
            mean_abs = weight.abs().mean(dim=reduce_dims(weight, self.per_channel)).clamp(min=1e-8)
            init = mean_abs if self.bits == 1 else 2 * mean_abs / math.sqrt(self.q_p)
            self.step = nn.Parameter(init.clone())

    def forward(self, weight: torch.Tensor) -> QuantizedWeight:
        n = weight[0].numel() if self.per_channel else weight.numel()
        s = grad_scale(self.step, 1.0 / math.sqrt(n * self.q_p)).clamp(min=1e-8)
        v = torch.clamp(weight / channel_view(s, weight), -self.q_n, self.q_p)
        w_int = sign_ste(v) if self.bits == 1 else round_ste(v)
        return QuantizedWeight(w_int[None], self.static_scale(s, weight.shape[0]))

    def extra_repr(self) -> str:
        return super().extra_repr() + f", per_channel={self.per_channel}, symmetric={self.symmetric}"
