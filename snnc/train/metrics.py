"""Weight statistics of a trained model, from its layers' deployable weights.

Over every `QLinear` / `QConv2d` layer ℓ with deployable levels `w_ℓ`
(`[T_w, out, …]`, `T_w` = 1 for static weights; float for full precision):

* ``sparsity`` — fraction of zero entries over the pooled levels of the
  quantized layers, `Σ_ℓ #{w_ℓ = 0} / Σ_ℓ |w_ℓ|` (over all timesteps of a
  time-varying bank); for a full-precision model, the fraction of exact zeros.
* ``entropy_bits`` — weight-state entropy `−Σ_v p_v log2 p_v` of the pooled
  level histogram of the quantized layers (log2 3 ≈ 1.585 is the ternary
  maximum); None when no layer is quantized.
* ``storage_bits`` — packed weight storage: `Σ_ℓ |w_ℓ|·bits_ℓ` (ternary: 2
  bits, k-bit: k, float: 32) plus 32 bits per distinct scale value
  (`T_w` per-tensor scales, or `T_w·out` per-channel ones) and per bias.
* ``params`` — the number of trainable parameters of the model (`numel`).
"""
from __future__ import annotations

import numpy as np
import torch

FLOAT_BITS = 32


def weight_stats(model: torch.nn.Module) -> dict:
    """{sparsity, entropy_bits, storage_bits, params, quantized_layers, layers} of `model`."""
    from snnc.nn.quant import sparsity, weight_entropy

    layers = [m.deployable() for m in model.modules() if callable(getattr(m, "deployable", None))]
    quantized = [d for d in layers if d.method != "fp"]
    storage = 0
    for d in layers:
        storage += d.weight.size * d.bits
        per_tensor = np.all(d.scale == d.scale[:, :1])
        storage += FLOAT_BITS * (d.scale.shape[0] if per_tensor else d.scale.size) * (d.method != "fp")
        storage += FLOAT_BITS * (0 if d.bias is None else d.bias.size)
    pooled = np.concatenate([d.weight.ravel() for d in (quantized or layers)]) if layers else np.zeros(0)
    return {
        "sparsity": sparsity(pooled),
        "entropy_bits": weight_entropy(pooled) if quantized else None,
        "storage_bits": int(storage),
        "params": int(sum(p.numel() for p in model.parameters() if p.requires_grad)),
        "quantized_layers": len(quantized),
        "layers": len(layers),
    }
