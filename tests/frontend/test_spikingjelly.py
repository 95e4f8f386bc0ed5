"""SpikingJelly models (activation_based, multi-step) traced by snnc: the library's spikes equal the
float graph's, and reference / cpu / hls agree exactly on 50 inputs."""
import sys

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

sj = pytest.importorskip("spikingjelly.activation_based")
from spikingjelly.activation_based import functional, layer, neuron  # noqa: E402
from targethelp import DIGITS_META, check_targets, digit_like  # noqa: E402

from snnc.errors import UnsupportedError  # noqa: E402
from snnc.frontend import compare_with_torch, trace  # noqa: E402

T = 4


def make_neuron(kind: str, v_reset, decay_input=True, th=0.6, **kw):
    common = dict(v_threshold=th, v_reset=v_reset, detach_reset=True, step_mode="m", **kw)
    if kind == "if":
        return neuron.IFNode(**common)
    if kind == "lif":
        return neuron.LIFNode(tau=2.0, decay_input=decay_input, **common)
    return neuron.ParametricLIFNode(init_tau=3.0, decay_input=decay_input, **common)


class ConvNet(nn.Module):
    def __init__(self, kind, v_reset, decay_input, c=4, hidden=16):
        super().__init__()
        self.features = nn.Sequential(
            layer.Conv2d(1, c, 3, padding=1, bias=False, step_mode="m"), layer.BatchNorm2d(c, step_mode="m"),
            make_neuron(kind, v_reset, decay_input),
            layer.MaxPool2d(2, step_mode="m"),
            layer.SeqToANNContainer(nn.Conv2d(c, c, 3, padding=1), nn.AvgPool2d(2)),
            make_neuron(kind, v_reset, decay_input),
            layer.Flatten(step_mode="m"), layer.Dropout(0.2, step_mode="m"),
            layer.Linear(c * 2 * 2, hidden, step_mode="m"), make_neuron(kind, v_reset, decay_input))
        self.head = layer.Linear(hidden, 10, step_mode="m")

    def forward(self, x):
        return self.head(self.features(x))


class MLP(nn.Module):
    """Single-step modules run over time by MultiStepContainer (`contained`) or SeqToANNContainer."""
    def __init__(self, kind, v_reset, decay_input, n_in=16, hidden=12, contained=False):
        super().__init__()
        if contained:
            self.body = layer.MultiStepContainer(
                nn.Linear(n_in, hidden), make_neuron(kind, v_reset, decay_input).__class__(
                    **_single(kind, v_reset, decay_input)))
        else:
            self.body = nn.Sequential(layer.SeqToANNContainer(nn.Linear(n_in, hidden)),
                                      make_neuron(kind, v_reset, decay_input, th=0.4))
        self.out = nn.Linear(hidden, 5)
        self.metadata = dict(DIGITS_META)

    def forward(self, x):
        return self.out(self.body(x))


def _single(kind, v_reset, decay_input):
    kw = dict(v_threshold=0.4, v_reset=v_reset, step_mode="s")
    if kind == "lif":
        kw.update(tau=2.0, decay_input=decay_input)
    elif kind == "plif":
        kw.update(init_tau=3.0, decay_input=decay_input)
    return kw


def train_a_few_steps(model, shape, steps=3, seed=0):
    torch.manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    model.train()
    for _ in range(steps):
        x = torch.as_tensor(digit_like(T, 8, shape, seed=seed))
        functional.reset_net(model)
        loss = model(x).mean(0).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    functional.reset_net(model)
    return model.eval()


# every neuron, both resets, both decay_input settings, v_reset ≠ 0 (the rest is covered by the
# hypothesis test below on the float graph)
CASES = [("if", 0.0, True), ("lif", None, True), ("lif", -0.2, False), ("lif", 0.1, True), ("plif", None, False)]


@pytest.mark.slow
@pytest.mark.parametrize("kind,v_reset,decay_input", CASES)
def test_conv_net_targets_agree(kind, v_reset, decay_input, tmp_path):
    model = ConvNet(kind, v_reset, decay_input)
    model.metadata = dict(DIGITS_META)
    train_a_few_steps(model, (1, 8, 8))
    x = digit_like(T, 50, (1, 8, 8), seed=1)
    graph = trace(model, x[:, :1])
    functional.reset_net(model)
    c = compare_with_torch(model, graph, x)
    assert c.ok and c.mismatches == 0, c.summary()
    assert any(0 < n.rate < 1 for n in c.neurons), c.summary()
    functional.reset_net(model)
    check_targets(model, x, tmp_path)


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from(["if", "lif", "plif"]), v_reset=st.sampled_from([None, 0.0, -0.3]),
       decay_input=st.booleans(), n_in=st.integers(4, 20), hidden=st.integers(2, 16))
def test_multistep_container_mlp(kind, v_reset, decay_input, n_in, hidden):
    torch.manual_seed(n_in * 31 + hidden)
    model = train_a_few_steps(MLP(kind, v_reset, decay_input, n_in, hidden), (n_in,))
    x = digit_like(T, 50, (n_in,), seed=2)
    graph = trace(model, x[:, :1])
    functional.reset_net(model)
    c = compare_with_torch(model, graph, x)
    assert c.ok and c.mismatches == 0, c.summary()


@pytest.mark.parametrize("kind", ["if", "lif", "plif"])
def test_multistep_container_runs_single_step_neurons_over_time(kind):
    from snnc.backends.reference import encode_inputs, run
    model = train_a_few_steps(MLP(kind, 0.0, True, contained=True), (16,))
    x = digit_like(T, 50, (16,), seed=3)
    graph = trace(model, x[:, :1])
    functional.reset_net(model)
    with torch.no_grad():
        want = model(torch.as_tensor(x)).numpy()
    got = run(graph, encode_inputs(graph, x))
    assert np.allclose(got, want, rtol=1e-5, atol=1e-5)


def test_trace_leaves_neuron_state_alone():
    model = MLP("lif", None, True, contained=True)
    x = torch.as_tensor(digit_like(T, 3, (16,)))
    functional.reset_net(model)
    before = model(x)
    trace(model, x[:, :1])
    functional.reset_net(model)
    assert torch.equal(model(x), before)


def test_single_step_neuron_on_sequence_is_refused():
    model = nn.Sequential(layer.Linear(4, 3, step_mode="m"), neuron.LIFNode(step_mode="s"))
    with pytest.raises(UnsupportedError, match=r"^1 \(LIFNode\): step_mode='s'.*set_step_mode"):
        trace(model, torch.zeros(T, 1, 4))


def test_unsupported_spikingjelly_module_names_the_ways_out():
    model = nn.Sequential(layer.Linear(4, 3, step_mode="m"), neuron.IzhikevichNode(step_mode="m"))
    with pytest.raises(UnsupportedError) as e:
        trace(model, torch.zeros(T, 1, 4))
    msg = str(e.value)
    assert msg.startswith("1: module type") and "IzhikevichNode" in msg
    assert "@snnc.frontend.lowers(IzhikevichNode)" in msg and "NIR" in msg and "supported:" in msg


def test_snnc_does_not_import_spikingjelly_for_its_own_models():
    import subprocess
    code = ("import sys, torch, snnc.frontend as f, snnc.nn as n;"
            "m = torch.nn.Sequential(n.QLinear(4, 3, quant=None), n.LIF());"
            "f.trace(m, torch.zeros(2, 1, 4)); print('spikingjelly' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
