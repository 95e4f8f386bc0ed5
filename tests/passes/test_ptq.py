"""ptq: the same rule as snnc.nn.quant.ptq (PTQQuant), results on the level set, collapse of
time-varying weights, and option errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from snnc.errors import ConfigError
from snnc.ir import Graph
from snnc.nn.quant.static import PTQQuant
from snnc.passes import run_pipeline
from snnc.passes.ptq import level_bound, quantize

SPECS = [("ternary", 2)] + [("kbit", k) for k in range(1, 9)]


@settings(max_examples=60)
@given(st.sampled_from(SPECS), st.booleans(), st.integers(0, 2**32 - 1),
       st.sampled_from([(5, 7), (3, 2, 3, 3), (1, 4), (8, 1)]))
def test_quantize_is_the_rule_of_ptqquant(spec, per_channel, seed, shape):
    method, bits = spec
    w = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    levels, scale = quantize(w, method, bits, 0.7, per_channel)
    ref = PTQQuant(method, bits, per_channel)(torch.from_numpy(w))
    assert np.array_equal(levels, ref.w_int[0].numpy().astype(np.int8))
    np.testing.assert_allclose(scale, ref.scale[0].numpy(), rtol=1e-6)


@settings(max_examples=60)
@given(strategies.graphs(float_ops=True, integer=False, ops=("linear", "conv2d", "lif", "flatten", "add")),
       st.sampled_from(SPECS), st.booleans(), st.booleans())
def test_ptq_puts_every_layer_on_its_level_set(g, spec, per_channel, collapse):
    method, bits = spec
    pipe = f"ptq{{method={method},bits={bits},per_channel={per_channel},collapse={collapse}}}".lower()
    h = run_pipeline(g, pipe).graph
    L = level_bound(method, bits)
    for n in h:
        if n.op in ("linear", "conv2d"):
            w = h.param(n, "weight")
            if not n.meta.get("ptq", "").endswith("levels"):    # integer levels, not collapsed: kept
                assert np.array_equal(w, g.param(n.name, "weight")) and g.param(n.name, "weight").dtype == np.int8
                continue
            assert w.dtype == np.int8 and -L <= w.min() and w.max() <= L, n.name
            assert "scale" in n.params
            if bits == 1:
                assert not (w == 0).any()
            if collapse and "not collapsed" not in n.meta.get("ptq", ""):
                assert w.ndim == (2 if n.op == "linear" else 4) and h.param(n, "scale").shape[0] == 1
    assert run_pipeline(h, pipe).graph == h          # already quantized: nothing left to do


def test_float_layer_scale_multiplies_the_new_scale():
    g = Graph("g")
    g.add("input", attrs={"shape": (4,), "dtype": "f32"}, name="x")
    w = np.array([[0.5, -0.5, 0.0, 0.25], [1.0, -1.0, 0.0, 0.25]], np.float32)
    g.add("linear", ["x"], params={"weight": w, "scale": np.array([[[2.0]], [[4.0]]], np.float32)[:, 0]},
          name="fc")
    g.add("output", ["fc"], name="y")
    h = run_pipeline(g, "ptq").graph
    # mean|W| = 0.4375, Δ = 0.30625: kept 0.5, 0.5, 1, 1 → α = 0.75, levels sign(W)·kept
    assert np.array_equal(h.param("fc", "weight"), [[1, -1, 0, 0], [1, -1, 0, 0]])
    assert np.array_equal(h.param("fc", "scale"), np.array([[1.5], [3.0]], np.float32) * np.ones((1, 2)))


def test_collapse_averages_level_times_scale_over_the_bank():
    g = Graph("g")
    g.add("input", attrs={"shape": (3,), "dtype": "spike"}, name="x")
    bank = np.array([[[1, 0, -1], [1, 1, 0]], [[1, 1, -1], [0, 1, 0]]], np.int8)
    g.add("linear", ["x"], params={"weight": bank, "scale": np.full((2, 2), 0.5, np.float32)}, name="fc")
    g.add("output", ["fc"], name="y")
    h = run_pipeline(g, "ptq{collapse=true}").graph
    # mean_t W[t]·s[t] = [[.5, .25, -.5], [.25, .5, 0]]; Δ = 0.7·(2/6); kept mean = 2/5
    assert np.array_equal(h.param("fc", "weight"), [[1, 1, -1], [1, 1, 0]])
    assert np.array_equal(h.param("fc", "scale"), np.full((1, 2), 0.4, np.float32))
    assert run_pipeline(g, "ptq").graph == g          # without collapse integer banks stay


@pytest.mark.parametrize("options, words", [("method=binary", "ternary, kbit"), ("bits=3", "bits=2"),
                                            ("method=kbit,bits=9", "1..8"), ("delta_factor=-1", ">= 0")])
def test_bad_options_are_config_errors(options, words):
    with pytest.raises(ConfigError, match=words):
        run_pipeline(Graph("g"), f"ptq{{{options}}}")
