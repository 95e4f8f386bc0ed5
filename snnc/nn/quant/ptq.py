"""Post-training quantization: `ptq(model, method, bits)` (no retraining).

Returns a deep copy of `model` in which every full-precision `torch.nn.Linear`,
`torch.nn.Conv2d`, and full-precision `QLinear` / `QConv2d` is replaced by a
`QLinear` / `QConv2d` with the same weight and bias and a static `PTQQuant`
quantizer (equations in static.py); a `SeqWrap(Linear | Conv2d)` is replaced by the
quantized layer itself (it handles ``[T, B, ...]``); everything else is left as it is. Layers
that are already quantized are kept. If the model was built by
`snnc.models.build` with ``quant="fp"``, the copy's `config` becomes
``quant="ptq"``, ``quant_opts={"scheme": method, "bits": bits, ...}``,
``quant_layers="all"``, so that ``build(copy.arch, **copy.config)`` rebuilds it.
"""
from __future__ import annotations

import copy

from torch import nn

from snnc.errors import ConfigError, UnsupportedError

from ..seq import SeqWrap
from .qconv import QConv2d
from .qlinear import QLinear
from .static import PTQQuant


def ptq(model: nn.Module, method: str = "ternary", bits: int = 2, per_channel: bool = False,
        delta_factor: float = 0.7) -> nn.Module:
    """A copy of `model` with its full-precision Linear / Conv2d layers statically quantized.

    ``method``: "ternary" (bits must be 2) or "kbit" (symmetric k-bit, k = bits).
    """
    if method not in ("ternary", "kbit"):
        raise ConfigError(f"ptq method must be 'ternary' or 'kbit', got {method!r}")
    spec = {"scheme": method, "bits": bits, "per_channel": per_channel, "delta_factor": delta_factor}
    PTQQuant(**spec)  # validate once, before copying
    new = copy.deepcopy(model)
    if _replace(new, spec) == 0:
        raise UnsupportedError("ptq found no full-precision Linear / Conv2d / QLinear / QConv2d layer to "
                               "quantize in this model")
    config = getattr(new, "config", None)
    if isinstance(config, dict) and config.get("quant") == "fp":
        new.config = {**config, "quant": "ptq", "quant_opts": dict(spec), "quant_layers": "all"}
    return new


def _replace(module: nn.Module, spec: dict) -> int:
    count = 0
    for name, child in module.named_children():
        replacement = None
        if isinstance(child, SeqWrap) and isinstance(child.module, (nn.Linear, nn.Conv2d)):
            child = child.module   # QLinear / QConv2d handle the time axis themselves: drop the wrapper
        if isinstance(child, QLinear) or isinstance(child, nn.Linear):
            if getattr(child, "quantizer", None) is None:
                replacement = QLinear.from_float(child, PTQQuant(**spec), getattr(child, "dropconnect", 0.0))
        elif isinstance(child, (QConv2d, nn.Conv2d)):
            if getattr(child, "quantizer", None) is None:
                replacement = QConv2d.from_float(child, PTQQuant(**spec), getattr(child, "dropconnect", 0.0))
        else:
            count += _replace(child, spec)
            continue
        if replacement is not None:
            replacement.train(child.training)
            setattr(module, name, replacement)
            count += 1
    return count
