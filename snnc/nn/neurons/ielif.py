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


CONVENTIONS = ("snnc", "qsd")


class IELIF(nn.Module):
    """Information-enhanced LIF (QSD-Transformer), stateless. Two conventions:

    * ``convention="snnc"`` (the default):
      ``s[t] = floor(clip(x[t], 0, D) + 0.5)``, the integer spike count in 0..D
      (round half up), not divided by D.
    * ``convention="qsd"``, as the authors' code (bollossom/QSD-Transformer,
      ``Multispike`` / ``Multispike_att``):
      ``s[t] = floor(clip(D·x[t], 0, D) + 0.5) / divisor`` with ``divisor = D``
      (output in [0, 1] in steps of 1/D), or ``divisor = 2`` for the attention
      neuron (``Multispike_att`` halves instead), so a QSD-trained model ports
      without rescaling.

    The default stays "snnc": its spikes are the integers the IR carries, so a
    model needs no extra scale ops and existing checkpoints keep their meaning.
    In the qsd convention the gain D on the input and 1/divisor on the output are
    known constants: the frontend lowers them to two static ``scale`` ops around
    the same ``multispike`` op (see `ir_gains`), which fold-scale / integerize
    fold into the neighbouring weights' and thresholds' scales, so the integer
    graph is exact as before. The gradient is straight-through inside the
    unclipped range and 0 outside. `ir_params()` returns ``{"D": D}``.
    """

    ir_op = "multispike"

    def __init__(self, D: int = 4, convention: str = "snnc", divisor: int | None = None):
        super().__init__()
        if int(D) != D or D < 1:
            raise ConfigError(f"IELIF D must be an integer >= 1, got {D}")
        if convention not in CONVENTIONS:
            raise ConfigError(f"IELIF convention must be one of {', '.join(CONVENTIONS)}, got {convention!r}")
        if divisor is not None and (convention != "qsd" or int(divisor) != divisor or divisor < 1):
            raise ConfigError(f"IELIF divisor={divisor!r} needs convention='qsd' and an integer >= 1")
        self.D, self.convention = int(D), convention
        self.divisor = (self.D if divisor is None else int(divisor)) if convention == "qsd" else 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_time_major(x, "IELIF")
        if self.convention == "snnc":
            return _MultiSpike.apply(x, self.D)
        gain_in, gain_out = (torch.tensor(g, dtype=x.dtype, device=x.device) for g in self.ir_gains())
        return _MultiSpike.apply(x * gain_in, self.D) * gain_out

    def ir_gains(self) -> tuple[float, float]:
        """(input gain, output gain) around the integer spike: (1, 1) or (D, 1/divisor)."""
        if self.convention == "snnc":
            return 1.0, 1.0
        return float(self.D), 1.0 / self.divisor

    def ir_params(self) -> dict:
        return {"D": self.D}

    def extra_repr(self) -> str:
        if self.convention == "snnc":
            return f"D={self.D}"
        return f"D={self.D}, convention={self.convention!r}, divisor={self.divisor}"
