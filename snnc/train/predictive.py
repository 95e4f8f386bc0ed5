"""Predictive uncertainty of a (ternary) SNN by Monte-Carlo passes.

With the model's dropout / dropconnect kept active (`snnc.nn.mc_mode`), run
`P` stochastic passes over the data; pass `k` gives probabilities
`p_k[b] = softmax(mean_t out_k[t, b])`. The predictive distribution is
`p̄[b] = (1/P) Σ_k p_k[b]` and the reported uncertainty is the mean normalized
predictive entropy

    U = (1/N) Σ_b H(p̄[b]) / log C    ∈ [0, 1]

(0: every prediction is certain; 1: uniform over the C classes). A model
without dropout or dropconnect gives identical passes, and `U` is then the
plain predictive entropy of its softmax.
"""
from __future__ import annotations

import contextlib

import torch
import torch.nn.functional as F

from snnc.errors import ConfigError

from .losses import logits, normalized_entropy


def mc_probabilities(model: torch.nn.Module, x: torch.Tensor, passes: int) -> torch.Tensor:
    """`p̄ [B, C]`: softmax probabilities averaged over `passes` stochastic passes."""
    total = None
    with torch.no_grad(), _mc(model):
        for _ in range(passes):
            p = F.softmax(logits(model(x).float()), dim=-1)
            total = p if total is None else total + p
    return total / passes


def uncertainty(model: torch.nn.Module, data=None, passes: int = 20, seed: int = 0,
                batch_size: int = 256) -> float:
    """Mean normalized predictive entropy `U` over `passes` MC passes (see module doc).

    `data` is a `snnc.data.Digits`, a tensor `x [T, N, ...]`, or None for the
    digits test split with the encoding and T the model was trained for. The
    dropout masks come from a generator seeded with `seed`, so the value is
    reproducible; the global RNG state is left unchanged.
    """
    if passes < 1:
        raise ConfigError(f"uncertainty needs passes ≥ 1, got {passes}")
    x = _inputs(model, data)
    was_training = model.training
    entropies = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        try:
            for start in range(0, x.shape[1], batch_size):
                p = mc_probabilities(model, x[:, start:start + batch_size], passes)
                entropies.append(normalized_entropy(p))
        finally:
            model.train(was_training)
    return float(torch.cat(entropies).mean())


@contextlib.contextmanager
def _mc(model: torch.nn.Module):
    """Eval mode with dropout / dropconnect sampling on (snnc.nn.mc_mode)."""
    from snnc.nn import mc_mode

    model.eval()
    mc_mode(model, True)
    try:
        yield
    finally:
        mc_mode(model, False)


def _inputs(model, data) -> torch.Tensor:
    if isinstance(data, torch.Tensor):
        return data
    if data is None:
        from snnc.data import digits

        meta = getattr(model, "metadata", None) or {}
        config = getattr(model, "config", {})
        data = digits("test", encoding=meta.get("encoding", "direct"), T=int(config.get("T", meta.get("T", 4))),
                      seed=int(meta.get("data_seed", 0)))
        if "input_shape" in config:
            data = data.reshape(config["input_shape"])
    x = getattr(data, "x", None)
    if not isinstance(x, torch.Tensor):
        raise ConfigError(
            f"uncertainty: cannot read inputs from a {type(data).__name__}; pass snnc.data.digits(...) or a tensor"
        )
    return x
