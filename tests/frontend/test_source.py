"""load_source: modules, checkpoints, IR files and graphs; the text form of traced graphs."""
import nir
import numpy as np
import pytest
import torch

import snnc
from fehelp import SMALL, batch, check_against_torch, small_model
from snnc.backends.nir import to_nir
from snnc.errors import CheckpointError, ConfigError, SnncError, UnsupportedError
from snnc.frontend import default_example, load_source, trace
from snnc.ir import Graph, ParseError, parse, print_graph, verify
from snnc.models import ARCHITECTURES, build


@pytest.mark.parametrize("arch", list(ARCHITECTURES))
def test_traced_graphs_verify_print_and_parse_back(arch):
    model = small_model(arch, "tawq", {})
    graph = trace(model, batch(model, 2))
    verify(graph)
    text = print_graph(graph)
    back = parse(text, graph.params)
    assert back == graph
    assert print_graph(back) == text


def test_module_source_uses_config_for_the_example():
    model = build("cnn", T=3, **SMALL["cnn"])
    ex = default_example(model)
    assert ex.shape == (3, 1, 1, 8, 8) and not ex.any()
    g = load_source(model)
    assert g.attrs["timesteps"] == 3 and g.inputs[0].attrs["shape"] == (1, 8, 8)
    assert g.inputs[0].attrs["dtype"] == "f32"          # no metadata: zeros are real values


def test_module_without_config_needs_an_example():
    net = torch.nn.Sequential(snnc.nn.QLinear(4, 2))
    with pytest.raises(ConfigError, match="pass example="):
        load_source(net)
    g = load_source(net, torch.rand(2, 1, 4))
    assert g.attrs["arch"] == "Sequential" and g.name == "Sequential"


def test_checkpoint_source(tmp_path):
    model = small_model("mlp", "ternary", {})
    model.metadata = {"encoding": "direct", "input_bits": 5, "input_scale": 0.0625, "T": 4,
                      "input_shape": [64]}
    path = snnc.save(model, tmp_path / "digits_ternary_mlp.pt")
    g = load_source(path)
    assert g.attrs["source"] == "digits_ternary_mlp.pt" and g.attrs["arch"] == "mlp"
    assert (g.inputs[0].attrs["dtype"], g.inputs[0].attrs["scale"]) == ("uint<5>", 0.0625)
    assert g == load_source(str(path))
    loaded = snnc.load(path)
    check_against_torch(loaded, g, batch(loaded, 32))


def test_ir_file_sources(tmp_path):
    model = small_model("mlp", "fp", {})
    g = trace(model, batch(model, 1))
    snnc.ir.save(g, tmp_path / "m.snnir")
    assert load_source(tmp_path / "m.snnir") == g
    assert load_source(g) is g
    nir.write(str(tmp_path / "m.nir"), to_nir(g))
    from_nir = load_source(str(tmp_path / "m.nir"))
    assert [n.op for n in from_nir] == [n.op for n in g]


def test_nir_files_go_through_the_nir_importer(tmp_path):
    g = Graph("g", {"dt": 0.001})
    g.add("input", attrs={"shape": (3,), "dtype": "f32"}, name="x")
    g.add("li", ["x"], params={"beta": np.full((1, 3), 0.5, np.float32)}, name="li")
    g.add("output", ["li"], name="y")
    nir.write(str(tmp_path / "g.nir"), to_nir(g))
    h = load_source(tmp_path / "g.nir")
    verify(h)
    assert [n.op for n in h].count("li") == 1


def test_damaged_nir_file(tmp_path):
    (tmp_path / "g.nir").write_bytes(b"not hdf5")
    with pytest.raises(ParseError, match="cannot read the NIR file"):
        load_source(tmp_path / "g.nir")


@pytest.mark.parametrize("name, error, match", [
    ("missing.pt", CheckpointError, r"model file not found: .*missing\.pt"),
    ("missing.snnir", CheckpointError, r"model file not found"),
    ("nofolder/missing.nir", CheckpointError, r"does not exist either"),
    ("model.onnx", UnsupportedError, r"unknown file type '\.onnx'.*\.pt.*\.snnir or \.nir"),
    ("model", UnsupportedError, r"\(no suffix\)"),
])
def test_bad_paths(tmp_path, name, error, match):
    with pytest.raises(error, match=match):
        load_source(tmp_path / name)


def test_bad_source_objects(tmp_path):
    with pytest.raises(UnsupportedError, match="cannot compile a int"):
        load_source(3)
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(SnncError, match="junk.pt"):
        load_source(tmp_path / "junk.pt")


def test_numpy_example_and_integer_example():
    model = small_model("mlp", "lsq", {"bits": 2})
    x = batch(model, 3)
    g1 = trace(model, x.numpy())
    g2 = trace(model, (x * 16).to(torch.int64) / 16)
    assert g1 == g2 == trace(model, x)
    spikes = (x > 0.5).to(torch.uint8)
    del model.metadata
    g3 = trace(model, spikes, input_type="spike")
    assert g3.inputs[0].attrs["dtype"] == "spike"
    assert np.array_equal(g3.params["layers.0.weight"], g1.params["layers.0.weight"])
