"""Surrogate gradients for the spike (Heaviside) function.

Forward, a spike is a step of the distance to the threshold ``x = h - θ``:
``s = H(x)`` with ``H(x) = [x >= 0]`` (compare "ge") or ``[x > 0]`` (compare "gt").
Backward, the derivative of the step (a Dirac delta) is replaced by a smooth
bump ``σ'(x)`` of unit area, set by the surrogate's `alpha`:

* ``atan``:     ``σ'(x) = (α/2) / (1 + (π/2 · α · x)²)``           (SpikingJelly's ATan, α = 2)
* ``sigmoid``:  ``σ'(x) = α · sig(α x) · (1 − sig(α x))``           (α = 4)
* ``triangle``: ``σ'(x) = max(0, 1 − |x|/α) / α``  (α = half-width)  (α = 1)

A surrogate is given as a name (``"atan"``), a ``(name, alpha)`` pair, or a
`Surrogate` instance; `get_surrogate` normalizes all three.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from snnc.errors import ConfigError


@dataclass(frozen=True)
class Surrogate:
    """A surrogate gradient: `name` (atan | sigmoid | triangle) and its sharpness/width `alpha`."""

    name: str = "atan"
    alpha: float = 2.0

    def __post_init__(self):
        if self.name not in SURROGATES:
            raise ConfigError(f"unknown surrogate {self.name!r}; choose one of {', '.join(SURROGATES)}")
        if not self.alpha > 0:
            raise ConfigError(f"surrogate alpha must be > 0, got {self.alpha}")

    def grad(self, x: torch.Tensor) -> torch.Tensor:
        """The bump σ'(x) (see the module docstring)."""
        return SURROGATES[self.name](x, float(self.alpha))

    def spike(self, h: torch.Tensor, threshold: float, compare: str = "ge") -> torch.Tensor:
        """`s = [h >= θ]` (or `[h > θ]`), with gradient σ'(h − θ) with respect to h."""
        return _Spike.apply(h, threshold, compare == "gt", self)


def _atan(x, a):
    return (a / 2) / (1 + (math.pi / 2 * a * x) ** 2)


def _sigmoid(x, a):
    sg = torch.sigmoid(a * x)
    return a * sg * (1 - sg)


def _triangle(x, a):
    return torch.clamp(1 - x.abs() / a, min=0) / a


SURROGATES = {"atan": _atan, "sigmoid": _sigmoid, "triangle": _triangle}
DEFAULT_ALPHA = {"atan": 2.0, "sigmoid": 4.0, "triangle": 1.0}


class _Spike(torch.autograd.Function):
    """Heaviside step in the forward pass, surrogate bump in the backward pass."""

    @staticmethod
    def forward(ctx, h, threshold, strict, surrogate):
        ctx.save_for_backward(h)
        ctx.threshold, ctx.surrogate = threshold, surrogate
        fired = h > threshold if strict else h >= threshold
        return fired.to(h.dtype)

    @staticmethod
    def backward(ctx, grad):
        (h,) = ctx.saved_tensors
        return grad * ctx.surrogate.grad(h - ctx.threshold), None, None, None


def get_surrogate(spec=None, alpha: float | None = None) -> Surrogate:
    """Normalize a surrogate spec: None (atan), a name, a (name, alpha) pair or a `Surrogate`."""
    if isinstance(spec, Surrogate):
        return spec
    if spec is None:
        spec = "atan"
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        spec, alpha = spec
    if not isinstance(spec, str):
        raise ConfigError(f"a surrogate is a name, a (name, alpha) pair or a Surrogate, got {spec!r}")
    if spec not in SURROGATES:
        raise ConfigError(f"unknown surrogate {spec!r}; choose one of {', '.join(SURROGATES)}")
    return Surrogate(spec, float(DEFAULT_ALPHA[spec] if alpha is None else alpha))
