"""QLinear / QConv2d: the deployable() contract, shapes and dtypes, T checks, DropConnect."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from snnc.errors import ConfigError
from snnc.nn.quant import DeployableWeights, QConv2d, QLinear

T = 4
SPECS = {
    "fp": None,
    "tawq": {"method": "tawq", "T_w": T},
    "tawq-learned": {"method": "tawq", "T_w": T, "magnitude": "learned", "lam": 0.9, "c_th": 0.8},
    "mtawq": {"method": "mtawq", "T_w": T, "bits": 3},
    "ternary": "ternary",
    "ternary-pc": {"method": "ternary", "per_channel": True, "scale": "learned"},
    "lsq1": {"method": "lsq", "bits": 1},
    "lsq2": {"method": "lsq", "bits": 2},
    "lsq4-pc": {"method": "lsq", "bits": 4, "per_channel": True},
    "ptq": "ptq",
    "ptq-kbit3": {"method": "ptq", "scheme": "kbit", "bits": 3},
}
EXPECTED = {  # method, bits, levels, time_varying
    "fp": ("fp", 32, (0, 0), False), "tawq": ("tawq", 2, (-1, 1), True), "tawq-learned": ("tawq", 2, (-1, 1), True),
    "mtawq": ("mtawq", 3, (-3, 3), True), "ternary": ("ternary", 2, (-1, 1), False),
    "ternary-pc": ("ternary", 2, (-1, 1), False), "lsq1": ("lsq", 1, (-1, 1), False),
    "lsq2": ("lsq", 2, (-2, 1), False), "lsq4-pc": ("lsq", 4, (-8, 7), False),
    "ptq": ("ptq", 2, (-1, 1), False), "ptq-kbit3": ("ptq", 3, (-3, 3), False),
}


def make(kind, spec, bias=True):
    torch.manual_seed(0)
    if kind == "linear":
        return QLinear(24, 10, bias=bias, quant=spec), torch.rand(T, 5, 24)
    return QConv2d(3, 6, 3, stride=2, padding=1, bias=bias, quant=spec), torch.rand(T, 5, 3, 9, 9)


def contract(dep: DeployableWeights, x: torch.Tensor, kind: str, layer) -> torch.Tensor:
    """y[t] = (x[t] ⊛ weight[t % T_w]) * scale[t % T_w] + bias, from the NumPy arrays alone."""
    out = []
    for t in range(x.shape[0]):
        w = torch.from_numpy(dep.weight[t % dep.T_w].astype(np.float32))
        s = torch.from_numpy(dep.scale[t % dep.T_w])
        if kind == "linear":
            y = torch.matmul(x[t], w.t()) * s
            y = y + torch.from_numpy(dep.bias) if dep.bias is not None else y
        else:
            y = F.conv2d(x[t], w, None, layer.stride, layer.padding) * s.view(-1, 1, 1)
            y = y + torch.from_numpy(dep.bias).view(-1, 1, 1) if dep.bias is not None else y
        out.append(y)
    return torch.stack(out)


@pytest.mark.parametrize("kind", ["linear", "conv"])
@pytest.mark.parametrize("name", list(SPECS))
@pytest.mark.parametrize("bias", [True, False])
def test_deployable_contract(kind, name, bias):
    layer, x = make(kind, SPECS[name], bias)
    layer.eval()
    dep = layer.deployable()
    method, bits, levels, time_varying = EXPECTED[name]
    assert (dep.method, dep.bits, dep.levels, dep.time_varying) == (method, bits, levels, time_varying)
    T_w = T if time_varying else 1
    out_ch = 10 if kind == "linear" else 6
    w_shape = (T_w, 10, 24) if kind == "linear" else (T_w, 6, 3, 3, 3)
    assert dep.weight.shape == w_shape and dep.scale.shape == (T_w, out_ch) and dep.scale.dtype == np.float32
    assert dep.weight.dtype == (np.float32 if name == "fp" else np.int8)
    assert (dep.bias is None) == (not bias)
    if bias:
        assert dep.bias.dtype == np.float32 and dep.bias.shape == (out_ch,)
    if name != "fp":
        assert dep.weight.min() >= levels[0] and dep.weight.max() <= levels[1]
    else:
        assert np.all(dep.scale == 1)
    with torch.no_grad():
        y = layer(x)
    assert torch.equal(y, contract(dep, x, kind, layer))     # exactly the same floats
    # the deployable is plain data, frozen
    with pytest.raises(Exception):
        dep.bits = 3


def test_time_varying_weights_differ_per_timestep_in_the_output():
    layer, x = make("linear", SPECS["tawq"])
    dep = layer.deployable()
    assert not np.array_equal(dep.weight[0], dep.weight[1])
    same_x = x[:1].repeat(T, 1, 1)
    y = layer(same_x)
    assert not torch.equal(y[0], y[1])          # same input, different weights at each timestep


def test_time_varying_layer_needs_matching_T():
    layer, x = make("linear", SPECS["tawq"])
    with pytest.raises(ConfigError, match="T=3 timesteps.*T_w=4"):
        layer(x[:3])
    static, _ = make("linear", "ternary")
    assert static(x[:3]).shape == (3, 5, 10)        # static weights work for any T


def test_input_must_be_time_major():
    layer, _ = make("linear", None)
    with pytest.raises(ConfigError, match="time-major"):
        layer(torch.rand(5, 24))


def test_linear_over_extra_dims():
    layer, _ = make("linear", SPECS["lsq2"])
    x = torch.rand(T, 2, 7, 24)
    y = layer(x)
    assert y.shape == (T, 2, 7, 10)
    assert torch.equal(y[:, :, 3], layer(x[:, :, 3]))


def test_full_precision_matches_torch_layers():
    torch.manual_seed(0)
    lin, conv = nn.Linear(24, 10), nn.Conv2d(3, 6, 3, 2, 1)
    x, xc = torch.rand(T, 5, 24), torch.rand(T, 5, 3, 9, 9)
    q, qc = QLinear.from_float(lin), QConv2d.from_float(conv)
    assert torch.allclose(q(x), lin(x), atol=1e-6)
    assert torch.allclose(qc(xc), conv(xc.flatten(0, 1)).unflatten(0, (T, 5)), atol=1e-6)
    with pytest.raises(Exception, match="dilation"):      # groups are supported (test_nn_qconv_groups.py)
        QConv2d.from_float(nn.Conv2d(4, 4, 3, dilation=2))


def test_gradients_reach_weights_through_layers():
    for name, spec in SPECS.items():
        if name.startswith("ptq"):
            continue
        for kind in ("linear", "conv"):
            layer, x = make(kind, spec)
            layer(x).square().sum().backward()
            assert layer.weight.grad is not None and layer.weight.grad.abs().sum() > 0, (name, kind)
            assert layer.bias.grad.abs().sum() > 0


def test_dropconnect_training_mc_and_eval():
    torch.manual_seed(0)
    layer = QLinear(32, 16, quant="ternary", dropconnect=0.5)
    x = torch.rand(T, 8, 32)
    layer.train()
    assert not torch.equal(layer(x), layer(x))
    layer.eval()
    assert torch.equal(layer(x), layer(x))
    dep = layer.deployable()
    assert torch.equal(layer(x), contract(dep, x, "linear", layer))   # no mask in eval / deployable
    layer.mc = True
    a, b = layer(x), layer(x)
    assert not torch.equal(a, b)
    # the expected product is unchanged: averaging many masked passes approaches the plain output
    layer.mc = False
    plain = layer(x)
    layer.mc = True
    with torch.no_grad():
        mean = torch.stack([layer(x) for _ in range(400)]).mean(0)
    assert (mean - plain).abs().mean() < 0.1 * plain.abs().mean()
    with pytest.raises(ConfigError):
        QLinear(4, 4, dropconnect=1.0)


def test_deployable_validation():
    w = np.zeros((1, 2, 3), np.int8)
    s = np.ones((1, 2), np.float32)
    DeployableWeights(w, s, None, 2, (-1, 1), False, "ternary")
    for bad in (dict(weight=w.astype(np.float32)), dict(scale=np.ones((1, 3), np.float32)),
                dict(time_varying=True), dict(method="binary"), dict(weight=np.full((1, 2, 3), 2, np.int8)),
                dict(bias=np.zeros(3, np.float32))):
        args = dict(weight=w, scale=s, bias=None, bits=2, levels=(-1, 1), time_varying=False, method="ternary")
        args.update(bad)
        with pytest.raises(ConfigError):
            DeployableWeights(**args)
    d = DeployableWeights(np.array([[[1, -1, 0]]], np.int8), np.array([[0.5]], np.float32), None, 2, (-1, 1),
                          False, "ternary")
    np.testing.assert_array_equal(d.dequantized(), [[[0.5, -0.5, 0.0]]])
