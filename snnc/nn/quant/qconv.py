"""QConv2d: a (quantized) 2-D convolution over time-major input (arithmetic in qlayer.py)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from snnc.errors import ConfigError, UnsupportedError

from .qlayer import QuantLayer


def _pair(v) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


class QConv2d(QuantLayer):
    """``y[t] = conv2d(x[t], W_int[t]) * scale[t] + bias`` (per output channel) on ``x [T, B, C, H, W]``.

    Zero padding, no dilation. ``groups`` as in `torch.nn.Conv2d`: the input and output
    channels are split into `groups` equal parts, output group g sees input group g only;
    the weight is ``[out, in / groups, kh, kw]`` (``groups = in = out``: a depthwise
    convolution). ``quant``: None (full precision) or a quantizer spec (see
    `make_quantizer`); ``dropconnect``: see qlayer.py. Weight and bias are initialised
    as `torch.nn.Conv2d`'s.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 bias: bool = True, quant=None, dropconnect: float = 0.0, groups: int = 1):
        super().__init__()
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size, self.stride, self.padding = _pair(kernel_size), _pair(stride), _pair(padding)
        if not isinstance(groups, int) or groups < 1 or self.in_channels % groups or self.out_channels % groups:
            raise ConfigError(f"QConv2d groups={groups!r} must be a positive integer dividing in_channels="
                              f"{self.in_channels} and out_channels={self.out_channels}")
        self.groups = groups
        self.weight = nn.Parameter(torch.empty(self.out_channels, self.in_channels // groups, *self.kernel_size))
        self.bias = nn.Parameter(torch.empty(self.out_channels)) if bias else None
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels // groups * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            nn.init.uniform_(self.bias, -bound, bound)
        self._setup(quant, dropconnect)

    @classmethod
    def from_float(cls, layer: nn.Conv2d, quant=None, dropconnect: float = 0.0) -> "QConv2d":
        """A QConv2d with `layer`'s weight and bias (copied) and the given quantizer."""
        if _pair(layer.dilation) != (1, 1) or layer.padding_mode != "zeros" or isinstance(layer.padding, str):
            raise UnsupportedError(f"cannot convert {layer}: only dilation=1 and numeric zero padding are "
                                   f"supported")
        q = cls(layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride, layer.padding,
                layer.bias is not None, None, dropconnect, groups=layer.groups)
        return q._copy_float(layer, quant, dropconnect)

    def _product(self, x_t, w):
        return F.conv2d(x_t, w, None, self.stride, self.padding, 1, self.groups)

    def _channel_shape(self):
        return (self.out_channels, 1, 1)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, "
                + (f"groups={self.groups}, " if self.groups != 1 else "") + super().extra_repr())
