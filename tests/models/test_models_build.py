"""Every architecture × every quantizer: build, forward + backward, rebuild from config."""
import json

import pytest
import torch
from torch import nn

from snnc.errors import ConfigError
from snnc.models import ARCHITECTURES, build
from snnc.nn import (IELIF, IF, LIF, PLIF, CubaLIF, MCDropout, QConv2d, QLinear, SeqWrap, SpikeDrivenSelfAttention,
                     attention_maps, record_attention)
from snnc.nn.quant import DeployableWeights, QuantLayer, Quantizer

T, B = 4, 3
QUANTS = [("fp", {}), ("tawq", {}), ("mtawq", {"bits": 3}), ("ternary", {}), ("lsq", {"bits": 2}),
          ("ptq", {"scheme": "kbit", "bits": 4})]
SMALL = {  # small sizes keep the matrix fast
    "mlp": dict(hidden=[24, 16]),
    "cnn": dict(channels=[4, 8], fc_hidden=16),
    "resnet": dict(channels=[4, 8]),
    "transformer": dict(embed_dim=8, heads=2),
}
ALLOWED = (QLinear, QConv2d, LIF, IF, PLIF, CubaLIF, IELIF, SeqWrap, MCDropout, SpikeDrivenSelfAttention,
           Quantizer, nn.Linear, nn.Conv2d, nn.BatchNorm1d, nn.BatchNorm2d, nn.MaxPool2d, nn.AvgPool2d, nn.Flatten,
           nn.Dropout, nn.Identity, nn.Sequential)


def example(model):
    torch.manual_seed(1)
    return 2 * torch.rand(T, B, *model.config["input_shape"])


@pytest.mark.parametrize("quant, opts", QUANTS, ids=[q for q, _ in QUANTS])
@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_build_forward_backward_rebuild(arch, quant, opts):
    torch.manual_seed(0)
    model = build(arch, T=T, quant=quant, quant_opts=opts, dropout=0.1, dropconnect=0.1, **SMALL[arch])
    assert model.arch == arch
    json.dumps(model.config)
    x = example(model)
    out = model(x)
    assert out.shape == (T, B, 10) and torch.isfinite(out).all()
    out.mean(0).logsumexp(-1).sum().backward()
    layers = [m for m in model.modules() if isinstance(m, QuantLayer)]
    readout, first = layers[-1], layers[0]
    assert readout.bias.grad is not None and readout.bias.grad.abs().sum() > 0
    if quant != "ptq":   # PTQ weights are frozen by design; the others get gradients through every layer
        assert first.weight.grad is not None and first.weight.grad.abs().sum() > 0
        assert all(m.weight.grad is not None for m in layers)
    # every module is one the tracer knows
    for name, m in model.named_modules():
        assert isinstance(m, ALLOWED) or m is model or type(m).__module__.startswith("snnc.models"), name
    # the readout is a (quantized) linear layer with no neuron after it
    assert isinstance(readout, QLinear) and readout.out_features == 10
    # rebuild from the config, load the weights: identical eval outputs
    model.eval()
    rebuilt = build(model.arch, **model.config)
    rebuilt.load_state_dict(model.state_dict())
    rebuilt.eval()
    with torch.no_grad():
        assert torch.equal(rebuilt(x), model(x))
    assert rebuilt.config == model.config
    # every quantized layer exports its weights
    deps = [m.deployable() for m in model.modules() if isinstance(m, QuantLayer)]
    assert all(isinstance(d, DeployableWeights) for d in deps)
    expected = {"fp": "fp", "tawq": "tawq", "mtawq": "mtawq", "ternary": "ternary", "lsq": "lsq", "ptq": "ptq"}[quant]
    assert {d.method for d in deps} == {expected}
    if quant in ("tawq", "mtawq"):
        assert all(d.time_varying and d.T_w == T for d in deps)


def test_prediction_is_argmax_of_mean_over_time():
    torch.manual_seed(0)
    m = build("mlp", T=T).eval()
    x = example(m)
    assert torch.equal(m.predict(x), m(x).mean(0).argmax(-1))


@pytest.mark.parametrize("neuron, cls", [("lif", LIF), ("plif", PLIF), ("if", IF), ("cuba", CubaLIF), ("ielif", IELIF)])
@pytest.mark.parametrize("arch", ["mlp", "cnn"])
def test_neuron_options(arch, neuron, cls):
    m = build(arch, neuron=neuron, beta=0.75, threshold=0.5, reset="zero", compare="gt", per_channel=True,
              surrogate="sigmoid", surrogate_alpha=3.0, **SMALL[arch])
    neurons = [n for n in m.modules() if isinstance(n, (LIF, PLIF, CubaLIF, IELIF))]
    assert neurons and all(type(n) is cls for n in neurons)
    if neuron != "ielif":
        p = neurons[0].ir_params()
        assert p["threshold"] == 0.5 and p["reset"] == "zero" and p["compare"] == "gt"
        assert neurons[0].surrogate.name == "sigmoid" and neurons[0].surrogate.alpha == 3.0
    if neuron == "plif":
        assert neurons[0].ir_params()["beta"].shape == (neurons[0].w.shape[0],)
    m(example(m)).sum().backward()


def test_cnn_uses_plif_pooling_and_batchnorm():
    m = build("cnn", pool="avg")
    kinds = [type(x.module if isinstance(x, SeqWrap) else x).__name__ for x in m.layers]
    assert kinds.count("QConv2d") == 2 and kinds.count("QLinear") == 2 and kinds.count("PLIF") == 3
    assert kinds.count("AvgPool2d") == 2 and kinds.count("BatchNorm2d") == 2 and "Flatten" in kinds
    assert build("cnn", batchnorm=False, pool="max").layers[2].module.__class__ is nn.MaxPool2d


@pytest.mark.parametrize("scope, expected", [
    ("all", None), ("hidden", "first-last-fp"), ("conv", "conv-only"), ("fc", "fc-only")])
def test_quant_layers_scope(scope, expected):
    m = build("cnn", quant="ternary", quant_layers=scope, **SMALL["cnn"])
    layers = [x for x in m.modules() if isinstance(x, QuantLayer)]
    quantized = [x.quantizer is not None for x in layers]
    kinds = [isinstance(x, QConv2d) for x in layers]
    if expected is None:
        assert all(quantized)
    elif expected == "first-last-fp":
        assert quantized == [False, True, True, False]
    elif expected == "conv-only":
        assert quantized == kinds
    else:
        assert quantized == [not k for k in kinds]


def test_transformer_attention_map_and_ielif():
    torch.manual_seed(0)
    m = build("transformer", T=T, quant="lsq", quant_opts={"bits": 2}, depth=2, **SMALL["transformer"])
    assert sum(isinstance(x, SpikeDrivenSelfAttention) for x in m.modules()) == 2
    assert any(isinstance(x, IELIF) for x in m.modules())
    record_attention(m)
    m(example(m))
    maps = attention_maps(m)
    assert len(maps) == 2 and maps[0].shape[:2] == (T, B)


def test_time_varying_model_needs_its_T():
    m = build("mlp", T=4, quant="tawq")
    with pytest.raises(ConfigError, match="T_w=4"):
        m(torch.rand(6, 2, 64))


@pytest.mark.parametrize("arch, bad", [
    ("lenet", {}), ("mlp", {"hiden": [3]}), ("mlp", {"neuron": "izhikevich"}), ("mlp", {"quant": "binary"}),
    ("mlp", {"reset": "soft"}), ("mlp", {"T": 0}), ("mlp", {"dropout": 1.0}), ("mlp", {"input_shape": [0]}),
    ("mlp", {"quant": "tawq", "quant_opts": {"T_w": 3}}), ("mlp", {"quant": "lsq", "quant_opts": {"bitz": 2}}),
    ("mlp", {"quant_layers": "some"}), ("cnn", {"input_shape": [64]}), ("cnn", {"channels": [4]}),
    ("transformer", {"embed_dim": 10, "heads": 4}), ("transformer", {"patch_size": 3}),
    ("resnet", {"blocks": 0}), ("mlp", {"quant_opts": {"f": object()}}),
])
def test_bad_configs_raise_config_error(arch, bad):
    with pytest.raises(ConfigError):
        build(arch, **bad)
