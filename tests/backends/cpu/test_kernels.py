"""Each synaptic kernel at the sizes where bit packing can go wrong, every op the generic
strategy rarely reaches, and the per-layer kernel choice. Every case runs forced through each
applicable kernel and is compared with the reference by equality."""
import numpy as np
import pytest

from cpuhelp import assert_many_match_reference, inputs_for
from snnc.backends.cpu import CpuOptions, build_plan, simd
from snnc.ir import Graph

rng = np.random.default_rng(7)
KERNELS = ("auto", "bitplane", "event", "direct")


def ternary(shape, p0=0.4):
    return rng.choice(np.array([-1, 0, 1], np.int8), size=shape, p=[(1 - p0) / 2, p0, (1 - p0) / 2])


def lif(g, v, shape_rank, name, bits=24):
    ones = (1,) * shape_rank
    return g.add("lif_int", [v], attrs={"shift": 3, "state_bits": bits, "reset": "subtract"},
                 params={"leak": np.full((1,) + ones, 6, np.int32), "threshold": np.full((1,) + ones, 3, np.int32)},
                 name=name).name


def dense_graph(fan_in, fan_out, dtype="spike", bank=1, lead=None, bias_tp=0):
    g = Graph("dense")
    shape = (fan_in,) if lead is None else (lead, fan_in)
    g.add("input", attrs={"shape": shape, "dtype": dtype}, name="x")
    w = ternary(((bank,) if bank > 1 else ()) + (fan_out, fan_in))
    params = {"weight": w}
    if bias_tp:
        params["bias"] = rng.integers(-4, 5, size=(bias_tp,) + shape[:-1] + (fan_out,)).astype(np.int32)
    v = g.add("linear", ["x"], params=params, name="fc").name
    g.add("output", [lif(g, v, len(shape), "lif")], name="y")
    g.add("output", [v], name="current")
    return g.verify()


def run_all_kernels(cases):
    for k in KERNELS:
        assert_many_match_reference(cases, kernels=k)
    assert_many_match_reference(cases, kernels="bitplane", portable=True)      # plain C popcount


@pytest.mark.parametrize("fan_out", [1, 8, 9, 65])
def test_dense_word_boundaries(fan_out):
    cases = []
    for fan_in in (1, 63, 64, 65, 127, 128, 129, 200):
        g = dense_graph(fan_in, fan_out)
        cases.append((g, inputs_for(g, 3, 5, rng, density=0.5)))
    run_all_kernels(cases)


def test_dense_banks_biases_leading_dims_and_kbit_inputs():
    cases = []
    for dtype in ("spike", "uint<1>", "uint<2>", "uint<3>", "uint<5>", "uint<8>"):
        g = dense_graph(70, 11, dtype=dtype, bank=3, lead=2, bias_tp=2)
        cases.append((g, inputs_for(g, 7, 3, rng, density=0.6)))
    g = dense_graph(130, 20, dtype="uint<8>", bank=1, bias_tp=1)
    cases.append((g, inputs_for(g, 2, 2, rng, density=1.0)))            # every input at full scale
    run_all_kernels(cases)


def conv_graph(c, o, hw, k=3, stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1, dtype="spike", bank=1):
    g = Graph("conv")
    g.add("input", attrs={"shape": (c,) + hw, "dtype": dtype}, name="x")
    w = ternary(((bank,) if bank > 1 else ()) + (o, c // groups, k, k))
    v = g.add("conv2d", ["x"], attrs={"stride": stride, "padding": padding, "dilation": dilation, "groups": groups},
              params={"weight": w, "bias": rng.integers(-2, 3, size=(1, o, 1, 1)).astype(np.int32)},
              name="conv").name
    s = lif(g, v, 3, "lif")
    p = g.add("maxpool2d", [s], attrs={"kernel": (2, 2), "padding": (1, 1)}, name="pool").name
    q = g.add("sumpool2d", [v], attrs={"kernel": (2, 1), "stride": (1, 1)}, name="sum").name
    g.add("output", [p], name="y")
    g.add("output", [q], name="z")
    return g.verify()


def test_conv_channel_words_strides_dilation_groups():
    cases = []
    for c in (1, 16, 63, 64, 65, 130):
        g = conv_graph(c, 9, (5, 6))
        cases.append((g, inputs_for(g, 2, 2, rng, density=0.4)))
    for kw in (dict(stride=(2, 1), padding=(0, 1)), dict(dilation=(2, 2), padding=(2, 1)),
               dict(groups=3, dtype="uint<3>"), dict(dtype="uint<4>", bank=2), dict(k=1, padding=(0, 0))):
        g = conv_graph(6, 6, (6, 5), **kw)
        cases.append((g, inputs_for(g, 3, 2, rng, density=0.5)))
    run_all_kernels(cases)


def test_graded_spikes_feed_the_next_layer():
    """multispike_int (integer spike counts 0..D) into bit-plane layers (one plane per bit of D)."""
    cases = []
    for D, f in ((1, 0), (3, 1), (7, 2), (15, 0)):
        g = Graph("graded")
        g.add("input", attrs={"shape": (3, 5, 5), "dtype": "spike"}, name="x")
        c = g.add("conv2d", ["x"], attrs={"padding": (1, 1)}, params={"weight": ternary((20, 3, 3, 3))}, name="c").name
        m = g.add("multispike_int", [c], attrs={"D": D, "frac_bits": f}, name="ms1").name
        c2 = g.add("conv2d", [m], params={"weight": ternary((17, 20, 3, 3))}, name="c2").name
        fl = g.add("flatten", [c2], name="flat").name
        m2 = g.add("multispike_int", [fl], attrs={"D": D, "frac_bits": f}, name="ms2").name
        fc = g.add("linear", [m2], params={"weight": ternary((10, 17 * 9))}, name="fc").name
        g.add("output", [fc], name="y")
        g.verify()
        cases.append((g, inputs_for(g, 4, 3, rng, density=0.5)))
    run_all_kernels(cases)


def test_spike_matmul_attention_add_affine_reshape_threshold():
    """Spike-driven attention (K^T V, then Q (K^T V)) with residual add, affine, scale, reshape; binary
    spikes and multi-bit spike counts (IE-LIF 0..D) times counts, rows wider than a SIMD vector, on
    every SIMD path this CPU runs (the event-driven row kernel, each path forced)."""
    cases = []
    for heads, n, d, dtype in ((1, 4, 3, "spike"), (2, 5, 8, "spike"), (3, 7, 16, "spike"), (2, 9, 37, "uint<3>"),
                               (1, 3, 70, "uint<2>")):
        g = Graph("attn")
        g.add("input", attrs={"shape": (heads, n, d), "dtype": dtype}, name="x")
        kv = g.add("spike_matmul", ["x", "x"], attrs={"transpose_a": True}, name="kv").name
        y = g.add("spike_matmul", ["x", kv], name="qkv").name
        yt = g.add("spike_matmul", [kv, "x"], attrs={"transpose_b": True}, name="kvq").name
        th = g.add("threshold", [y], params={"threshold": np.full((2, 1, 1, d), 2, np.int32)}, name="th").name
        r = g.add("add", ["x", th, "x"], name="res").name
        a = g.add("affine", [r], attrs={"shift": 1},
                  params={"scale": rng.integers(-3, 4, (1, heads, 1, d)).astype(np.int16),
                          "bias": rng.integers(-2, 3, (3, 1, n, 1)).astype(np.int32)}, name="aff").name
        s = g.add("scale", [a], attrs={"shift": 2}, params={"scale": np.full((1, 1, 1, 1), -3, np.int32)},
                  name="sc").name
        rs = g.add("reshape", [s], attrs={"shape": (heads * n, d)}, name="rs").name
        g.add("output", [rs], name="y")
        g.add("output", [yt], name="kvq_out")
        g.verify()
        cases.append((g, inputs_for(g, 3, 2, rng, density=0.5)))
    assert_many_match_reference(cases)
    assert_many_match_reference(cases, portable=True)
    for path in ("avx2", "avx512"):
        if simd.can_run(path):
            assert_many_match_reference(cases, simd=path)


def test_every_neuron_form():
    """lif_int (every reset and compare), cuba_lif_int, li_int, saturation, per-timestep params."""
    cases = []
    for reset in ("zero", "subtract", "none"):
        for compare in ("ge", "gt"):
            for sat in (False, True):
                g = Graph("neurons")
                g.add("input", attrs={"shape": (9,), "dtype": "int<6>"}, name="x")
                tp = (3, 9)
                attrs = {"shift": 2, "in_shift": 1, "state_bits": 9 if sat else 20, "saturate": sat}
                n1 = g.add("lif_int", ["x"], attrs={**attrs, "reset": reset, "compare": compare, "v_reset": -1},
                           params={"leak": rng.integers(0, 5, tp).astype(np.int32),
                                   "threshold": rng.integers(1, 40, tp).astype(np.int32),
                                   "bias": rng.integers(-3, 4, tp).astype(np.int32)}, name="lif").name
                n2 = g.add("cuba_lif_int", ["x"], attrs={**attrs, "reset": reset, "compare": compare},
                           params={"alpha": rng.integers(0, 5, tp).astype(np.int32),
                                   "leak": np.full((1, 1), 3, np.int32), "threshold": np.full((1, 9), 30, np.int32)},
                           name="cuba").name
                n3 = g.add("li_int", ["x"], attrs={**attrs, "frac_bits": 2},
                           params={"leak": rng.integers(0, 5, tp).astype(np.int32)}, name="li").name
                for n in (n1, n2, n3):
                    g.add("output", [n], name=f"out_{n}")
                g.verify()
                cases.append((g, inputs_for(g, 12, 3, rng, density=0.8)))
    assert_many_match_reference(cases)


def test_auto_kernel_choice():
    g = Graph("choice")
    g.add("input", attrs={"shape": (3, 8, 8), "dtype": "spike"}, name="x")
    g.add("conv2d", ["x"], params={"weight": ternary((16, 3, 3, 3))}, name="few_channels")
    g.add("conv2d", ["few_channels"], params={"weight": ternary((8, 16, 1, 1))}, name="kbit_input")
    g.add("conv2d", ["x"], attrs={"groups": 3}, params={"weight": ternary((6, 1, 3, 3))}, name="grouped")
    g.add("flatten", ["x"], name="flat")
    g.add("linear", ["flat"], params={"weight": ternary((10, 192))}, name="ternary_fc")
    g.add("linear", ["flat"], params={"weight": rng.integers(-3, 4, (10, 192)).astype(np.int8)}, name="kbit_fc")
    g.add("linear", ["kbit_fc"], params={"weight": ternary((4, 10))}, name="signed_input_fc")
    for n in ("kbit_input", "grouped", "ternary_fc", "signed_input_fc"):
        g.add("output", [n], name=f"o_{n}")
    g.verify()
    chosen = build_plan(g, CpuOptions(simd="avx512")).kernels          # the costs of one SIMD path
    assert chosen == {"few_channels": "direct", "kbit_input": "direct", "grouped": "direct",
                      "ternary_fc": "bitplane", "kbit_fc": "event", "signed_input_fc": "event"}
    forced = build_plan(g, CpuOptions(kernels="bitplane")).kernels
    assert forced["few_channels"] == "bitplane" and forced["grouped"] == "direct" and forced["kbit_fc"] == "event"
    forced = build_plan(g, CpuOptions(kernels="event")).kernels
    assert forced["few_channels"] == "event" and forced["grouped"] == "direct" and forced["ternary_fc"] == "event"
    assert_many_match_reference([(g, inputs_for(g, 2, 2, rng))])
