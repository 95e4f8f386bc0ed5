"""TaWQ as the authors' code computes it (TheBrainLab/TaWQ-ZhangHan, ``imagenet/tawq.py``):
``quant="tawq", quant_opts={"preset": "official"}``.

Per layer, from the full-precision weight W (state C[−1] = 0, τ = 2):

    I      = (W − mean(W)) / std(W)                  standardized stimulus (over the whole tensor)
    C_s[t] = C[t−1] + (I − C[t−1]) / τ               calcium state, leaky integration toward I
    W_q[t] = (sign(C_s[t] − ¼) + sign(C_s[t] + ¼)) / 2   ternary: ±1 beyond ±¼, 0 inside
    C[t]   = (1 − |W_q[t]|) · C_s[t]                 hard reset where a level was emitted
    effective weight at t:  W_q[t] / mean_{in} |W_q[t, co, :]|     per timestep and output channel

The scale ``1 / mean|W_q[t, co, :]|`` is computed, not learned (a channel whose levels are all 0 at t
gets scale 0: its effective weight is 0 either way); in the authors' models a BatchNorm follows, which
folding turns into the per-(t, channel) thresholds. The gradient of each ``sign(x)`` is the surrogate
``2·α·σ(αx)(1 − σ(αx))`` with α = 4 (σ′ of the sigmoid); the scale takes no gradient. Exact ties
``C_s = ±¼`` give the level ½ in the authors' formula; they are refused at export (never seen in
practice: C_s is a float sum).

The authors keep the first conv and the classifier in full precision: with this preset the model's
``quant_layers`` defaults to "hidden".

The default snnc TaWQ (`tawq.py`: unstandardized ``W/s``, λ = 1, soft sigma-delta reset, a learned
α_t per layer) stays the default because it approximates W with a bounded error that shrinks as 1/T
(its docstring); this preset reproduces the published method instead.
"""
from __future__ import annotations

import torch

from snnc.errors import ConfigError

from .base import QuantizedWeight, Quantizer

TAU = 2.0
THRESHOLD = 0.25
ALPHA = 4.0


class _SigmoidSign(torch.autograd.Function):
    """sign(x) forward (sign(0) = 0, as torch.sign); gradient 2α·σ(αx)(1 − σ(αx))."""

    @staticmethod
    def forward(ctx, x, alpha: float):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return torch.sign(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(ctx.alpha * x)
        return grad * 2 * ctx.alpha * s * (1 - s), None


class TaWQOfficial(Quantizer):
    method = "tawq"
    preset = "official"

    def __init__(self, T_w: int, tau: float = TAU, threshold: float = THRESHOLD, alpha: float = ALPHA):
        super().__init__(2, (-1, 1), T_w)
        for name, value in (("tau", tau), ("threshold", threshold), ("alpha", alpha)):
            if not (isinstance(value, (int, float)) and value > 0 and value == value and value != float("inf")):
                raise ConfigError(f"TaWQ official preset: {name} must be a finite number > 0, got {value!r}")
        if tau < 1:
            raise ConfigError(f"TaWQ official preset: tau must be ≥ 1 (C moves (I − C)/tau per step), got {tau}")
        self.tau, self.threshold, self.alpha = float(tau), float(threshold), float(alpha)

    def init_from(self, weight: torch.Tensor) -> None:
        """Nothing is learned besides W itself."""

    def levels_over_time(self, weight: torch.Tensor) -> torch.Tensor:
        std = weight.std().clamp(min=1e-12)
        i = (weight - weight.mean()) / std
        c = torch.zeros_like(i)
        levels = []
        for _ in range(self.T_w):
            c_s = c + (i - c) / self.tau
            q = (_SigmoidSign.apply(c_s - self.threshold, self.alpha)
                 + _SigmoidSign.apply(c_s + self.threshold, self.alpha)) / 2
            levels.append(q)
            c = (1 - q.abs()) * c_s
        return torch.stack(levels)

    def forward(self, weight: torch.Tensor) -> QuantizedWeight:
        w_q = self.levels_over_time(weight)
        with torch.no_grad():
            mean = w_q.abs().flatten(2).mean(-1)                     # [T_w, out]
            scale = torch.where(mean > 0, 1.0 / mean.clamp(min=1e-30), torch.zeros_like(mean))
        if not self.training and bool(((w_q * 2) % 2 != 0).any()):
            raise ConfigError("TaWQ official preset: a calcium state fell exactly on ±1/4, which gives the level "
                              "1/2 in the authors' formula; perturb the weights slightly (or train one more step)")
        return QuantizedWeight(w_q, scale)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", preset='official', tau={self.tau}, threshold={self.threshold}, " \
                                      f"alpha={self.alpha}"
