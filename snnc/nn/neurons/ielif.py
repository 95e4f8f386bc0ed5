"""IE-LIF: the information-enhanced integer ("multi-bit") spike of the QSD-Transformer."""
from __future__ import annotations

import torch
from torch import nn

from snnc.errors import ConfigError

from .base import check_time_major


class _MultiSpike(torch.autograd.Function):
    """floor(clip(x, 0, D) + 1/2) forward; straight-through (gradient 1) for 0 <= x <= D, else 0."""

    @staticmethod
    def forward(ctx, x, D):
        ctx.save_for_backward(x)
        ctx.D = D
        return torch.floor(torch.clamp(x, 0, D) + 0.5)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x >= 0) & (x <= ctx.D)).to(grad.dtype), None


class IELIF(nn.Module):
    """Information-enhanced LIF (QSD-Transformer), stateless:

        s[t] = floor(clip(x[t], 0, D) + 0.5)      (round half up; an integer in 0..D)

    The output is the integer spike count, not divided by D. The gradient is
    straight-through inside [0, D] and 0 outside. For inference the compiler
    lowers it to graded spikes or D binary sub-steps (IR op `multispike`).
    `ir_params()` returns ``{"D": D}``.
    """

    ir_op = "multispike"

    def __init__(self, D: int = 4):
        super().__init__()
        if int(D) != D or D < 1:
            raise ConfigError(f"IELIF D must be an integer >= 1, got {D}")
        self.D = int(D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_time_major(x, "IELIF")
        return _MultiSpike.apply(x, self.D)

    def ir_params(self) -> dict:
        return {"D": self.D}

    def extra_repr(self) -> str:
        return f"D={self.D}"
