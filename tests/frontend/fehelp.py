"""Helpers shared by the frontend tests: small models that spike, digits batches, checks."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from snnc.data import digits
from snnc.frontend import compare_with_torch
from snnc.models import build
from snnc.nn import IELIF, SpikingNeuron

T = 4
QUANTS = [("fp", {}), ("tawq", {}), ("mtawq", {"bits": 3}), ("ternary", {}), ("lsq", {"bits": 2}),
          ("ptq", {"scheme": "kbit", "bits": 4})]
SMALL = {
    "mlp": dict(hidden=[32, 16], batchnorm=False),
    "cnn": dict(channels=[4, 8], fc_hidden=16),
    "resnet": dict(channels=[4, 8]),
    "transformer": dict(embed_dim=8, heads=2),
}
DIGITS_META = {"encoding": "direct", "input_bits": 5, "input_scale": 1 / 16}


def batch(model, n: int = 48, encoding: str = "direct", split: str = "test") -> torch.Tensor:
    """The first `n` digits of `split`, encoded for the model's T and input shape."""
    d = digits(split, encoding=encoding, T=model.config["T"]).reshape(model.config["input_shape"])
    return d.x[:, :n]


def neurons(model) -> list[nn.Module]:
    return [m for m in model.modules() if isinstance(m, (SpikingNeuron, IELIF))]


@torch.no_grad()
def calibrate(model: nn.Module, x: torch.Tensor, seed: int = 0, quantile: float = 0.75) -> nn.Module:
    """Make a randomly initialised model spike at useful rates on `x` (no training), in one pass.

    BatchNorm: random affine weights around 1 and biases around 0.5, running statistics
    set to the statistics of `x` (a train-mode pass with a cumulative average), so that
    every channel's normalised value straddles the threshold. Neurons with a threshold:
    just before each runs, its threshold becomes the `quantile` of the positive inputs
    it receives, times 1 + 1/997 (float32); the odd factor keeps the threshold off the
    grid of quantized input values, where a threshold tie would be likely.
    Returns the model in eval mode.
    """
    gen = torch.Generator().manual_seed(seed)
    for bn in (m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)):
        bn.reset_running_stats()
        bn.momentum = None
        bn.weight.copy_(0.8 + 0.4 * torch.rand(bn.weight.shape, generator=gen))
        bn.bias.copy_(0.3 + 0.4 * torch.rand(bn.bias.shape, generator=gen))

    def set_threshold(neuron, args):
        pos = args[0][args[0] > 0]
        if pos.numel():
            neuron.threshold = float(np.float32(torch.quantile(pos.double(), quantile).item() * (1 + 1 / 997)))

    hooks = [m.register_forward_pre_hook(set_threshold) for m in neurons(model) if isinstance(m, SpikingNeuron)]
    model.train()
    try:
        model(x)
    finally:
        for h in hooks:
            h.remove()
    return model.eval()


def small_model(arch: str, quant: str, opts: dict, seed: int = 0, **extra) -> nn.Module:
    torch.manual_seed(seed)
    model = build(arch, T=T, quant=quant, quant_opts=opts, **{**SMALL[arch], **extra})
    model.metadata = dict(DIGITS_META)
    return calibrate(model, batch(model, 64, split="train"))


def check_against_torch(model, graph, x, **kw):
    """compare_with_torch plus the assertions every fidelity test makes; returns the comparison."""
    c = compare_with_torch(model, graph, x, **kw)
    assert c.ok, c.summary()
    for n in c.neurons:
        assert 0.0 < n.rate < 1.0, f"{n.node} fires at rate {n.rate}: the test proves nothing\n{c.summary()}"
    return c
