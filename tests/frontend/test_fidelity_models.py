"""Traced float graphs reproduce the PyTorch models: every architecture × every quantizer,
every neuron type and reset rule, direct and rate-encoded digits.

Each model is small, randomly initialised (seeded) and calibrated to spike (see
`fehelp.calibrate`); every neuron's firing rate must lie strictly inside (0, 1).
The reference interpreter's trace is compared with forward hooks on the PyTorch
neurons: every spike identical or explained by a threshold tie, and the readout
equal within float32 tolerance (`snnc.frontend.compare`).
"""
import numpy as np
import pytest
import torch

from fehelp import QUANTS, SMALL, batch, calibrate, check_against_torch, small_model
from snnc.frontend import trace
from snnc.models import ARCHITECTURES, build

INT_QUANTS = [q for q in QUANTS if q[0] != "fp"]


@pytest.mark.parametrize("quant, opts", QUANTS, ids=[q for q, _ in QUANTS])
@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_every_architecture_and_quantizer(arch, quant, opts):
    model = small_model(arch, quant, opts)
    x = batch(model, 48)
    graph = trace(model, x[:, :2])
    c = check_against_torch(model, graph, x)
    print(f"{arch} {quant}: {c.mismatches} spike mismatches, readout error {c.readout_max_err:.1e}")
    # quantized layers carry integer levels; time-varying quantizers a weight bank of T_w = T
    layers = [n for n in graph if n.op in ("linear", "conv2d")]
    for n in layers:
        w = graph.param(n, "weight")
        if quant == "fp":
            assert w.dtype == np.float32 and "scale" not in n.params
        else:
            assert w.dtype == np.int8 and graph.param(n, "scale").dtype == np.float32
            static_rank = 2 if n.op == "linear" else 4
            assert w.ndim == static_rank + (quant in ("tawq", "mtawq"))
            if quant in ("tawq", "mtawq"):
                assert w.shape[0] == graph.attrs["timesteps"] and graph.param(n, "scale").shape[0] == w.shape[0]


@pytest.mark.parametrize("neuron, extra", [
    ("lif", {"reset": "subtract", "compare": "ge"}),
    ("lif", {"reset": "zero", "compare": "gt", "v_reset": -0.25}),
    ("lif", {"reset": "none"}),
    ("if", {"reset": "zero"}),
    ("if", {"compare": "gt"}),
    ("plif", {"per_channel": True}),
    ("plif", {"per_channel": False, "reset": "zero"}),
    ("cuba", {"alpha": 0.75, "beta": 0.5}),
    ("cuba", {"reset": "zero", "compare": "gt"}),
    ("ielif", {"D": 3, "batchnorm": True}),
])
@pytest.mark.parametrize("arch", ["mlp", "cnn"])
def test_neuron_types_and_reset_rules(arch, neuron, extra):
    model = small_model(arch, "ternary", {}, neuron=neuron, **extra)
    x = batch(model, 32)
    graph = trace(model, x[:, :1])
    check_against_torch(model, graph, x)
    ops = {n.op for n in graph}
    expected = {"lif": "lif", "if": "if", "plif": "plif", "cuba": "cuba_lif", "ielif": "multispike"}[neuron]
    assert expected in ops
    if neuron == "plif" and extra.get("per_channel") and arch == "cnn":
        beta = graph.param(next(n for n in graph if n.op == "plif"), "beta")
        assert beta.shape == (1, SMALL["cnn"]["channels"][0], 1, 1)


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_rate_encoded_spike_input(arch):
    model = small_model(arch, "tawq", {})
    model.metadata = {"encoding": "rate", "input_bits": 1, "input_scale": 1.0}
    x = batch(model, 32, encoding="rate")
    calibrate(model, x)
    graph = trace(model, x[:, :4])
    assert graph.inputs[0].attrs["dtype"] == "spike" and graph.attrs["encoding"] == "rate"
    assert not any(n.op == "scale" for n in graph)
    check_against_torch(model, graph, x)


@pytest.mark.parametrize("quant, opts", INT_QUANTS, ids=[q for q, _ in INT_QUANTS])
def test_integer_exact_model_has_no_mismatch_at_all(quant, opts):
    """Quantized MLP without BatchNorm on direct-encoded digits: every sum is exact in float32
    (integer levels × multiples of 1/16), so even ties agree — zero mismatches, equal readouts."""
    model = small_model("mlp", quant, opts)
    for n in model.modules():       # coarse thresholds (multiples of 1/8): exact ties become likely
        if hasattr(n, "threshold"):
            n.threshold = max(0.125, round(n.threshold * 8) / 8)
    x = batch(model, 64)
    graph = trace(model, x[:, :1])
    c = check_against_torch(model, graph, x)
    assert c.mismatches == 0 and c.readout_max_err == 0.0, c.summary()


def test_input_types_and_graph_attributes():
    model = small_model("cnn", "ternary", {})
    x = batch(model, 4)
    g = trace(model, x)
    assert g.attrs == {"timesteps": 4, "source": "torch:SpikingCNN", "arch": "cnn", "encoding": "direct"}
    inp = g.inputs[0]
    assert (inp.name, inp.attrs["dtype"], inp.attrs["scale"], inp.attrs["shape"]) == ("x", "uint<5>", 0.0625,
                                                                                        (1, 8, 8))
    first = g.users("x")[0]
    assert first.op == "scale" and float(g.param(first, "scale").ravel()[0]) == 0.0625
    # names follow module paths, parameters <node>.<role>
    assert "layers.0" in g and g["layers.0"].params["weight"] == "layers.0.weight"
    assert g.outputs[0].name == "y" and g.outputs[0].type.shape == (10,)
    # without metadata: real-valued example → f32 input and no scale op
    del model.metadata
    g = trace(model, x)
    assert g.inputs[0].attrs["dtype"] == "f32" and not any(n.op == "scale" for n in g)
    # explicit override
    g = trace(model, x, input_type="uint<5>", input_scale=1 / 16)
    assert g.inputs[0].attrs["dtype"] == "uint<5>"
    # a 0/1 example that changes over time is taken for spikes
    s = (torch.rand(4, 2, 1, 8, 8, generator=torch.Generator().manual_seed(0)) < 0.3).float()
    assert trace(model, s).inputs[0].attrs["dtype"] == "spike"


def test_trace_restores_modes_and_leaves_model_untouched():
    model = small_model("transformer", "lsq", {"bits": 2})
    model.train()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    graph = trace(model, batch(model, 2))
    assert model.training and all(m.training for m in model.modules())
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    # the graph holds copies: changing the model afterwards does not change the graph
    w = graph.params["head.3.bias"].copy()
    with torch.no_grad():
        model.head[3].bias.add_(1.0)
    assert np.array_equal(graph.params["head.3.bias"], w)


def test_plain_torch_layers_and_functional_reshapes():
    """nn.Linear / SeqWrap(nn.Conv2d) / SeqWrap(Sequential(BN, pool)) / Tensor.flatten / torch.add."""
    from torch import nn

    from snnc.nn import LIF, SeqWrap

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = SeqWrap(nn.Conv2d(1, 4, 3, padding=1))
            self.bnpool = SeqWrap(nn.Sequential(nn.BatchNorm2d(4), nn.AvgPool2d(2)))
            self.sn1 = LIF(0.8, threshold=0.3)
            self.skip = SeqWrap(nn.Conv2d(1, 4, 2, stride=2))
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            a = self.sn1(self.bnpool(self.conv(x)))
            b = torch.add(a, self.skip(x))
            return self.fc(b.flatten(2))

    torch.manual_seed(0)
    net = Net()
    x = batch(build("cnn", T=4), 32)
    calibrate(net, x)
    graph = trace(net, x[:, :1])
    ops = [n.op for n in graph]
    assert ops == ["input", "conv2d", "batchnorm", "avgpool2d", "lif", "conv2d", "add", "flatten", "linear", "output"]
    c = check_against_torch(net, graph, x)
    assert c.readout_max_err < 1e-5
