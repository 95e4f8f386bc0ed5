"""The nir target: model.nir read back by nir.read (type-checked), metadata, exact runs, refusals."""
import nir
import numpy as np
import pytest

import snnc
from loihelp import cnn, digits_like, mlp
from snnc.backends import get_target
from snnc.backends.nir import NirTarget
from snnc.passes import run_pipeline
from snnc.backends.reference import encode_inputs, run
from snnc.backends.target import TargetError
from snnc.frontend.nir_import import from_nir
from snnc.ir import Graph


@pytest.mark.parametrize("make,reset", [(mlp, "subtract"), (mlp, "zero"), (cnn, "zero")])
def test_model_nir_reads_back_typed_with_metadata_and_runs_exactly(tmp_path, make, reset):
    rng = np.random.default_rng(0)
    g = make(rng, reset=reset)
    c = snnc.compile(g, target="nir", out_dir=tmp_path / "out", nir_dialect="full")   # the exact round trip
    path = c.artifacts["nir"]
    assert path.name == "model.nir" and path.is_file()
    back = nir.read(str(path))
    nir.NIRGraph(nodes=back.nodes, edges=back.edges, metadata=back.metadata, type_check=True)
    assert float(back.metadata["dt"]) > 0
    neurons = [k for k, n in back.nodes.items() if isinstance(n, nir.LIF)]
    assert neurons
    for k in neurons:
        md = back.nodes[k].metadata
        assert str(md["reset"]) == reset and str(md["compare"]) in ("gt", "ge") and float(md["dt"]) > 0
    x = digits_like(rng, g.attrs["timesteps"], 7, g.inputs[0].type.shape)
    assert np.array_equal(c.run(x), run(c.graph, encode_inputs(c.graph, x)))
    assert np.array_equal(c.run(x), c.run(x, integer=False))
    assert np.array_equal(run(from_nir(back), encode_inputs(c.graph, x)), c.run(x))   # the file holds the model


def test_max_pooling_of_spikes_becomes_sum_pooling_and_a_threshold():
    rng = np.random.default_rng(1)
    g = Graph("p", {"timesteps": 3})
    x = g.add("input", [], {"shape": (3, 7, 7), "dtype": "spike"}, name="x")
    p = g.add("maxpool2d", [x], {"kernel": (3, 2), "stride": (2, 2), "padding": (1, 0)}, name="pool")
    g.add("output", [p], name="y")
    low = run_pipeline(g.verify(), "spike-maxpool-to-sumpool").graph
    assert [n.op for n in low] == ["input", "sumpool2d", "threshold", "output"]
    assert [n.op for n in g] == ["input", "maxpool2d", "output"]          # the original is untouched
    xs = rng.integers(0, 2, size=(3, 5, 3, 7, 7))
    assert np.array_equal(run(low, xs), run(g, xs))
    assert run(g, xs).sum() > 0


def test_max_pooling_of_real_values_is_refused():
    g = Graph("p", {"timesteps": 2})
    x = g.add("input", [], {"shape": (1, 4, 4), "dtype": "f32"}, name="x")
    p = g.add("maxpool2d", [x], {"kernel": (2, 2), "stride": (2, 2)}, name="pool")
    g.add("output", [p], name="y")
    assert [n.op for n in run_pipeline(g.verify(), "spike-maxpool-to-sumpool").graph] == [n.op for n in g]
    with pytest.raises(TargetError, match="%pool.*max pooling"):
        NirTarget().check(g)


def test_time_varying_weights_are_refused_with_the_collapse_option(tmp_path):
    g = mlp(np.random.default_rng(2), bank=3)
    with pytest.raises(TargetError) as e:
        snnc.compile(g, target="nir", out_dir=tmp_path / "out")
    assert "time-varying" in str(e.value) and 'temporal_weights="collapse"' in str(e.value)
    assert not (tmp_path / "out").exists()
    c = snnc.compile(g, target="nir", out_dir=tmp_path / "out", temporal_weights="collapse")
    assert c.pipeline.startswith("ptq{collapse=true},") and c.artifacts["nir"].is_file()


def test_options_and_in_memory_runner(tmp_path):
    g = mlp(np.random.default_rng(3))
    with pytest.raises(TargetError, match="unknown nir target option"):
        NirTarget().emit(g, tmp_path, {"bogus": 1})
    assert not list(tmp_path.iterdir())
    with pytest.raises(TargetError, match="temporal_weights"):
        NirTarget().options({"temporal_weights": "sometimes"})
    c = snnc.compile(g, target="nir")
    x = digits_like(np.random.default_rng(4), 6, 3, (16,))
    assert np.array_equal(c.run(x), run(c.graph, encode_inputs(c.graph, x)))
    assert get_target("nir").integer is False


def snntorch_style_graph(rng, dt=1e-4):
    """What snnTorch's exporter writes for Linear → Leaky: Affine, and LIF with τ = dt/(1 − β),
    r = τ/dt (unit input gain), v_leak = 0, v_threshold, v_reset = 0; no snnc metadata."""
    def leaky(beta, n):
        tau = dt / (1 - beta)
        return nir.LIF(tau=np.full(n, tau, np.float32), r=np.full(n, tau / dt, np.float32),
                       v_leak=np.zeros(n, np.float32), v_threshold=np.ones(n, np.float32),
                       v_reset=np.zeros(n, np.float32))
    nodes = {"input": nir.Input(input_type={"input": np.array([6])}),
             "fc1": nir.Affine(weight=rng.normal(0, 0.8, (5, 6)).astype(np.float32),
                               bias=rng.normal(0.2, 0.1, 5).astype(np.float32)),
             "lif1": leaky(0.9, 5),
             "fc2": nir.Affine(weight=rng.normal(0.3, 0.8, (3, 5)).astype(np.float32), bias=np.zeros(3, np.float32)),
             "lif2": leaky(0.8, 3),
             "output": nir.Output(output_type={"output": np.array([3])})}
    edges = [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges)


def test_snntorch_style_nir_file_compiles_to_cpu_and_equals_the_reference(tmp_path):
    if "cpu" not in snnc.backends.TARGETS:
        pytest.skip("the cpu target is not registered yet")
    rng = np.random.default_rng(5)
    path = tmp_path / "snntorch.nir"
    nir.write(str(path), snntorch_style_graph(rng))
    # a foreign NIR file records neither T nor an input range: integerize is told both
    pipeline = get_target("cpu").default_pipeline.replace("integerize", "integerize{T=8,input_range=1.0,input_bits=8}")
    c = snnc.compile(str(path), target="cpu", out_dir=tmp_path / "cpu", passes=pipeline)
    x = rng.integers(0, 2, size=(8, 16, 6)).astype(np.float32)
    y = c.run(x)
    assert np.array_equal(y, run(c.graph, encode_inputs(c.graph, x)))
    assert y.sum() > 0
    float_graph = c.float_graph
    assert [n.op for n in float_graph if n.op == "lif"] == ["lif", "lif"]
    assert all(n.attrs["reset"] == "zero" and n.attrs["compare"] == "gt" for n in float_graph if n.op == "lif")


def test_multi_bit_spikes_are_exported_as_binary_planes(tmp_path):
    rng = np.random.default_rng(6)
    g = mlp(rng, sizes=(16, 12, 4))
    n = g["lif0"]
    ms = g.add("multispike", [n.operands[0]], {"D": 3}, name="ms", after=n.name)
    g.replace_all_uses_with(n, ms)
    g.remove(n)
    g.infer_types()
    c = snnc.compile(g.verify(), target="nir", out_dir=tmp_path / "out")
    assert "threshold" in {n.op for n in c.graph} and "multispike" not in {n.op for n in c.graph}
    x = digits_like(rng, 6, 9, (16,))
    assert np.array_equal(c.run(x), run(c.graph, encode_inputs(c.graph, x)))
    # the planes' copies of the readout add in another float32 order than one product with the count
    np.testing.assert_allclose(c.run(x), c.run(x, integer=False), rtol=0, atol=1e-5)


def test_the_runner_refuses_a_file_that_does_not_hold_the_graph(tmp_path):
    g, other = mlp(np.random.default_rng(7)), mlp(np.random.default_rng(8))
    target = NirTarget()
    with pytest.raises(TargetError, match="does not exist; emit the nir target"):
        target.load(tmp_path, g, {})
    target.emit(g, tmp_path, {})
    target.load(tmp_path, g, {})
    with pytest.raises(TargetError, match="does not hold the NIR graph of this model"):
        target.load(tmp_path, other, {})
    (tmp_path / "model.nir").write_bytes(b"not hdf5")
    with pytest.raises(TargetError, match="not a readable, type-correct NIR file"):
        target.load(tmp_path, g, {})


def test_render_is_the_file_and_writes_nothing(tmp_path):
    g = mlp(np.random.default_rng(9))
    target = NirTarget()
    files = target.render(g, target.options({}))
    assert list(files) == ["model.nir"] and isinstance(files["model.nir"], bytes)
    paths = target.emit(g, tmp_path, {})
    assert paths == {"nir": tmp_path / "model.nir"} and paths["nir"].read_bytes() == files["model.nir"]
