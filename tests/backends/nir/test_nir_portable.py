"""The portable NIR dialect (backends/nir/portable.py): the rewrites, what reads back exactly, and
the refusals that name the way out (-O nir_dialect=full)."""
import numpy as np
import pytest

import nir
import snnc
from loihelp import cnn, mlp
from snnc.backends.nir import export
from snnc.backends.reference import run
from snnc.backends.target import TargetError
from snnc.frontend.nir_import import from_nir
from snnc.ir import Graph

F = np.float32


def test_if_is_a_lif_with_beta_one_and_reads_back_exactly():
    g = snnc.compile(mlp(np.random.default_rng(0), neuron="if", input_dtype="spike"), target="nir").graph
    p = export(g, "portable")
    (lif,) = [n for n in p.nodes.values() if isinstance(n, nir.LIF)]
    assert np.all(np.float32(1 - 1e-4 / lif.tau) == 1.0) and np.all(lif.r * 1e-4 / lif.tau == 1.0)
    back = from_nir(p)
    x = np.random.default_rng(1).integers(0, 2, (5, 3, 16))
    (y, got), (want_y, want) = run(back, x, trace=True), run(g, x, trace=True)
    assert np.array_equal(got["lif0"], want["lif0"]) and 0 < want["lif0"].mean() < 1
    np.testing.assert_allclose(y, want_y, rtol=0, atol=1e-5)   # the output scale is folded into fc1


def test_spike_max_pooling_becomes_sum_pooling_and_a_memoryless_lif():
    g = snnc.compile(cnn(np.random.default_rng(2)), target="nir").graph
    p = export(g, "portable")
    kinds = [type(n).__name__ for n in p.nodes.values()]
    assert "Threshold" not in kinds and "Scale" not in kinds and kinds.count("SumPool2d") == 2
    pool_lifs = [n for k, n in p.nodes.items() if isinstance(n, nir.LIF) and k.startswith("pool")]
    assert len(pool_lifs) == 2 and all(np.all(n.tau == 1e-4) and np.all(n.v_threshold == 0.5) for n in pool_lifs)
    flat = [n for n in p.nodes.values() if isinstance(n, nir.Flatten)][0]
    assert (flat.start_dim, flat.end_dim) == (-3, -1)


def test_the_input_scale_is_folded_into_the_first_layer():
    g = snnc.compile(mlp(np.random.default_rng(3)), target="nir").graph
    full, p = export(g, "full"), export(g, "portable")
    assert "x_real" in full.nodes and "x_real" not in p.nodes and ("x", "fc0") in p.edges
    assert np.array_equal(p.nodes["fc0"].weight, full.nodes["fc0"].weight * F(0.0625))


def _graph(op, **params):
    g = Graph("g", {"timesteps": 2})
    x = g.add("input", attrs={"shape": (3,), "dtype": "f32"}, name="x")
    v = g.add("linear", [x], params={"weight": np.eye(3, dtype=F)}, name="fc")
    v = g.add(op, [v], params={k: np.full((1, 3), val, F) for k, val in params.items()}, name="n")
    g.add("output", [v], name="y")
    return g.verify()


@pytest.mark.parametrize("op, params, words", [
    ("li", {"beta": 0.5}, "non-spiking readout"),
    ("scale", {"scale": 2.0}, "Scale node"),
])
def test_what_has_no_portable_form_is_refused_with_the_way_out(tmp_path, op, params, words):
    g = _graph(op, **params)
    with pytest.raises(TargetError, match=words) as e:
        snnc.compile(g, target="nir", out_dir=tmp_path / "out")
    assert "-O nir_dialect=full" in str(e.value) and "%n" in str(e.value)
    assert not (tmp_path / "out").exists()
    c = snnc.compile(g, target="nir", out_dir=tmp_path / "full", nir_dialect="full")
    assert c.artifacts["nir"].is_file()


def test_a_bias_in_front_of_a_neuron_is_refused():
    g = Graph("g", {"timesteps": 2})
    x = g.add("input", attrs={"shape": (3,), "dtype": "f32"}, name="x")
    a = g.add("affine", [x], params={"scale": np.ones((1, 3), F), "bias": np.full((1, 3), 0.5, F)}, name="a")
    v = g.add("lif", [a], params={"beta": np.full((1, 1), 0.5, F), "threshold": np.ones((1, 1), F)}, name="n")
    g.add("output", [v], name="y")
    with pytest.raises(TargetError, match="v_leak.*nir_dialect=full"):
        snnc.compile(g.verify(), target="nir")
