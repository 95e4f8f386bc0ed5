"""A SpikingJelly spike-driven attention block — Q, K, V from 1×1 conv + BN + LIF, Q·(Kᵀ·V)·scale
into a multi-bit spike neuron — taught to snnc with @lowers, compiled to reference and cpu."""
import numpy as np
import pytest
import torch
from torch import nn

pytest.importorskip("spikingjelly.activation_based")
from spikingjelly.activation_based import functional, layer, neuron  # noqa: E402
from targethelp import DIGITS_META, digit_like  # noqa: E402

import snnc  # noqa: E402
from snnc.frontend import compare_with_torch, lower_module, lowers, trace  # noqa: E402


class Round(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, D):
        return torch.round(torch.clamp(x, 0, D))

    @staticmethod
    def backward(ctx, g):
        return g, None


class MultiSpike(nn.Module):
    def __init__(self, D=4):
        super().__init__()
        self.D = D

    def forward(self, x):
        return Round.apply(x, self.D)


class SJAttention(nn.Module):
    # scale 0.25 would put products of counts on x.5, where torch.round (half to even) and the
    # IR's multispike (half up) differ; 0.2 never does
    def __init__(self, dim=8, heads=2, scale=0.2):
        super().__init__()
        self.heads, self.scale = heads, scale
        for p in "qkv":
            setattr(self, f"{p}_conv", layer.Conv2d(dim, dim, 1, bias=False, step_mode="m"))
            setattr(self, f"{p}_bn", layer.BatchNorm2d(dim, step_mode="m"))
            setattr(self, f"{p}_lif", neuron.LIFNode(tau=2.0, v_threshold=0.5, step_mode="m"))
        self.attn_spike = MultiSpike(D=4)

    def forward(self, x):
        T, B, C, H, W = x.shape

        def branch(p):
            y = getattr(self, f"{p}_lif")(getattr(self, f"{p}_bn")(getattr(self, f"{p}_conv")(x)))
            return y.reshape(T, B, self.heads, C // self.heads, H * W)

        q, k, v = branch("q"), branch("k"), branch("v")
        out = (k @ v.transpose(-1, -2)).transpose(-1, -2) @ q * self.scale
        return self.attn_spike(out).reshape(T, B, C, H, W)


@lowers(MultiSpike)
def lower_multispike(em, module, site, x):
    return em.add("multispike", [em.as_float(x, site.name)], site.name, attrs={"D": module.D}, module=site.path)


@lowers(SJAttention)
def lower_attention(em, module, site, x):
    c, h, w = em.shape(x)
    split = (module.heads, c // module.heads, h * w)

    def branch(p):
        y = x
        for part in ("conv", "bn", "lif"):
            y = lower_module(em, getattr(module, f"{p}_{part}"), site.child(f"{p}_{part}"), y)
        return em.add("reshape", [y], f"{site.name}.{p}_heads", attrs={"shape": split}, module=site.path)

    q, k, v = branch("q"), branch("k"), branch("v")
    a = em.add("spike_matmul", [k, v], f"{site.name}.kv", attrs={"transpose_b": True}, module=site.path)
    o = em.add("spike_matmul", [a, q], f"{site.name}.out", attrs={"transpose_a": True, "scale": module.scale},
               module=site.path)
    o = lower_module(em, module.attn_spike, site.child("attn_spike"), o)
    return em.add("reshape", [o], f"{site.name}.merge", attrs={"shape": (c, h, w)}, module=site.path)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = layer.SeqToANNContainer(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8))
        self.lif = neuron.LIFNode(tau=2.0, v_threshold=0.5, step_mode="m")
        self.attn = SJAttention()
        self.head = layer.SeqToANNContainer(nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
        self.metadata = dict(DIGITS_META)

    def forward(self, x):
        return self.head(self.attn(self.lif(self.stem(x))))


@pytest.mark.slow
def test_spikingjelly_attention_block_compiles_exactly(tmp_path):
    torch.manual_seed(0)
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for step in range(3):
        functional.reset_net(model)
        loss = model(torch.as_tensor(digit_like(4, 8, (1, 4, 4), seed=step))).mean(0).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():               # make every neuron fire at a useful rate (random weights)
        for bn in (model.stem[1], model.attn.q_bn, model.attn.k_bn, model.attn.v_bn):
            bn.bias.add_(0.6)
    functional.reset_net(model)
    x = digit_like(4, 50, (1, 4, 4), seed=7)
    graph = trace(model, x[:, :1])
    functional.reset_net(model)
    c = compare_with_torch(model, graph, x)
    assert c.ok and c.mismatches == 0, c.summary()
    assert all(0 < n.rate < 1 for n in c.neurons), c.summary()
    outs = {t: snnc.compile(model, target=t, out_dir=tmp_path / t, example=x[:, :1]).run(x)
            for t in ("reference", "cpu")}
    assert np.array_equal(outs["reference"], outs["cpu"])
