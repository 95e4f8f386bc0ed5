"""The type of the graph input: spikes, k-bit integers with a scale, or float32.

The input node of a traced graph takes raw values ``r``; their real value, the
tensor PyTorch sees, is ``x = r · step`` with ``step = scale · 2^-frac`` (frac = 0
except for fixed<k,f>). The type is chosen, first match wins:

1. ``input_type`` / ``input_scale`` given to `trace` ("spike", "uint<5>", "f32", …);
2. the model's ``metadata`` (checkpoints): ``encoding = "rate"`` → spike;
   ``input_bits`` k and ``input_scale`` s → ``uint<k>`` with scale s (digits: uint<5>,
   1/16; ``input_bits = 1`` with scale 1 → spike); an encoding without them → f32;
3. the example: spikes when every value is 0 or 1, some are 1 and the frames
   change over time (rate coding), else f32.

An integer or spike type is checked against the example: every entry must be
exactly ``float32(r) · float32(step)`` for an integer r in the type's range,
which is what the traced graph computes (a float ``scale`` op after the input).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from snnc.errors import ConfigError
from snnc.ir import DType, parse_dtype


@dataclass(frozen=True)
class InputSpec:
    dtype: DType
    scale: float        # the input node's `scale` attribute
    encoding: str       # "rate", "direct", … (graph attribute)
    origin: str         # where the type came from, for error messages

    @property
    def step(self) -> float:
        """Real value of one raw unit: scale · 2^-frac."""
        return self.scale * 2.0 ** -self.dtype.frac


def input_spec(model, example: torch.Tensor, input_type=None, input_scale=None) -> InputSpec:
    """Decide the input type (rules in the module docstring) and check the example against it."""
    meta = getattr(model, "metadata", None)
    meta = meta if isinstance(meta, dict) else {}
    encoding = meta.get("encoding")
    if input_type is not None:
        spec = _explicit(input_type, input_scale, encoding)
    elif input_scale is not None:
        raise ConfigError("input_scale needs input_type (e.g. input_type='uint<5>', input_scale=0.0625)")
    elif encoding is not None or "input_bits" in meta:
        spec = _from_metadata(meta, encoding)
    else:
        spec = _from_example(example)
    _check_example(example, spec)
    return spec


def _explicit(input_type, input_scale, encoding) -> InputSpec:
    try:
        dtype = parse_dtype(str(input_type))
    except ValueError as e:
        raise ConfigError(f"input_type: {e}") from None
    scale = 1.0 if input_scale is None else float(input_scale)
    if not np.isfinite(scale) or scale <= 0:
        raise ConfigError(f"input_scale must be a positive number, got {input_scale!r}")
    if dtype.is_float and scale != 1.0:
        raise ConfigError("a float (f32) input takes real values and has no scale; drop input_scale or give an "
                          "integer input_type such as 'uint<5>'")
    default = "rate" if dtype.kind == "spike" else "direct"
    return InputSpec(dtype, scale, str(encoding or default), "the input_type argument")


def _from_metadata(meta: dict, encoding) -> InputSpec:
    origin = "the model's metadata"
    bits, scale = meta.get("input_bits"), meta.get("input_scale", 1.0)
    if encoding == "rate" or (bits == 1 and scale == 1.0):
        return InputSpec(parse_dtype("spike"), 1.0, str(encoding or "rate"), origin)
    if bits is None:
        return InputSpec(parse_dtype("f32"), 1.0, str(encoding), origin)
    try:
        dtype, scale = parse_dtype(f"uint<{int(bits)}>"), float(scale)
    except (TypeError, ValueError):
        raise ConfigError(f"the model's metadata has input_bits={bits!r}, input_scale={scale!r}; expected an "
                          f"integer 1..64 and a positive number (or pass input_type=…)") from None
    if not scale > 0:
        raise ConfigError(f"the model's metadata has input_scale={scale!r}; it must be positive")
    return InputSpec(dtype, scale, str(encoding or "direct"), origin)


def _from_example(example: torch.Tensor) -> InputSpec:
    x = example.detach()
    binary = bool(((x == 0) | (x == 1)).all()) and bool((x == 1).any())
    changes = x.shape[0] > 1 and not bool((x == x[:1]).all())
    if binary and (changes or x.shape[0] == 1):
        return InputSpec(parse_dtype("spike"), 1.0, "rate", "the example (0/1 spikes)")
    return InputSpec(parse_dtype("f32"), 1.0, "direct", "the example (real values)")


def _check_example(example: torch.Tensor, spec: InputSpec) -> None:
    if spec.dtype.is_float:
        return
    x = example.detach().cpu().numpy().astype(np.float32)
    step = np.float32(spec.step)
    raw = np.rint(x.astype(np.float64) / float(step))
    lo, hi = spec.dtype.range()
    on_grid = np.isfinite(x).all() and np.array_equal(raw.astype(np.float32) * step, x)
    if not on_grid or (raw.size and (raw.min() < lo or raw.max() > hi)):
        raise ConfigError(f"the example input is not {spec.dtype} data with scale {spec.scale} (the type comes from "
                          f"{spec.origin}): its values must be integers {lo}..{hi} times {float(step)!r}; "
                          f"pass input_type='f32' to trace a float input, or an example encoded like the data")
