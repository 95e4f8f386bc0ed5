"""Autograd functions with exact forward values and straight-through / surrogate backward.

Each forward returns exactly the quantized value (no ``x + (q - x).detach()``
trick, whose float rounding would move values off the integer grid).

* `round_ste(x)`: ``round(x)`` (half to even); gradient 1.
* `sign_ste(x)`: ``+1 if x >= 0 else -1``; gradient 1 (clip `x` first to bound it).
* `ternary_ste(w, delta, inv_scale)`: ``sign(w)·[|w| > delta]``; gradient ``inv_scale``
  (so that ``scale · ternary`` passes the gradient straight through to w).
* `staircase(c, c_th, L, width)`: ``clip(trunc(c / c_th), −L, L)``; surrogate
  gradient ``Σ_{j=1..L} tri(|c| − j·c_th) `` with
  ``tri(u) = max(0, 1 − |u|/(width·c_th)) / (width·c_th)``: one unit-area
  triangle per step of the staircase, its width following ``c_th`` (TaWQ).
* `grad_scale(x, g)`: identity; gradient multiplied by g (LSQ's step-size gradient scale).
"""
from __future__ import annotations

import torch


class _Round(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.round(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class _Sign(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, grad):
        return grad


class _Ternary(torch.autograd.Function):
    @staticmethod
    def forward(ctx, w, delta, inv_scale):
        ctx.save_for_backward(inv_scale)
        return torch.sign(w) * (w.abs() > delta).to(w.dtype)

    @staticmethod
    def backward(ctx, grad):
        (inv_scale,) = ctx.saved_tensors
        return grad * inv_scale, None, None


class _Staircase(torch.autograd.Function):
    @staticmethod
    def forward(ctx, c, c_th, L, width):
        ctx.save_for_backward(c)
        ctx.c_th, ctx.L, ctx.width = c_th, L, width
        return torch.clamp(torch.trunc(c / c_th), -L, L)

    @staticmethod
    def backward(ctx, grad):
        (c,) = ctx.saved_tensors
        w = ctx.width * ctx.c_th
        a = c.abs()
        bump = torch.zeros_like(c)
        for j in range(1, ctx.L + 1):
            bump = bump + torch.clamp(1 - (a - j * ctx.c_th).abs() / w, min=0)
        return grad * bump / w, None, None, None


class _GradScale(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, g):
        ctx.g = g
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.g, None


def round_ste(x: torch.Tensor) -> torch.Tensor:
    return _Round.apply(x)


def sign_ste(x: torch.Tensor) -> torch.Tensor:
    return _Sign.apply(x)


def ternary_ste(w: torch.Tensor, delta: torch.Tensor, inv_scale: torch.Tensor) -> torch.Tensor:
    return _Ternary.apply(w, delta, inv_scale)


def staircase(c: torch.Tensor, c_th: float, L: int, width: float = 1.0) -> torch.Tensor:
    return _Staircase.apply(c, c_th, L, width)


def grad_scale(x: torch.Tensor, g: float) -> torch.Tensor:
    return _GradScale.apply(x, g)
