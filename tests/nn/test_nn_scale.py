"""LayerScale and Voting: their equations, their errors, and their lowering (scale op; reshape →
avgpool2d → reshape) exact through reference, cpu and hls."""
import pytest
import torch
from torch import nn

from snnc.errors import ConfigError
from snnc.frontend import trace
from snnc.nn import LIF, LayerScale, QConv2d, QLinear, SeqWrap, Voting
from targethelp import DIGITS_META, check_targets, digit_like


def test_layer_scale_and_voting_equations():
    ls = LayerScale(3, 0.5)
    x = torch.rand(2, 4, 3, 5, 5)
    assert torch.equal(ls(x), x * 0.5)
    v = Voting(10)
    s = torch.rand(2, 4, 30)
    want = torch.stack([s[..., 10 * j:10 * j + 10].mean(-1) for j in range(3)], -1)
    assert torch.allclose(v(s), want)
    with pytest.raises(ConfigError, match="Voting"):
        v(torch.rand(2, 4, 25))
    with pytest.raises(ConfigError, match="LayerScale"):
        ls(torch.rand(2, 4, 5, 5, 5))
    with pytest.raises(ConfigError, match="k must be"):
        Voting(0)


class ScaledVotingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv, self.bn = QConv2d(2, 8, 3, 1, 1, quant="ternary"), SeqWrap(nn.BatchNorm2d(8))
        self.ls, self.sn = LayerScale(8, 0.7), LIF(0.5, threshold=0.3)
        self.flat, self.fc = SeqWrap(nn.Flatten()), QLinear(8 * 6 * 6, 40, quant="ternary")
        self.sn2, self.vote = LIF(0.5, threshold=0.3), Voting(4)

    def forward(self, x):
        u = self.bn(self.conv(x))
        u = u + self.ls(u)
        return self.vote(self.sn2(self.fc(self.flat(self.sn(u)))))


def test_layer_scale_and_voting_are_exact_on_reference_cpu_hls(tmp_path):
    torch.manual_seed(0)
    model = ScaledVotingNet().eval()
    with torch.no_grad():
        model.ls.gamma.uniform_(0.2, 1.5)
    model.metadata = dict(DIGITS_META)
    x = digit_like(4, 3, (2, 6, 6))
    ops = [n.op for n in trace(model, x[:, :1])]
    assert "scale" in ops and "avgpool2d" in ops
    outs = check_targets(model, x, tmp_path)
    assert outs["cpu"].shape == (4, 3, 10) and outs["cpu"].std() > 0
