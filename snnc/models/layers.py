"""`LayerFactory`: builds a model's layers from its config (neurons, quantized layers, dropout).

The factory decides which layers get the quantizer (``quant_layers``): each
layer is created with a role — "first" (the input layer), "hidden", or "last"
(the readout) — and a kind — conv or fc.
"""
from __future__ import annotations

from torch import nn

from snnc.nn import IELIF, IF, LIF, PLIF, CubaLIF, MCDropout, QConv2d, QLinear, SeqWrap
from snnc.nn.surrogate import get_surrogate

from .config import ModelConfig


class LayerFactory:
    def __init__(self, cfg: ModelConfig):
        self.cfg = cfg

    def _quant(self, role: str, kind: str):
        scope = self.cfg.quant_layers
        wanted = (scope == "all" or (scope == "hidden" and role == "hidden")
                  or (scope == "conv" and kind == "conv") or (scope == "fc" and kind == "fc"))
        return self.cfg.quant_spec() if wanted else None

    def linear(self, n_in: int, n_out: int, role: str = "hidden", bias: bool = True) -> QLinear:
        return QLinear(n_in, n_out, bias, self._quant(role, "fc"), self.cfg.dropconnect)

    def conv(self, c_in: int, c_out: int, kernel_size: int, stride: int = 1, padding: int = 0,
             role: str = "hidden", bias: bool = True, groups: int = 1) -> QConv2d:
        return QConv2d(c_in, c_out, kernel_size, stride, padding, bias, self._quant(role, "conv"),
                       self.cfg.dropconnect, groups=groups)

    def block_quant(self):
        """The quantizer spec of a block's inner (hidden) layers, e.g. the attention's convolutions."""
        return self._quant("hidden", "conv")

    def neuron(self, channels: int, threshold: float | None = None) -> nn.Module:
        """The configured spiking neuron; `channels` is the size of dim 2 of its input (PLIF per channel);
        `threshold` overrides the config's (e.g. Spikformer's attention neuron at 0.5)."""
        c = self.cfg
        common = dict(threshold=c.threshold if threshold is None else threshold, reset=c.reset,
                      v_reset=c.v_reset, compare=c.compare,
                      surrogate=get_surrogate(c.surrogate, c.surrogate_alpha), detach_reset=c.detach_reset)
        if c.neuron == "lif":
            return LIF(c.beta, **common)
        if c.neuron == "if":
            return IF(**common)
        if c.neuron == "plif":
            return PLIF(c.beta, c.per_channel, channels, **common)
        if c.neuron == "cuba":
            return CubaLIF(c.alpha, c.beta, **common)
        return IELIF(c.D)

    def dropout(self) -> nn.Module:
        return MCDropout(self.cfg.dropout) if self.cfg.dropout > 0 else nn.Identity()

    @staticmethod
    def seq(module: nn.Module) -> SeqWrap:
        return SeqWrap(module)
