"""Per-layer choice of the synaptic kernel (linear and conv2d).

* **bitplane** — binary inputs times ternary weights without multiplies: the input bits are
  packed 64 to a word (k-bit unsigned inputs, e.g. a direct-encoded first layer, as k bit
  planes whose results are added with weights 2^b), the weights are two bit planes (+1 / −1),
  and ``popcount(x & P) − popcount(x & N)`` gives 64 synapses per word (8 outputs per
  AVX-512 VPOPCNTDQ instruction). Needs ternary weights, an unsigned input of at most 8 bits
  and, for conv2d, groups = 1. Its cost does not depend on the input's density.
* **event** — event-driven accumulation: the non-zero inputs are listed (branch-free) and each
  adds its contiguous weight row to all outputs (multiplied by the input for graded inputs).
  Any integer weights; conv2d needs groups = 1. Its cost is proportional to the number of
  active inputs.
* **direct** (conv2d) — one weight at a time over whole output rows, vectorised along the row;
  zero weights are skipped, ±1 weights add or subtract. Any conv2d (groups, stride, dilation);
  its cost is that of the dense layer divided by the vector width, whatever the density.

"auto" picks bitplane when it applies and the packed words are well filled — at least
`MIN_BITPLANE_IN` inputs for linear, at least `MIN_BITPLANE_CHANNELS` input channels for conv2d
(channels are packed per pixel, so few channels waste most of each word) — else event for
linear and direct for conv2d (on a 32×32×3 input layer, direct is 10× faster than the event
scatter, whose position-major accumulators must be transposed back). Forcing a kernel applies
it wherever it can express the layer; elsewhere the choice falls back to auto's.
"""
from __future__ import annotations

import numpy as np

from snnc.ir import DType

from .packing import is_ternary

MIN_BITPLANE_IN = 32
MIN_BITPLANE_CHANNELS = 16
MAX_PLANES = 8


def input_planes(dtype: DType) -> int:
    """Number of bit planes of an input the bitplane kernel can take (0: it cannot)."""
    lo, hi = dtype.range()
    if lo < 0 or hi > (1 << MAX_PLANES) - 1:
        return 0
    return max(1, int(hi).bit_length())


def choose_linear(weight: np.ndarray, x: DType, fan_in: int, forced: str) -> str:
    can_bitplane = is_ternary(weight) and input_planes(x) > 0
    if forced == "bitplane" and can_bitplane:
        return "bitplane"
    if forced in ("event", "direct"):
        return "event"
    return "bitplane" if can_bitplane and (forced == "bitplane" or fan_in >= MIN_BITPLANE_IN) else "event"


def choose_conv(weight: np.ndarray, x: DType, channels: int, groups: int, forced: str) -> str:
    can_bitplane = groups == 1 and is_ternary(weight) and input_planes(x) > 0
    if forced == "bitplane" and can_bitplane:
        return "bitplane"
    if forced == "event" and groups == 1:
        return "event"
    if can_bitplane and (forced == "bitplane" or (forced == "auto" and channels >= MIN_BITPLANE_CHANNELS)):
        return "bitplane"
    return "direct"
