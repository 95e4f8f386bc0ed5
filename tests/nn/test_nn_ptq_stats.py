"""Post-training quantization, weight entropy and sparsity."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from snnc.errors import ConfigError, UnsupportedError
from snnc.models import build
from snnc.nn import LIF, SeqWrap
from snnc.nn.quant import QConv2d, QLinear, ptq, sparsity, weight_entropy


class Plain(nn.Module):
    """A user model made of plain torch layers plus snnc neurons."""

    def __init__(self):
        super().__init__()
        self.conv = SeqWrap(nn.Conv2d(1, 4, 3, padding=1))
        self.lif = LIF()
        self.flat = SeqWrap(nn.Flatten())
        self.fc = nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        return self.fc(self.flat(self.lif(self.conv(x))))


def test_ptq_replaces_fp_layers_and_keeps_the_original():
    torch.manual_seed(0)
    m = Plain()
    q = ptq(m, "ternary")
    assert isinstance(m.fc, nn.Linear) and isinstance(m.conv.module, nn.Conv2d)       # original untouched
    assert isinstance(q.fc, QLinear) and isinstance(q.conv, QConv2d)      # the SeqWrap is dropped
    assert isinstance(q.lif, LIF)
    dep = q.fc.deployable()
    assert dep.method == "ptq" and dep.bits == 2 and set(np.unique(dep.weight)) <= {-1, 0, 1}
    w = m.fc.weight.detach()
    delta = 0.7 * w.abs().mean()
    np.testing.assert_array_equal(dep.weight[0], (torch.sign(w) * (w.abs() > delta)).numpy())
    assert dep.scale[0, 0] == pytest.approx(w.abs()[w.abs() > delta].mean().item(), rel=1e-6)
    assert torch.equal(q.fc.bias, m.fc.bias)
    # same outputs as the original with the dequantized weights put back in
    x = torch.rand(3, 2, 1, 8, 8)
    with torch.no_grad():
        m.fc.weight.copy_(torch.from_numpy(dep.dequantized()[0]))
        m.conv.module.weight.copy_(torch.from_numpy(q.conv.deployable().dequantized()[0]))
    assert torch.allclose(q(x), m(x), atol=1e-5)


@pytest.mark.parametrize("bits", [2, 3, 4, 8])
def test_ptq_kbit_levels_and_error_shrinks_with_bits(bits):
    torch.manual_seed(0)
    lin = nn.Linear(64, 32)
    q = ptq(nn.Sequential(lin), "kbit", bits=bits)[0]
    dep = q.deployable()
    L = 2 ** (bits - 1) - 1
    assert dep.levels == (-L, L) and np.abs(dep.weight).max() == L
    err = np.abs(dep.dequantized()[0] - lin.weight.detach().numpy()).max()
    assert err <= dep.scale[0, 0] / 2 + 1e-7           # round to nearest: half a step at most


def test_ptq_on_a_built_model_updates_the_config_and_rebuilds():
    torch.manual_seed(0)
    m = build("mlp", hidden=[32], T=3).eval()
    q = ptq(m, "ternary")
    assert m.config["quant"] == "fp" and q.config["quant"] == "ptq"
    assert q.config["quant_opts"]["scheme"] == "ternary"
    r = build(q.arch, **q.config)
    r.load_state_dict(q.state_dict())
    r.eval()
    x = torch.rand(3, 4, 64)
    assert torch.equal(r(x), q(x))
    assert not torch.equal(q(x), m(x))


def test_ptq_errors():
    with pytest.raises(ConfigError):
        ptq(Plain(), "binary")
    with pytest.raises(ConfigError):
        ptq(Plain(), "ternary", bits=4)
    with pytest.raises(UnsupportedError):
        ptq(nn.Sequential(LIF()), "ternary")


def test_weight_entropy_and_sparsity():
    assert weight_entropy(np.array([-1, 0, 1] * 100)) == pytest.approx(math.log2(3))
    assert weight_entropy(np.array([-1, 0, 1] * 100)) == pytest.approx(1.585, abs=1e-3)
    assert weight_entropy(np.zeros(50, np.int8)) == 0.0
    assert weight_entropy(torch.tensor([1.0, -1.0, 1.0, -1.0])) == pytest.approx(1.0)
    assert weight_entropy(np.array([0, 0, 0, 1])) == pytest.approx(-(0.75 * math.log2(0.75) + 0.25 * math.log2(0.25)))
    assert weight_entropy(np.array([])) == 0.0
    assert sparsity(np.array([0, 0, 1, -1])) == 0.5
    assert sparsity(torch.zeros(3, 3)) == 1.0
    assert sparsity(np.array([])) == 0.0
    rng = np.random.default_rng(0)
    skewed = rng.choice([-1, 0, 1], size=10_000, p=[0.1, 0.8, 0.1])
    assert weight_entropy(skewed) < 1.0 < weight_entropy(rng.choice([-1, 0, 1], size=10_000))
