"""Float graph → Loihi network: quantized fields, agreement with the float graph, refusals."""
import numpy as np
import pytest

from loihelp import cnn, col, digits_like, mlp, network, prepared, scalar, ternary
from snnc.backends.loihi import build_network, chip, compare, simulate
from snnc.backends.loihi.options import LoihiOptions
from snnc.backends.reference import encode_inputs, run
from snnc.backends.target import TargetError
from snnc.ir import Graph


def check_fields(net):
    for layer in net.layers:
        w, e = layer.weight, layer.weight_exp
        assert chip.NETX_WEIGHT_MIN <= w.min() and w.max() <= chip.NETX_WEIGHT_MAX
        assert 0 <= e <= chip.WEIGHT_EXP_MAX[layer.kind] and np.all(w % (1 << e) == 0)
        m = w >> e
        assert chip.MANTISSA_MIN <= m.min() and m.max() <= chip.MANTISSA_MAX       # 8-bit mantissas
        n = layer.neuron
        assert 0 <= n.i_decay <= 4096 and 0 <= n.v_decay <= 4096 and 0 <= n.vth_mant <= chip.VTH_MANT_MAX
        if layer.bias is not None:
            assert chip.BIAS_MANT_MIN <= layer.bias.min() and layer.bias.max() <= chip.BIAS_MANT_MAX


@pytest.mark.parametrize("make", [
    lambda r: mlp(r), lambda r: mlp(r, neuron="if"), lambda r: mlp(r, neuron="cuba_lif"),
    lambda r: mlp(r, input_dtype="spike", sizes=(20, 30, 30, 4)), lambda r: cnn(r)])
def test_fields_fit_and_the_current_never_wraps(make):
    rng = np.random.default_rng(3)
    g = make(rng)
    net = network(g)
    check_fields(net)
    shape = net.input_shape
    hi = 1 if net.input_message_bits == 0 else (1 << net.input_message_bits) - 1
    for x in (np.full((g.attrs["timesteps"], 2) + shape, hi), rng.integers(0, hi + 1, (6, 4) + shape)):
        res = simulate(net, x)
        # a wrapped current would jump by 2^24: every readout current stays within 2^23
        for probe in res.probes.values():
            assert np.abs(probe).max() < 1 << 23


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_zero_reset_networks_agree_with_the_float_graph(seed):
    """With Loihi's own reset rule (zero, v > θ) only rounding separates the two: ≥ 99% of spikes agree."""
    rng = np.random.default_rng(seed)
    for g in (mlp(rng, sizes=(16, 32, 24, 5)), cnn(rng)):
        x = digits_like(rng, g.attrs["timesteps"], 64, g.inputs[0].type.shape)
        fid = compare(prepared(g), g, x)
        assert fid.spike_agreement >= 0.99, fid
        assert fid.prediction_agreement >= 0.9, fid
        assert all(layer.spike_agreement >= 0.98 for layer in fid.layers), fid


def test_readout_is_exact_when_the_hidden_spikes_agree():
    """The readout layer's weights are the integer levels; the host applies scale and bias in float32
    exactly as the float graph's linear does, so equal spikes give bit-equal outputs."""
    rng = np.random.default_rng(4)
    g = mlp(rng, sizes=(12, 8, 3), input_dtype="spike")
    net = network(g)
    x = rng.integers(0, 2, size=(6, 50, 12))
    res = simulate(net, x)
    out, trace = run(g, x, trace=True)
    same = np.all(res.spikes["lif0"] == trace["lif0"], axis=(0, 2))
    assert same.sum() > 10
    assert np.array_equal(res.output[:, same], out[:, same])


def test_thresholds_per_neuron_are_folded_into_weights_and_bias():
    rng = np.random.default_rng(5)
    g = mlp(rng, sizes=(10, 6, 2), input_dtype="spike")
    theta = rng.uniform(0.5, 2.0, size=6).astype(np.float32)
    g2 = g.copy()
    g2.params[g2["lif0"].params["threshold"]] = theta.reshape(1, 6)
    lin = g2["fc0"]
    g2.params[lin.params["scale"]] = (g2.param(lin, "scale") * theta).astype(np.float32)
    g2.params[lin.params["bias"]] = (g2.param(lin, "bias") * theta).astype(np.float32)
    g.params[g["lif0"].params["threshold"]] = np.ones((1, 6), np.float32)
    x = rng.integers(0, 2, size=(6, 40, 10))
    a, b = simulate(network(g2), x), simulate(network(g), x)
    assert (a.spikes["lif0"] == b.spikes["lif0"]).mean() > 0.995


def test_neuron_kinds_map_to_decays():
    rng = np.random.default_rng(6)
    lif = network(mlp(rng, beta=0.75)).layers[0].neuron
    assert (lif.i_decay, lif.v_decay) == (4096, 1024)
    iff = network(mlp(rng, neuron="if")).layers[0].neuron
    assert iff.v_decay == 0
    cuba = network(mlp(rng, neuron="cuba_lif"))
    assert cuba.layers[0].neuron.i_decay == 2048                        # α = 0.5
    assert any("b/(1 - alpha)" in note for note in cuba.layers[0].notes)
    sub = network(mlp(rng, reset="subtract", compare="ge")).layers[0]
    assert any("subtract approximated" in note for note in sub.notes)
    assert any("v > threshold" in note for note in sub.notes)


def test_spiking_output_and_leaky_readout():
    rng = np.random.default_rng(7)
    g = Graph("g", {"timesteps": 4})
    x = g.add("input", [], {"shape": (6,), "dtype": "spike"}, name="x")
    v = g.add("linear", [x], {}, {"weight": ternary(rng, (5, 6)), "scale": col(np.full(5, 0.7))}, name="fc")
    v = g.add("lif", [v], {"reset": "zero", "compare": "gt"}, {"beta": scalar(0.5), "threshold": scalar(1.0)},
              name="n")
    g.add("output", [v], name="y")
    net = network(g.verify())
    xs = rng.integers(0, 2, size=(4, 30, 6))
    assert np.array_equal(simulate(net, xs).output, run(g, xs))          # exact: weights are one level

    h = Graph("h", {"timesteps": 5})
    x = h.add("input", [], {"shape": (6,), "dtype": "spike"}, name="x")
    v = h.add("linear", [x], {}, {"weight": ternary(rng, (3, 6)), "scale": col([0.5, 0.25, 1.0]),
                                  "bias": col([0.1, 0.0, -0.2])}, name="fc")
    v = h.add("li", [v], {}, {"beta": scalar(0.5)}, name="ro")
    h.add("output", [v], name="y")
    net = network(h.verify())
    assert net.layers[0].readout.probe == "v"
    xs = rng.integers(0, 2, size=(5, 20, 6))
    assert np.abs(simulate(net, xs).output - run(h, xs)).max() < 0.02


def test_graph_without_timesteps_needs_them():
    g = mlp(np.random.default_rng(8))
    g.attrs.pop("timesteps")
    refused(g, "needs the number of timesteps T", "-T/--timesteps T", "timesteps=T")
    assert network(g, timesteps=3).timesteps == 3


# ---------------------------------------------------------------------- refusals
def refused(g, *fragments, prepare=True, **options):
    with pytest.raises(TargetError) as e:
        if prepare:
            network(g, **options)
        else:                 # what build_network says of a graph the loihi pipeline has not prepared
            build_network(g, LoihiOptions(**options))
    for f in fragments:
        assert f in str(e.value), str(e.value)
    return str(e.value)


def test_weight_bank_refused_with_the_ways_out():
    msg = refused(mlp(np.random.default_rng(9), bank=4), "%fc0", "bank of 4 time-varying",
                  'temporal_weights="collapse"', "--temporal-weights=collapse", "ptq{collapse=true}")
    assert "cpu, hls or reference" in msg


def test_per_timestep_scale_refused():
    g = mlp(np.random.default_rng(10))
    lin = g["fc0"]
    g.params[lin.params["scale"]] = np.tile(g.param(lin, "scale"), (4, 1))
    refused(g.verify(), "%fc0", "per-timestep scale", "temporal_weights")


def two_branch():
    g = Graph("res", {"timesteps": 3})
    x = g.add("input", [], {"shape": (4,), "dtype": "spike"}, name="x")
    a = g.add("linear", [x], {}, {"weight": np.eye(4, dtype=np.int8)}, name="a")
    s = g.add("add", [a, a], {}, name="sum")
    g.add("output", [s], name="y")
    return g.verify()


def replace_neuron(g, op, attrs=None, params=None):
    """The mlp with its first neuron replaced by another op."""
    n = g["lif0"]
    new = g.add(op, [n.operands[0]], attrs or {}, params or {}, name="new", after=n.name)
    g.replace_all_uses_with(n, new)
    g.remove(n)
    return g.verify()


def test_unsupported_structures_and_ops_are_refused():
    rng = np.random.default_rng(11)
    refused(two_branch(), "chain of layers")
    g = mlp(rng)
    g.params[g["lif0"].params["beta"]] = np.linspace(0.5, 0.9, 24, dtype=np.float32).reshape(1, 24)
    refused(g, "one decay per layer")
    g = mlp(rng)
    g.params[g["lif0"].params["beta"]] = np.array([[0.5], [0.9]], np.float32)
    refused(g, "varies over 2 timesteps")
    refused(mlp(rng, reset="none"), "never resets")
    refused(mlp(rng, reset="subtract"), "reset = subtract", "subtract_reset", subtract_reset="refuse")
    refused(mlp(rng, input_dtype="f32"), "encode the input")
    g = mlp(rng)
    g["lif0"].attrs["v_reset"] = 0.5
    refused(g, "v_reset")


def test_pooling_batchnorm_and_integer_ops_are_refused():
    rng = np.random.default_rng(12)
    g = cnn(rng)
    pool = g["pool0"]
    avg = g.add("avgpool2d", [pool.operands[0]], dict(pool.attrs), name="avg", after=pool.name)
    g.replace_all_uses_with(pool, avg)
    g.remove(pool)
    refused(g.verify(), "%avg", "graded values", "max pooling")
    g = cnn(rng)
    conv = g["conv0"]
    bn = g.add("batchnorm", [conv], {"axis": 0}, {p: np.ones((4,), np.float32) for p in ("mean", "var", "weight",
                                                                                          "bias")},
               name="bn", after=conv.name)
    g.replace_all_uses_with(conv, bn)
    g["bn"].operands = [conv.name]
    refused(g.verify(), "fold-batchnorm", prepare=False)
    g = Graph("i", {"timesteps": 2})
    x = g.add("input", [], {"shape": (3,), "dtype": "spike"}, name="x")
    v = g.add("linear", [x], {}, {"weight": np.ones((2, 3), np.int8)}, name="fc")
    v = g.add("lif_int", [v], {}, {"leak": np.ones((1, 1), np.int16), "threshold": np.ones((1, 1), np.int16)},
              name="n")
    g.add("output", [v], name="y")
    refused(g.verify(), "integer op", "without integerize")
    g = Graph("ll", {"timesteps": 2})
    x = g.add("input", [], {"shape": (3,), "dtype": "spike"}, name="x")
    v = g.add("linear", [x], {}, {"weight": np.ones((2, 3), np.int8)}, name="a")
    v = g.add("linear", [v], {}, {"weight": np.ones((2, 2), np.float32)}, name="b")
    g.add("output", [v], name="y")
    refused(g.verify(), "%b", "without a neuron")


def test_integer_levels_with_one_gain_stay_exact():
    from snnc.backends.loihi.quantize import quantize_spiking
    rng = np.random.default_rng(13)
    levels = ternary(rng, (8, 20))
    q = quantize_spiking(0.037 * levels, None, 0.5, None, 1, 10, 1, levels=levels, gains=np.full(8, 0.037))
    k = int(np.log2(np.abs(q.weight).max()))
    assert np.array_equal(q.weight, levels.astype(np.int64) << k)       # the levels, shifted: exact
    assert q.unit == pytest.approx(0.037 / 2 ** k) and q.vth_mant == round(2 ** k / 0.037)
    flipped = quantize_spiking(-0.037 * levels, None, 0.5, None, 1, 10, 1, levels=levels,
                               gains=np.full(8, -0.037))
    assert np.array_equal(flipped.weight, -q.weight)


def test_per_channel_gains_choose_the_unit_that_rounds_them_best():
    from snnc.backends.loihi.quantize import quantize_spiking
    rng = np.random.default_rng(14)
    levels = ternary(rng, (16, 30), density=0.9)
    gains = rng.uniform(0.02, 0.05, size=16)
    E = gains[:, None] * levels
    plain = quantize_spiking(E, None, 0.5, None, 1, 10, 0)
    tuned = quantize_spiking(E, None, 0.5, None, 1, 10, 0, levels=levels, gains=gains)

    def err(q):
        return np.max(np.abs(q.weight * q.unit - E).max(axis=1) / np.abs(E).max(axis=1))
    assert err(tuned) < err(plain)
    assert np.abs(tuned.weight).max() <= 127                             # conv-style: exponent 0


def test_multi_bit_spikes_become_binary_planes():
    """multispike{D} → D planes (thresholds k − 1/2); the next layer repeats its weights per plane, and
    max pooling pools each plane. The planes summed are the spike counts of the float graph."""
    rng = np.random.default_rng(15)
    g = replace_neuron(mlp(rng, sizes=(16, 20, 5)), "multispike", {"D": 3})
    net = network(g)
    hidden, out = net.layers
    assert hidden.planes == 3 and hidden.shape == (60,) and hidden.value_shape == (20,)
    assert hidden.neuron.v_decay == 4096 and hidden.neuron.i_decay == 4096      # no memory
    assert out.weight.shape == (5, 60)
    assert np.array_equal(out.weight[:, :20], out.weight[:, 20:40])
    x = digits_like(rng, 6, 64, (16,))
    res = simulate(net, encode_inputs(g, x))
    _, trace = run(g, encode_inputs(g, x), trace=True)
    assert res.spikes["new"].shape == trace["new"].shape and res.spikes["new"].max() <= 3
    assert (res.spikes["new"] == trace["new"]).mean() > 0.99

    c = cnn(rng)
    for name in ("lif0", "lif1"):
        n = c[name]
        ms = c.add("multispike", [n.operands[0]], {"D": 2}, name=f"{name}.ms", after=n.name)
        c.replace_all_uses_with(n, ms)
        c.remove(n)
    # weights of trained layers are a fraction of the threshold; a weight far above it would leave the
    # 17-bit threshold only 127/|w| steps (conv weights are 8-bit mantissas)
    c.params[c["conv1"].params["scale"]] *= np.float32(0.3)
    c.infer_types()
    net = network(c.verify())
    kinds = [(layer.kind, layer.planes, layer.shape) for layer in net.layers]
    assert kinds[:4] == [("conv", 2, (8, 8, 8)), ("pool", 2, (8, 4, 4)), ("conv", 2, (12, 4, 4)),
                         ("pool", 2, (12, 2, 2))]
    assert net.layers[2].weight.shape == (12, 8, 3, 3) and net.layers[4].weight.shape == (10, 48)
    x = digits_like(rng, 5, 32, (1, 8, 8))
    res = simulate(net, encode_inputs(c, x))
    _, trace = run(c, encode_inputs(c, x), trace=True)
    for name in ("lif0.ms", "pool0", "lif1.ms", "pool1"):
        assert (res.spikes[name] == trace[name]).mean() > 0.99, name
