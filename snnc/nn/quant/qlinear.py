"""QLinear: a (quantized) dense layer over time-major input (arithmetic in qlayer.py)."""
from __future__ import annotations

import math

import torch
from torch import nn

from .qlayer import QuantLayer


class QLinear(QuantLayer):
    """``y[t] = (x[t] @ W_int[t].T) * scale[t] + bias`` over the last dim of ``x [T, B, ..., in]``.

    ``quant``: None (full precision) or a quantizer spec (see `make_quantizer`);
    ``dropconnect``: DropConnect probability (see qlayer.py). Weight and bias are
    initialised as `torch.nn.Linear`'s.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, quant=None,
                 dropconnect: float = 0.0):
        super().__init__()
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = nn.Parameter(torch.empty(self.out_features, self.in_features))
        self.bias = nn.Parameter(torch.empty(self.out_features)) if bias else None
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            nn.init.uniform_(self.bias, -bound, bound)
        self._setup(quant, dropconnect)

    @classmethod
    def from_float(cls, layer: nn.Linear, quant=None, dropconnect: float = 0.0) -> "QLinear":
        """A QLinear with `layer`'s weight and bias (copied) and the given quantizer."""
        q = cls(layer.in_features, layer.out_features, layer.bias is not None, None, dropconnect)
        return q._copy_float(layer, quant, dropconnect)

    def _product(self, x_t, w):
        return torch.matmul(x_t, w.t())

    def _channel_shape(self):
        return (self.out_features,)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, " + super().extra_repr()
