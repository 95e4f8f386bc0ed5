"""Weight packing (snnc.ir.packing) and the pack-weights pass: exact round trips, the
documented byte layouts, storage per weight, and verification of packed layers."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from passhelp import outputs
from snnc.errors import ConfigError
from snnc.ir import Graph, VerifyError, packing, verify
from snnc.passes import run_pipeline

SHAPES = st.one_of(
    st.tuples(st.integers(1, 9), st.integers(1, 150)).map(lambda s: (s, 1)),                     # linear
    st.tuples(st.integers(1, 3), st.integers(1, 5), st.integers(1, 70)).map(lambda s: (s, 1)),   # bank
    st.tuples(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)).map(lambda s: (s, 3)),
    st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3),
              st.integers(1, 3)).map(lambda s: (s, 3)))


@settings(max_examples=300)
@given(SHAPES, st.sampled_from(packing.LAYOUTS), st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.5, 1.0]))
def test_unpack_inverts_pack(shape_rows, layout, seed, zeros):
    shape, row_ndim = shape_rows
    rng = np.random.default_rng(seed)
    lo, hi = packing.LEVELS[layout]
    w = np.where(rng.random(shape) < zeros, 0, rng.integers(lo, hi + 1, size=shape)).astype(np.int8)
    p = packing.pack(w, layout, row_ndim)
    assert p.dtype == np.uint8 and p.shape == packing.packed_shape(layout, shape, row_ndim)
    u = packing.unpack(p, layout, shape)
    assert u.dtype == np.int8 and np.array_equal(u, w)
    n = w.size
    bits = packing.bits_per_weight(layout, shape, row_ndim)
    assert bits == 8 * p.size / n
    if layout == "base3":
        assert bits <= 1.6 + 8 / n and (n % 5 or bits == 1.6)


def test_documented_byte_layouts():
    w = np.array([[1, -1, 0, 1, -2]], np.int8)
    # codes2: codes 1, 3, 0, 1 | 2 → byte 0 = 1 + 3·4 + 0·16 + 1·64, byte 1 = 2
    assert packing.pack(w, "codes2").tolist() == [[77, 2]]
    t = np.array([[1, -1, 0, 1, 1, 0, -1]], np.int8)
    # base3: digits 2 0 1 2 2 | 1 0 (+ padding digits 1): 2 + 0 + 9 + 54 + 162, 1 + 0 + 9 + 27 + 81
    assert packing.pack(t, "base3").tolist() == [227, 118]
    planes = packing.pack(t, "bitplanes").view("<u8")
    assert planes.tolist() == [[0b11001, 0b1000010]]      # positive word, negative word
    long = np.zeros((1, 130), np.int8)
    long[0, [0, 64, 129]] = 1
    long[0, 65] = -1
    words = packing.pack(long, "bitplanes").view("<u8")
    assert words.tolist() == [[1, 1, 2, 0, 2, 0]]          # 3 positive words, 3 negative words


def test_pack_refuses_levels_outside_the_layout():
    with pytest.raises(packing.PackingError, match="-1..1"):
        packing.pack(np.array([[2, 0]], np.int8), "base3")
    with pytest.raises(packing.PackingError, match="dtype float32"):
        packing.pack(np.zeros((2, 2), np.float32), "codes2")
    with pytest.raises(packing.PackingError, match="unknown weight layout"):
        packing.pack(np.zeros((2, 2), np.int8), "nibbles")
    with pytest.raises(packing.PackingError, match="packs to shape"):
        packing.unpack(np.zeros((2, 3), np.uint8), "codes2", (2, 5))


def ternary_net():
    g = Graph("net")
    g.add("input", attrs={"shape": (2, 4, 4), "dtype": "spike"}, name="x")
    rng = np.random.default_rng(0)
    g.add("conv2d", ["x"], {"padding": (1, 1)}, {"weight": rng.integers(-1, 2, (3, 2, 3, 3)).astype(np.int8),
                                                  "scale": np.full((1, 3, 1, 1), 0.5, np.float32)}, name="c1")
    g.add("lif", ["c1"], params={"beta": np.full((1, 1, 1, 1), 0.5, np.float32),
                                 "threshold": np.ones((1, 1, 1, 1), np.float32)}, name="n1")
    g.add("flatten", ["n1"], name="f")
    g.add("linear", ["f"], params={"weight": rng.integers(-2, 2, (2, 4, 48)).astype(np.int8)}, name="fc")
    g.add("linear", ["fc"], params={"weight": rng.standard_normal((3, 4)).astype(np.float32)}, name="ro")
    g.add("output", ["ro"], name="y")
    return g


@pytest.mark.parametrize("layout", packing.LAYOUTS)
def test_pack_weights_annotates_integer_layers(layout):
    g = ternary_net()
    h = run_pipeline(g, f"pack-weights{{layout={layout}}}").graph
    assert h["c1"].attrs["layout"] == layout
    assert np.array_equal(packing.unpack(h.param("c1", "packed"), layout, (3, 2, 3, 3)), g.param("c1", "weight"))
    if layout == "codes2":
        assert h["fc"].attrs["layout"] == "codes2"
    else:                                        # fc has level -2: not ternary
        assert h["fc"].attrs["layout"] == "dense" and "levels -2..1" in h["fc"].meta["pack-weights"]
    assert h["ro"].attrs["layout"] == "dense" and "float" in h["ro"].meta["pack-weights"]
    x = np.random.default_rng(1).integers(0, 2, (3, 2, 2, 4, 4)).astype(np.uint8)
    assert np.array_equal(outputs(g, x)["y"], outputs(h, x)["y"])
    again = run_pipeline(h, "pack-weights{layout=bitplanes}").graph          # repacking replaces
    assert again["c1"].attrs["layout"] == "bitplanes"
    assert np.array_equal(packing.unpack(again.param("c1", "packed"), "bitplanes", (3, 2, 3, 3)),
                          g.param("c1", "weight"))


def test_verify_checks_the_packed_copy():
    h = run_pipeline(ternary_net(), "pack-weights{layout=base3}").graph
    key = h["c1"].params["packed"]
    h.params[key] = h.params[key].copy()
    h.params[key][0] += 1                        # one trit changed
    with pytest.raises(VerifyError, match="does not decode to the weight") as e:
        verify(h)
    assert e.value.node == "c1"
    h.params[key] = h.params[key][:-1]
    with pytest.raises(VerifyError, match="packs to"):
        verify(h)
    del h["c1"].params["packed"]
    with pytest.raises(VerifyError, match="run pack-weights"):
        verify(h)
    h["c1"].attrs["layout"] = "dense"
    h["c1"].params["packed"] = key
    with pytest.raises(VerifyError, match='other than "dense"'):
        verify(h)


@settings(max_examples=60)
@given(strategies.graphs_and_inputs(float_ops=True, integer=True, ops=("linear", "conv2d", "lif", "lif_int",
                                                                          "flatten", "add", "threshold")),
       st.sampled_from(packing.LAYOUTS))
def test_pack_weights_keeps_outputs_and_packs_every_fitting_layer(case, layout):
    g, x = case
    h = run_pipeline(g, f"pack-weights{{layout={layout}}}").graph
    for n in h:
        if n.op in ("linear", "conv2d"):
            assert (n.attrs["layout"] == layout) == packing.fits(h.param(n, "weight"), layout), n.name
    y0, y1 = outputs(g, x), outputs(h, x)
    assert all(np.array_equal(y0[k], y1[k]) for k in y0)


def test_unknown_layout_is_a_config_error():
    with pytest.raises(ConfigError, match="codes2, bitplanes, base3"):
        run_pipeline(ternary_net(), "pack-weights{layout=dense}")


def test_passes_that_change_weights_drop_a_stale_packed_copy():
    g = ternary_net()
    g.params["c1.scale"] = g.params["c1.scale"] * np.array([1, -1, 1], np.float32).reshape(1, 3, 1, 1)
    packed = run_pipeline(g, "pack-weights{layout=bitplanes}").graph
    h = run_pipeline(packed, "fold-temporal-scale").graph        # negates channel 1 of c1's weight
    assert h["c1"].attrs["layout"] == "dense" and "packed" not in h["c1"].params
    assert np.array_equal(h.param("c1", "weight")[1], -g.param("c1", "weight")[1])
    assert h["fc"].attrs["layout"] == "dense"                    # fc has level −2: never packed
    assert run_pipeline(h, "pack-weights{layout=bitplanes}").graph["c1"].attrs["layout"] == "bitplanes"


@pytest.mark.parametrize("name", ["digits_tawq_mlp", "digits_ternary_cnn"])
@pytest.mark.parametrize("layout", ["codes2", "bitplanes", "base3"])
def test_shipped_checkpoints_pack_and_decode_exactly(name, layout):
    """Every ternary weight of the shipped models decodes to itself; base-3 is 1.6 bits per weight
    plus the padding of one last byte per tensor (exactly 1.6 only when 5 divides the size)."""
    from pathlib import Path

    import snnc
    from snnc.ir import packing
    from snnc.passes import run_pipeline

    ckpt = Path(__file__).resolve().parents[2] / "examples" / "checkpoints" / f"{name}.pt"
    g = run_pipeline(snnc.compile(ckpt, target="reference").graph, f"pack-weights{{layout={layout}}}").graph
    packed = [n for n in g if n.attrs.get("layout") == layout]
    assert packed, "no ternary layer was packed"
    weights = bits = 0
    for n in packed:
        w, pk = g.param(n, "weight"), g.param(n, "packed")
        assert np.array_equal(packing.unpack(pk, layout, w.shape), w)
        weights, bits = weights + w.size, bits + 8 * pk.size
        if layout == "base3":
            assert 8 * pk.size == 8 * -(-w.size // 5)
    if layout == "base3":
        assert bits / weights <= 1.6 + 8 * len(packed) / weights
        assert bits / weights < 1.601
