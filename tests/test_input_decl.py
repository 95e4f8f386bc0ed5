"""Saying what the input is (snnc/input_decl.py): snnc.compile / snnc.trace keywords and the graph
attributes that record them."""
import numpy as np
import pytest
import torch

import nirgraphs
import snnc
from snnc.errors import ConfigError
from snnc.frontend.nir_import import from_nir
from snnc.input_decl import declare_input
from snnc.ir import load


def test_nothing_declared_keeps_the_graph():
    g = from_nir(nirgraphs.mlp())
    assert declare_input(g) is g


def test_spike_input_is_recorded_and_retypes_the_input():
    g = declare_input(from_nir(nirgraphs.mlp()), timesteps=6, input_type="spike")
    assert g.inputs[0].attrs["dtype"] == "spike"
    assert g.attrs["timesteps"] == 6 and g.attrs["input_type"] == "spike"


def test_integer_input_gets_its_real_value_through_a_scale_node():
    f = from_nir(nirgraphs.mlp())
    g = declare_input(f, input_type="uint<4>", input_scale=0.25)
    x = g.inputs[0]
    assert x.attrs["dtype"] == "uint<4>" and x.attrs["scale"] == 0.25
    (real,) = g.users(x.name)
    assert real.op == "scale" and float(g.param(real, "scale").reshape(-1)[0]) == 0.25
    raw = np.random.default_rng(0).integers(0, 16, (3, 2, 16))
    from snnc.backends.reference import run
    assert np.array_equal(run(g, raw), run(f, (raw * 0.25).astype(np.float32)))


@pytest.mark.parametrize("kw, words", [
    ({"input_type": "f16"}, ["input_type", "--input-type"]),
    ({"input_type": "fixed<8,2>"}, ["input_type", "spike, uint<k>"]),
    ({"input_type": "spike", "input_scale": 0.5}, ["input_scale", "--input-scale"]),
    ({"input_type": "spike", "input_range": 2.0}, ["input_range", "--input-range"]),
    ({"input_scale": 0.5}, ["input_scale", "no scale"]),
    ({"input_range": float("nan")}, ["input_range", "finite"]),
    ({"input_range": 1e300}, ["input_range"]),
    ({"timesteps": 0}, ["timesteps", "-T/--timesteps"]),
    ({"timesteps": 10 ** 9}, ["timesteps"]),
])
def test_bad_declarations_name_the_keyword_and_the_flag(kw, words):
    with pytest.raises(ConfigError) as e:
        declare_input(from_nir(nirgraphs.mlp()), **kw)
    for w in words:
        assert w in str(e.value)


def test_a_recorded_input_type_is_not_changed():
    g = from_nir(nirgraphs.mlp())
    g = declare_input(g, input_type="uint<8>", input_scale=0.5)
    with pytest.raises(ConfigError, match="cannot change it"):
        declare_input(g, input_type="spike")


def test_compile_keywords_reach_the_integer_graph(tmp_path):
    nir_path = nirgraphs.write_mlp(tmp_path / "m.nir")
    c = snnc.compile(nir_path, target="reference", out_dir=tmp_path / "out", timesteps=5, input_type="spike")
    assert c.timesteps == 5 and c.graph.inputs[0].attrs["dtype"] == "spike"
    saved = load(tmp_path / "out" / "float.snnir")
    assert saved.attrs["input_type"] == "spike" and saved.attrs["timesteps"] == 5
    f = snnc.compile(nir_path, target="reference", timesteps=5, input_range=2.0)
    assert f.graph.inputs[0].attrs["dtype"] == "int<8>" and f.float_graph.attrs["input_range"] == 2.0


def test_compile_errors_name_the_keywords(tmp_path):
    nir_path = nirgraphs.write_mlp(tmp_path / "m.nir")
    with pytest.raises(ConfigError, match=r"-T/--timesteps T \(timesteps=T\)"):
        snnc.compile(nir_path, target="cpu")
    with pytest.raises(ConfigError, match=r"--input-range R \(input_range=R"):
        snnc.compile(nir_path, target="cpu", timesteps=4)
    with pytest.raises(Exception, match=r"--input-type spike \(input_type='spike'\)"):
        snnc.compile(nir_path, target="loihi", timesteps=4)
    assert snnc.compile(nir_path, target="loihi", timesteps=4, input_type="spike").graph is not None


def test_trace_records_timesteps_and_input_range():
    model = torch.nn.Sequential(torch.nn.Flatten(start_dim=2), torch.nn.Linear(4, 3))
    g = snnc.trace(model, torch.randn(2, 1, 4), timesteps=9, input_range=3.0)
    assert g.attrs["timesteps"] == 9 and g.attrs["input_range"] == 3.0
    with pytest.raises(ConfigError, match="input_range"):
        snnc.trace(model, torch.ones(2, 1, 4), input_type="spike", input_range=3.0)
