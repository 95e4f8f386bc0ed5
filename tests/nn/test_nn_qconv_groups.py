"""QConv2d(groups=…): grouped and depthwise convolutions, as torch computes them, traced to the
IR's conv2d `groups` attribute and exact through reference, cpu and hls."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from snnc.errors import ConfigError
from snnc.frontend import trace
from snnc.nn import LIF, QConv2d, QLinear, SeqWrap
from targethelp import DIGITS_META, check_targets, digit_like


@pytest.mark.parametrize("quant", [None, "ternary", {"method": "tawq", "T_w": 3}, {"method": "lsq", "bits": 2}])
@pytest.mark.parametrize("c_in, c_out, groups", [(6, 6, 6), (6, 12, 3), (4, 8, 2)])
def test_grouped_conv_equals_torch(c_in, c_out, groups, quant):
    torch.manual_seed(0)
    q = QConv2d(c_in, c_out, 3, 2, 1, quant=quant, groups=groups)
    assert q.weight.shape == (c_out, c_in // groups, 3, 3)
    x = torch.rand(3, 2, c_in, 7, 7)
    w, scale = q.quantized_weight()
    y = q(x)
    for t in range(3):
        want = F.conv2d(x[t], w[t % len(w)], None, 2, 1, 1, groups)
        if scale is not None:
            want = want * scale[t % len(w)].view(-1, 1, 1)
        assert torch.allclose(y[t], want + q.bias.view(-1, 1, 1), atol=1e-5)
    y.sum().backward()
    assert q.weight.grad is not None and q.weight.grad.abs().sum() > 0


def test_from_float_keeps_groups():
    conv = nn.Conv2d(8, 8, 3, padding=1, groups=8)
    q = QConv2d.from_float(conv)
    x = torch.rand(2, 1, 8, 5, 5)
    assert q.groups == 8 and torch.allclose(q(x)[1], conv(x[1]), atol=1e-6)
    assert "groups=8" in repr(q)


@pytest.mark.parametrize("groups", [0, 5, 2.0])
def test_bad_groups_is_a_config_error(groups):
    with pytest.raises(ConfigError, match="groups"):
        QConv2d(10, 6, 3, groups=groups)


class DepthwiseNet(nn.Module):
    """conv → LIF → depthwise conv → LIF → grouped 1×1 conv → LIF → readout."""

    def __init__(self, quant):
        super().__init__()
        self.a, self.sa = QConv2d(2, 8, 3, 1, 1, quant=quant), LIF(0.5, threshold=0.3)
        self.dw, self.sdw = QConv2d(8, 8, 3, 1, 1, quant=quant, groups=8), LIF(0.5, threshold=0.3)
        self.pw, self.spw = QConv2d(8, 8, 1, quant=quant, groups=2), LIF(0.5, threshold=0.3)
        self.flat, self.out = SeqWrap(nn.Flatten()), QLinear(8 * 6 * 6, 4)

    def forward(self, x):
        return self.out(self.flat(self.spw(self.pw(self.sdw(self.dw(self.sa(self.a(x))))))))


@pytest.mark.parametrize("quant", ["ternary", {"method": "lsq", "bits": 3}])
def test_grouped_conv_is_exact_on_reference_cpu_hls(quant, tmp_path):
    torch.manual_seed(0)
    model = DepthwiseNet(quant).eval()
    model.metadata = dict(DIGITS_META)
    x = digit_like(4, 3, (2, 6, 6))
    graph = trace(model, x[:, :1])
    assert [n.attrs["groups"] for n in graph if n.op == "conv2d"] == [1, 8, 2]
    outs = check_targets(model, x, tmp_path)
    assert outs["cpu"].std() > 0      # the readout sees spikes: the check compares something
