"""The machinery `QLinear` and `QConv2d` share: quantizer, DropConnect, time loop, deployable().

For an input ``x [T, B, ...]`` the layer computes, for t = 0 … T−1,

    y[t] = (x[t] ⊛ W_int[t % T_w]) * scale[t % T_w] + bias

where ⊛ is the layer's product (``x @ W.T`` or a 2-D convolution), W_int and
scale come from the quantizer (integer-valued levels; for full precision W_int
is the float weight and no scale multiply is done, which equals a scale of 1
exactly). The product comes first, then the scale, then the bias: the IR's
`linear` / `conv2d` ops compute the same. A time-varying quantizer
(T_w > 1) requires T = T_w.

DropConnect (``dropconnect=p``): while training, or when ``mc=True`` (Monte-Carlo
passes, see `snnc.nn.mc_mode`), one Bernoulli(1−p) mask M over the weight's
entries is drawn per call (shared by all timesteps and samples) and the layer
uses ``W_int ⊙ M`` with ``scale / (1−p)`` (full precision: ``W ⊙ M / (1−p)``),
so that the expected product is unchanged and the levels stay integers.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from snnc.errors import ConfigError

from .base import Quantizer
from .deployable import DeployableWeights
from .registry import make_quantizer


class QuantLayer(nn.Module):
    """Base of QLinear / QConv2d. Subclasses define `weight`, `bias`, `_product` and `_channel_shape`."""

    def _setup(self, quant, dropconnect: float) -> None:
        if not 0.0 <= dropconnect < 1.0:
            raise ConfigError(f"dropconnect must lie in [0, 1), got {dropconnect}")
        self.dropconnect = float(dropconnect)
        self.mc = False
        quantizer = make_quantizer(quant)
        if quantizer is not None:
            quantizer.init_from(self.weight.detach())
        self.quantizer: Quantizer | None = quantizer

    def _copy_float(self, layer: nn.Module, quant, dropconnect: float) -> "QuantLayer":
        """Take `layer`'s weight and bias (copied), then set up the quantizer from them (from_float)."""
        with torch.no_grad():
            self.weight.copy_(layer.weight)
            if layer.bias is not None:
                self.bias.copy_(layer.bias)
        self._setup(quant, dropconnect)
        return self

    # -- subclass hooks ---------------------------------------------------------------
    def _product(self, x_t: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _channel_shape(self) -> tuple[int, ...]:
        """Shape a per-output-channel vector takes to broadcast over one timestep's output."""
        raise NotImplementedError

    # -- weights ----------------------------------------------------------------------
    @property
    def T_w(self) -> int:
        return 1 if self.quantizer is None else self.quantizer.T_w

    def quantized_weight(self):
        """(w_int [T_w, *weight.shape], scale [T_w, out] or None for full precision)."""
        if self.quantizer is None:
            return self.weight[None], None
        return tuple(self.quantizer(self.weight))

    def _dropconnect(self, w, scale):
        if self.dropconnect == 0.0 or not (self.training or self.mc):
            return w, scale
        keep = 1.0 - self.dropconnect
        mask = torch.bernoulli(torch.full_like(self.weight, keep))
        if scale is None:
            return w * mask / keep, None
        return w * mask, scale / keep

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() < 3:
            raise ConfigError(f"{type(self).__name__} expects a time-major input [T, B, ...], got shape "
                              f"{tuple(x.shape)}")
        T, T_w = x.shape[0], self.T_w
        if T_w > 1 and T != T_w:
            raise ConfigError(f"{type(self).__name__}: the input has T={T} timesteps but its time-varying "
                              f"'{self.quantizer.method}' weights were built for T_w={T_w}; feed T={T_w} "
                              f"timesteps or rebuild the model with T={T}")
        w, scale = self._dropconnect(*self.quantized_weight())
        shape = self._channel_shape()
        bias = None if self.bias is None else self.bias.view(shape)
        out = []
        for t in range(T):
            k = t % T_w
            y = self._product(x[t], w[k])
            if scale is not None:
                y = y * scale[k].view(shape)
            if bias is not None:
                y = y + bias
            out.append(y)
        return torch.stack(out)

    # -- export -----------------------------------------------------------------------
    def deployable(self) -> DeployableWeights:
        """The frozen weights (see `DeployableWeights`), computed without gradient or DropConnect."""
        with torch.no_grad():
            w, scale = self.quantized_weight()
            bias = None if self.bias is None else self.bias.detach().cpu().numpy().astype(np.float32).copy()
            out = int(self.weight.shape[0])
            if self.quantizer is None:
                return DeployableWeights(w.detach().cpu().numpy().astype(np.float32).copy(),
                                         np.ones((1, out), np.float32), bias, 32, (0, 0), False, "fp")
            q = self.quantizer
            levels = w.detach().cpu().numpy()
            if not np.array_equal(levels, np.round(levels)):
                raise ConfigError(f"{type(self).__name__}: quantizer {q.method!r} produced non-integer levels")
            return DeployableWeights(levels.astype(np.int8), scale.detach().cpu().numpy().astype(np.float32).copy(),
                                     bias, q.bits, q.levels, q.time_varying, q.method)

    def extra_repr(self) -> str:
        extra = f", dropconnect={self.dropconnect}" if self.dropconnect else ""
        return f"bias={self.bias is not None}{extra}"
