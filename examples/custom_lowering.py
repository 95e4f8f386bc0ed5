"""Teach snnc two modules of your own with `@snnc.frontend.lowers`: an LSQ convolution that keeps
its step size, and a multi-bit spike neuron written as a torch.autograd.Function (round/clamp,
straight-through gradient) — the way QSD-style code writes them.

    python examples/custom_lowering.py

traces the model, checks that snnc's float graph spikes exactly as PyTorch does, and compiles it
for the reference interpreter and the cpu runtime, whose integer outputs must be equal.
"""
from __future__ import annotations

import tempfile

import numpy as np
import torch
from torch import nn

import snnc
from snnc.frontend import compare_with_torch, lowers, trace
from snnc.nn import SeqWrap


class LSQConv2d(nn.Conv2d):
    """Conv2d on [T, B, C, H, W] whose weight is quantized to `bits` with a learned step size."""

    def __init__(self, *args, bits: int = 4, **kw):
        super().__init__(*args, **kw)
        self.qmax = 2 ** (bits - 1) - 1
        self.step = nn.Parameter(self.weight.detach().abs().mean() * 2 / self.qmax ** 0.5)

    def levels(self) -> torch.Tensor:
        w = self.weight / self.step
        return w + (torch.round(torch.clamp(w, -self.qmax, self.qmax)) - w).detach()    # straight-through

    def forward(self, x):
        T, B = x.shape[:2]
        y = nn.functional.conv2d(x.flatten(0, 1), self.levels() * self.step, self.bias, self.stride, self.padding)
        return y.reshape(T, B, *y.shape[1:])


class _MultiSpikeFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, D):
        ctx.save_for_backward(x)
        ctx.D = D
        return torch.round(torch.clamp(x, 0, D))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x > 0) & (x < ctx.D)), None


class MultiSpike(nn.Module):
    """Integer spike count 0..D per timestep."""

    def __init__(self, D: int = 4):
        super().__init__()
        self.D = D

    def forward(self, x):
        return _MultiSpikeFn.apply(x, self.D)


# ---- the two lowerings: ten lines that say which IR ops compute the module -----------------
@lowers(LSQConv2d)
def lower_lsq_conv(em, module, site, x):
    levels = torch.round(torch.clamp(module.weight / module.step, -module.qmax, module.qmax))
    out = module.out_channels
    params = {"weight": levels.detach().numpy().astype(np.int8),                 # exact integer weights
              "scale": np.full((1, out, 1, 1), float(module.step.detach()), np.float32)}  # y = (x ⊛ W_int) · step
    if module.bias is not None:
        params["bias"] = module.bias.detach().numpy().astype(np.float32).reshape(1, out, 1, 1)
    attrs = {"stride": tuple(module.stride), "padding": tuple(module.padding), "dilation": (1, 1), "groups": 1}
    return em.add("conv2d", [x], site.name, attrs=attrs, params=params, module=site.path)


@lowers(MultiSpike)
def lower_multispike(em, module, site, x):
    return em.add("multispike", [em.as_float(x, site.name)], site.name, attrs={"D": module.D}, module=site.path)


# ---------------------------------------------------------------------------------------------
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = LSQConv2d(1, 4, 3, padding=1, bits=4)
        self.bn = SeqWrap(nn.BatchNorm2d(4))
        self.spike = MultiSpike(D=4)
        self.head = nn.Linear(4 * 8 * 8, 10)
        self.metadata = {"encoding": "direct", "input_bits": 5, "input_scale": 1 / 16}

    def forward(self, x):
        return self.head(self.spike(self.bn(self.conv(x))).flatten(2))


def inputs(T: int, B: int, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).integers(0, 32, (T, B, 1, 8, 8)) / 16).astype(np.float32)


def main(out_dir: str | None = None, samples: int = 50) -> dict:
    torch.manual_seed(0)
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for step in range(3):                                   # a few training steps on random data
        loss = model(torch.as_tensor(inputs(4, 16, step))).mean(0).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    x = inputs(4, samples, 99)
    graph = trace(model, x[:, :1])
    c = compare_with_torch(model, graph, x)
    print(c.summary())
    out_dir = out_dir or tempfile.mkdtemp()
    outs = {t: snnc.compile(model, target=t, out_dir=f"{out_dir}/{t}", example=x[:, :1]).run(x)
            for t in ("reference", "cpu")}
    differ = int((outs["reference"] != outs["cpu"]).sum())
    print(f"reference vs cpu over {samples} inputs: {differ} of {outs['cpu'].size} outputs differ")
    return {"comparison": c, "differ": differ, "outputs": outs}


if __name__ == "__main__":
    main()
