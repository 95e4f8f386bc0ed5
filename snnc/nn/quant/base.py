"""The quantizer protocol shared by every weight quantizer.

A quantizer maps a full-precision weight ``W`` (output channels on dim 0) to

* ``w_int [T_w, *W.shape]``: integer-valued levels (a float tensor, exact integers), and
* ``scale [T_w, out]``: the real value of one level, per timestep and output channel,

so that the effective weight at timestep t is ``w_int[t % T_w] · scale[t % T_w]``
(per output channel) and a layer computes ``y[t] = (x[t] @ w_int[t].T) * scale[t] + bias``.
Static quantizers have ``T_w = 1``. The forward is differentiable (straight-through
or surrogate gradients) with respect to W and the quantizer's own parameters.
Quantizers behave the same in train and eval mode; one instance serves one layer
(its learned parameters are sized from that layer's weight by `init_from`).
"""
from __future__ import annotations

from typing import ClassVar, NamedTuple

import torch
from torch import nn

from snnc.errors import ConfigError


class QuantizedWeight(NamedTuple):
    w_int: torch.Tensor   # [T_w, *weight.shape], integer-valued
    scale: torch.Tensor   # [T_w, out]


class Quantizer(nn.Module):
    """Base class: subclasses set `method`, `bits`, `levels` and implement `forward`."""

    method: ClassVar[str] = ""

    def __init__(self, bits: int, levels: tuple[int, int], T_w: int = 1):
        super().__init__()
        if int(T_w) != T_w or T_w < 1:
            raise ConfigError(f"{type(self).__name__}: T_w must be an integer >= 1, got {T_w}")
        self.bits = int(bits)
        self.levels = (int(levels[0]), int(levels[1]))
        self.T_w = int(T_w)

    @property
    def time_varying(self) -> bool:
        """True when the levels change with the timestep (T_w > 1)."""
        return self.T_w > 1

    def init_from(self, weight: torch.Tensor) -> None:
        """Initialise learned parameters from the layer's weight (default: nothing to do)."""

    def forward(self, weight: torch.Tensor) -> QuantizedWeight:
        raise NotImplementedError

    @staticmethod
    def static_scale(scale: torch.Tensor, out: int) -> torch.Tensor:
        """A per-layer [] or per-output-channel [out] scale as the [1, out] scale of a static weight."""
        return scale.reshape(1, -1).expand(1, out) if scale.dim() == 0 else scale.reshape(1, out)

    def extra_repr(self) -> str:
        return f"method={self.method!r}, bits={self.bits}, levels={self.levels}, T_w={self.T_w}"


def reduce_dims(weight: torch.Tensor, per_channel: bool):
    """The dims a per-layer (all) or per-output-channel (all but 0) statistic reduces over."""
    return tuple(range(1, weight.dim())) if per_channel else tuple(range(weight.dim()))


def channel_view(stat: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """A per-channel statistic [out] viewed as [out, 1, ...] to broadcast against the weight."""
    return stat.view(-1, *([1] * (weight.dim() - 1))) if stat.dim() == 1 else stat
