"""NIR both ways with the real importers and exporters (snnTorch 1.0, SpikingJelly 2.0):

* snnc → portable NIR → snnTorch `import_from_nir`: the same spikes as snnc's float graph;
* snnTorch `export_to_nir` → snnc (reference and cpu): the same spikes as snnTorch's own run;
* snnc → portable NIR → SpikingJelly `import_from_nir` (β = 0.5, where its V − V/τ is exact).

Which pairs are exact, and why, is in the README's NIR section."""
from pathlib import Path

import nir
import numpy as np
import pytest
import snntorch as snn
import torch
from snntorch.export_nir import export_to_nir
from snntorch.import_nir import import_from_nir

import snnc
from loihelp import cnn, mlp
from snnc.backends.nir import export
from snnc.backends.reference import encode_inputs, run
from snnc.evaluation import random_input
from snnc.frontend import load_source

CHECKPOINTS = Path(__file__).resolve().parents[3] / "examples" / "checkpoints"
SHIPPED = ("digits_fp_mlp", "digits_ternary_cnn")     # the static-weight models (TaWQ's weights vary in time)
PORTABLE = {"Input", "Output", "Affine", "Linear", "Conv2d", "Flatten", "AvgPool2d", "SumPool2d", "LIF", "CubaLIF"}


def zero_reset(g):
    """`g` with every lif resetting to zero and firing at v > θ: NIR's own LIF, as snnTorch imports it."""
    g = g.copy()
    for n in g:
        if n.op in ("lif", "plif"):
            n.attrs.update(reset="zero", compare="gt")
    return g


def nir_float_graph(g):
    return snnc.compile(g, target="nir").graph


def snntorch_run(net, x):
    """Run an imported snnTorch GraphModule over T; spikes of every Leaky (by NIR key) and the outputs."""
    spikes, hooks = {}, []
    for name, mod in net.named_modules():
        if isinstance(mod, snn.Leaky):
            mod.reset_mem()
            hooks.append(mod.register_forward_hook(
                lambda m, i, o, name=name: spikes.setdefault(name, []).append(o.detach().numpy().copy())))
    outs = []
    with torch.no_grad():
        for t in range(x.shape[0]):
            o = net(torch.tensor(x[t], dtype=torch.float32))
            outs.append((o[0] if isinstance(o, tuple) else o).numpy())
    for h in hooks:
        h.remove()
    return {k: np.stack(v) for k, v in spikes.items()}, np.stack(outs)


def graphs():
    rng = np.random.default_rng(3)
    out = {name: zero_reset(load_source(CHECKPOINTS / f"{name}.pt")) for name in SHIPPED}
    out["mlp"], out["cnn"] = mlp(rng), cnn(rng)
    return out


@pytest.fixture(scope="module")
def zero_graphs():
    return {k: nir_float_graph(g) for k, g in graphs().items()}


@pytest.mark.parametrize("name", ["digits_fp_mlp", "digits_ternary_cnn", "mlp", "cnn"])
def test_portable_export_has_only_node_types_the_importers_take(zero_graphs, name):
    g = export(zero_graphs[name], "portable")
    assert {type(n).__name__ for n in g.nodes.values()} <= PORTABLE
    assert not any(k.startswith("snnc_") for n in g.nodes.values() for k in n.metadata)
    for n in g.nodes.values():
        if isinstance(n, nir.Flatten):
            assert n.start_dim < 0 and n.end_dim < 0


@pytest.mark.parametrize("name", ["digits_fp_mlp", "digits_ternary_cnn", "mlp", "cnn"])
def test_snntorch_imports_snnc_exports_with_the_same_spikes(zero_graphs, tmp_path, name):
    g = zero_graphs[name]
    c = snnc.compile(g, target="nir", out_dir=tmp_path / "out")
    net = import_from_nir(nir.read(str(c.artifacts["nir"])))
    x = encode_inputs(g, random_input(g.inputs[0], 6, 8))
    ref, trace = run(g, x, trace=True)
    spikes, y = snntorch_run(net, x)
    lifs = [n.name for n in g if n.op in ("lif", "plif", "threshold")]   # a threshold is written as a β = 0 LIF
    assert len(spikes) == len(lifs)
    for k in lifs:
        got = spikes[k.replace(".", "_")]
        assert np.array_equal(got, trace[k]), f"{k}: {int((got != trace[k]).sum())} spikes differ"
    assert sum(int(trace[k].sum()) for k in lifs) > 0
    np.testing.assert_allclose(y, ref, rtol=0, atol=1e-4)      # float logits: torch sums in another order


def snntorch_mlp(reset, seed=0):
    """A ternary snnTorch MLP (weights ±1/8, β = 0.5, θ = 0.25: every float sum exact)."""
    rng = np.random.default_rng(seed)
    layers = []
    for n_in, n_out in ((32, 48), (48, 10)):
        lin = torch.nn.Linear(n_in, n_out, bias=False)
        lin.weight.data = torch.tensor(rng.integers(-1, 2, (n_out, n_in)) * 0.125, dtype=torch.float32)
        layers += [lin, snn.Leaky(beta=torch.full((n_out,), 0.5), threshold=torch.full((n_out,), 0.25),
                                  reset_mechanism=reset, init_hidden=True, output=n_out == 10)]
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("reset, rule", [("zero", None), ("subtract", "subtract_undecayed")])
def test_snntorch_exports_import_into_snnc_with_the_same_spikes(tmp_path, reset, rule):
    """snnTorch's exporter drops reset_mechanism: for its subtract (the default), the test supplies
    snnc's name for that rule in the LIF nodes' metadata, as a user would."""
    net = snntorch_mlp(reset)
    path = tmp_path / "snntorch.nir"
    g = export_to_nir(net, torch.zeros(1, 32), ignore_dims=[0])
    for n in g.nodes.values():
        if isinstance(n, nir.LIF) and rule:
            n.metadata["reset"] = rule
    nir.write(str(path), g)
    x = (np.random.default_rng(1).random((8, 4, 32)) < 0.3).astype(np.float32)
    for m in net.modules():
        if isinstance(m, snn.Leaky):
            m.reset_mem()
    with torch.no_grad():
        want = np.stack([net(torch.from_numpy(x[t]))[0].numpy() for t in range(8)])
    assert want.sum() > 0
    for target in ("reference", "cpu", "hls"):
        c = snnc.compile(path, target=target, out_dir=tmp_path / target, timesteps=8, input_type="spike")
        assert np.array_equal(c.run(x), want), target
    weights = [p for k, p in c.graph.params.items() if k.endswith("weight")]
    assert all(w.dtype == np.int8 and set(np.unique(w)) <= {-1, 0, 1} for w in weights)   # carried as ternary
    if rule:   # the reset rule travels in the metadata of snnc's own export too
        back = snnc.compile(path, target="nir", out_dir=tmp_path / "nir", timesteps=8, input_type="spike")
        lifs = [n for n in nir.read(str(back.artifacts["nir"])).nodes.values() if isinstance(n, nir.LIF)]
        assert lifs and all(str(n.metadata["reset"]) == rule for n in lifs)


def test_snntorch_cnn_exports_import_into_snnc_with_the_same_spikes(tmp_path):
    """Conv2d → Leaky → Flatten → Linear → Leaky (ternary ±1/8, β = 0.5, zero reset) from snnTorch."""
    rng = np.random.default_rng(0)
    conv = torch.nn.Conv2d(1, 4, 3, padding=1, bias=False)
    conv.weight.data = torch.tensor(rng.integers(-1, 2, (4, 1, 3, 3)) * 0.125, dtype=torch.float32)
    lin = torch.nn.Linear(4 * 6 * 6, 10, bias=False)
    lin.weight.data = torch.tensor(rng.integers(-1, 2, (10, 144)) * 0.125, dtype=torch.float32)

    def leaky(shape, **kw):
        return snn.Leaky(beta=torch.full(shape, 0.5), threshold=torch.full(shape, 0.25), init_hidden=True,
                         reset_mechanism="zero", **kw)
    net = torch.nn.Sequential(conv, leaky((4, 6, 6)), torch.nn.Flatten(), lin, leaky((10,), output=True))
    path = tmp_path / "cnn.nir"
    nir.write(str(path), export_to_nir(net, torch.zeros(1, 1, 6, 6), ignore_dims=[0]))
    x = (rng.random((8, 4, 1, 6, 6)) < 0.4).astype(np.float32)
    for m in net.modules():
        if isinstance(m, snn.Leaky):
            m.reset_mem()
    with torch.no_grad():
        want = np.stack([net(torch.from_numpy(x[t]))[0].numpy() for t in range(8)])
    assert want.sum() > 0
    for target in ("reference", "cpu"):
        c = snnc.compile(path, target=target, out_dir=tmp_path / target, timesteps=8, input_type="spike")
        assert np.array_equal(c.run(x), want), target


def test_snnc_subtract_undecayed_is_snntorchs_subtract(zero_graphs, tmp_path):
    """snnc → portable NIR → snnTorch with reset_mechanism="subtract" and its default reset_delay=True
    (the importer always builds zero-reset neurons with reset_delay=False: the test supplies both)."""
    g = zero_graphs["mlp"].copy()
    for n in g:
        if n.op == "lif":
            n.attrs["reset"] = "subtract_undecayed"
    c = snnc.compile(g, target="nir", out_dir=tmp_path / "out")
    net = import_from_nir(nir.read(str(c.artifacts["nir"])))
    for name, mod in list(net.named_children()):
        if isinstance(mod, snn.Leaky):
            setattr(net, name, snn.Leaky(beta=mod.beta.clone(), threshold=mod.threshold.clone(),
                                         reset_mechanism="subtract", init_hidden=True))
    x = encode_inputs(g, random_input(g.inputs[0], 8, 8))
    ref, trace = run(g, x, trace=True)
    spikes, y = snntorch_run(net, x)
    assert np.array_equal(spikes["lif0"], trace["lif0"]) and 0 < trace["lif0"].mean() < 1
    np.testing.assert_allclose(y, ref, rtol=0, atol=1e-4)


def test_snntorch_file_on_the_command_line(tmp_path):
    """snnc compile m.nir -t cpu -T 8 --input-type spike -o out && snnc verify out && snnc report out."""
    import json
    import subprocess
    import sys
    path = tmp_path / "snntorch.nir"
    nir.write(str(path), export_to_nir(snntorch_mlp("zero"), torch.zeros(1, 32), ignore_dims=[0]))
    out = tmp_path / "out"

    def cli(*args):
        r = subprocess.run([sys.executable, "-m", "snnc", *map(str, args)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return r.stdout
    cli("compile", path, "-t", "cpu", "-T", "8", "--input-type", "spike", "-o", out, "-q")
    assert "equal" in cli("verify", out)
    cli("report", out)
    layers = json.loads((out / "report.json").read_text())["layers"]
    assert [row["weight_bits"] for row in layers if row["op"] == "linear"] == [2.0, 2.0]


def _ge_zero(g):
    g = zero_reset(g)
    for n in g:
        if n.op in ("lif", "plif"):
            n.attrs["compare"] = "ge"           # SpikingJelly fires at V ≥ θ and resets to v_reset
    return g


@pytest.mark.parametrize("make", [lambda: mlp(np.random.default_rng(5), beta=0.5, compare="ge"),
                                  lambda: _ge_zero(load_source(CHECKPOINTS / "digits_fp_mlp.pt"))],
                         ids=["mlp", "digits_fp_mlp"])
def test_spikingjelly_imports_snnc_exports_with_the_same_spikes(tmp_path, make):
    from spikingjelly.activation_based import functional
    from spikingjelly.activation_based.nir_exchange import import_from_nir as sj_import

    g = nir_float_graph(make())
    c = snnc.compile(g, target="nir", out_dir=tmp_path / "out")
    net = sj_import(nir.read(str(c.artifacts["nir"])))
    x = encode_inputs(g, random_input(g.inputs[0], 6, 8))
    ref, trace = run(g, x, trace=True)
    lif = next(n.name for n in g if n.op in ("lif", "plif"))
    assert 0 < trace[lif].mean() < 1
    functional.reset_net(net)
    ys, state = [], None
    with torch.no_grad():
        for t in range(6):                # nirtorch's graph module hands the neuron state back and forth
            y, state = net(torch.tensor(x[t], dtype=torch.float32), state)
            ys.append(y.numpy())
    np.testing.assert_allclose(np.stack(ys), ref, rtol=0, atol=1e-4)
