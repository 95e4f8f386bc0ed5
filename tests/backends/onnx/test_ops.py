"""Every float op of the IR through ONNX, compared bit for bit with the reference interpreter.

Inputs are floats wherever the target reproduces the reference's float order (elementwise
ops, pools, neurons, batchnorm), and integers / integer-valued weights for the products
(linear, conv2d, spike_matmul), whose sums are then exact in any order."""
import numpy as np
import pytest

from snnc.backends.reference import run as reference_run
from snnc.ir import Graph

from onnxhelp import bits_equal, onnx_runner

f32, i8 = np.float32, np.int8
RNG = np.random.default_rng(1234)


def single(op, shape, dtype="f32", attrs=None, params=None, **input_attrs):
    g = Graph("ops")
    g.add("input", attrs={"shape": shape, "dtype": dtype, **input_attrs}, name="x")
    g.add(op, ["x"], attrs=attrs or {}, params=params or {}, name="n")
    g.add("output", ["n"], name="y")
    return g.verify()


def same(graph, x, **options):
    """ONNX output bit-identical to the reference on x [T, B, ...]; returns it."""
    y = onnx_runner(graph, x.shape[0], **options).run(x)
    ref = reference_run(graph, x)
    assert y.dtype == ref.dtype and bits_equal(y, ref), np.abs(y.astype(float) - ref).max()
    return y


def spikes(T, B, *shape, density=0.5):
    return (RNG.random((T, B) + shape) < density).astype(np.uint8)


def floats(T, B, *shape):
    return RNG.standard_normal((T, B) + shape).astype(f32)


def levels(*shape, m=1):
    return RNG.integers(-m, m + 1, shape).astype(i8)


# ------------------------------------------------------------------------------ synapses
@pytest.mark.parametrize("bank", [None, 3])
def test_linear_scale_bias_static_and_bank(bank):
    w = levels(*((bank,) if bank else ()), 7, 11, m=3)
    params = {"weight": w, "scale": RNG.uniform(0.1, 1, (2, 7)).astype(f32),
              "bias": RNG.uniform(-1, 1, (3, 1)).astype(f32)}
    same(single("linear", (11,), "spike", params=params), spikes(5, 4, 11))


def test_linear_over_tokens_with_float_weights_integer_valued():
    w = levels(4, 6, m=2).astype(f32)
    g = single("linear", (3, 6), "uint<3>", params={"weight": w, "scale": np.full((1, 1, 4), 0.25, f32)},
               scale=0.125)
    same(g, RNG.integers(0, 8, (3, 2, 3, 6)).astype(np.uint8))


@pytest.mark.parametrize("attrs,wshape", [
    ({"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2)}, (5, 2, 3, 2)),
    ({"groups": 2, "padding": (1, 1)}, (4, 1, 3, 3)),
    ({}, (3, 2, 1, 1)),
])
@pytest.mark.parametrize("bank", [None, 2])
def test_conv2d(attrs, wshape, bank):
    w = levels(*((bank,) if bank else ()), *wshape, m=1)
    o = wshape[0]
    params = {"weight": w, "scale": RNG.uniform(0.5, 1.5, (3, o, 1, 1)).astype(f32)}
    g = Graph("conv")
    g.add("input", attrs={"shape": (2, 6, 7), "dtype": "spike"}, name="x")
    g.add("conv2d", ["x"], attrs=attrs, params=params, name="n")
    params = {"bias": RNG.uniform(-1, 1, (1,) + g["n"].type.shape).astype(f32)}
    g["n"].params["bias"] = g.add_param("n.bias", params["bias"])
    g.add("output", ["n"], name="y")
    g.infer_types()
    same(g.verify(), spikes(5, 3, 2, 6, 7))


@pytest.mark.parametrize("ta,tb,scale", [(True, False, 1.0), (False, True, 0.125), (False, False, 0.5)])
def test_spike_matmul_of_two_inputs(ta, tb, scale):
    g = Graph("attn")
    g.add("input", attrs={"shape": (4, 3) if ta else (3, 4), "dtype": "spike"}, name="q")
    g.add("input", attrs={"shape": (5, 4) if tb else (4, 5), "dtype": "spike"}, name="k")
    g.add("spike_matmul", ["q", "k"], attrs={"transpose_a": ta, "transpose_b": tb, "scale": scale}, name="qk")
    g.add("output", ["qk"], name="y")
    g.verify()
    x = {"q": spikes(3, 2, *g["q"].type.shape), "k": spikes(3, 2, *g["k"].type.shape)}
    y = onnx_runner(g, 3).run(x)
    assert bits_equal(y, reference_run(g, x))


def test_spike_matmul_on_floats_within_rounding():
    g = Graph("attn")
    g.add("input", attrs={"shape": (2, 6, 5), "dtype": "f32"}, name="q")
    g.add("spike_matmul", ["q", "q"], attrs={"transpose_a": True, "scale": 0.5}, name="kv")
    g.add("output", ["kv"], name="y")
    x = floats(2, 3, 2, 6, 5)
    y = onnx_runner(g.verify(), 2).run(x)
    ref = reference_run(g, x, trace=True)[0]      # (trace=True: see the report on operand reuse)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------------------ pools and shapes
@pytest.mark.parametrize("op", ["sumpool2d", "avgpool2d", "maxpool2d"])
@pytest.mark.parametrize("attrs", [{"kernel": (2, 2)}, {"kernel": (3, 2), "stride": (1, 2), "padding": (1, 1)},
                                   {"kernel": (1, 1)}, {"kernel": (3, 3), "stride": (2, 2), "padding": (1, 0)}])
def test_pools_on_floats(op, attrs):
    x = floats(3, 2, 2, 5, 6) - 2.0            # mostly negative: zero padding must not win a max
    same(single(op, (2, 5, 6), attrs=attrs), x)


@pytest.mark.parametrize("op,attrs", [("flatten", {"start": 0}), ("flatten", {"start": 1}),
                                      ("reshape", {"shape": (6, 5)}), ("reshape", {"shape": (30,)})])
def test_shapes(op, attrs):
    same(single(op, (2, 3, 5), attrs=attrs), floats(2, 3, 2, 3, 5))


# ------------------------------------------------------------------------------ elementwise
def test_add_three_operands_left_to_right():
    g = Graph("add")
    g.add("input", attrs={"shape": (9,), "dtype": "f32"}, name="x")
    g.add("scale", ["x"], params={"scale": np.full((1, 1), 1e-8, f32)}, name="tiny")
    g.add("scale", ["x"], params={"scale": np.full((1, 1), -1.0, f32)}, name="neg")
    g.add("add", ["x", "tiny", "neg"], name="s")       # (x + tiny) − x ≠ x + (tiny − x) in float32
    g.add("output", ["s"], name="y")
    same(g.verify(), floats(2, 5, 9) * 1e4)


@pytest.mark.parametrize("op", ["scale", "affine"])
def test_scale_affine_float(op):
    params = {"scale": RNG.uniform(-2, 2, (3, 1, 5)).astype(f32)}
    if op == "affine":
        params["bias"] = RNG.uniform(-1, 1, (2, 4, 1)).astype(f32)
    same(single(op, (4, 5), params=params), floats(4, 3, 4, 5))


@pytest.mark.parametrize("op", ["scale", "affine"])
@pytest.mark.parametrize("shift", [0, 2])
def test_scale_affine_integer_form(op, shift):
    params = {"scale": RNG.integers(-3, 4, (2, 6)).astype(np.int16)}
    if op == "affine":
        params["bias"] = RNG.integers(-4, 5, (1, 6)).astype(np.int32)
    y = same(single(op, (6,), "uint<4>", attrs={"shift": shift}, params=params),
             RNG.integers(0, 16, (3, 4, 6)).astype(np.uint8))
    assert y.dtype == np.int64


@pytest.mark.parametrize("axis,shape", [(0, (3, 2, 2)), (-1, (2, 3)), (0, (3,))])
def test_batchnorm(axis, shape):
    c = shape[axis]
    params = {"mean": RNG.uniform(-1, 1, c).astype(f32), "var": RNG.uniform(0.1, 2, c).astype(f32),
              "weight": RNG.uniform(0.5, 1.5, c).astype(f32), "bias": RNG.uniform(-1, 1, c).astype(f32)}
    same(single("batchnorm", shape, attrs={"axis": axis, "eps": 1e-3}, params=params), floats(3, 4, *shape))


@pytest.mark.parametrize("compare", ["ge", "gt"])
def test_threshold_ties(compare):
    th = np.array([[0.5, -0.25, 1.0]], f32)
    x = np.array([[[0.5, -0.25, 1.0]], [[0.49999997, -0.2499999, 1.0000001]]], f32)
    y = same(single("threshold", (3,), attrs={"compare": compare}, params={"threshold": th}), x)
    assert y[0].tolist() == ([[1, 1, 1]] if compare == "ge" else [[0, 0, 0]])


def test_multispike_rounds_half_up_exactly():
    x = np.array([0.49999997, 0.5, 1.5, 2.4999998, 2.5, -3.0, 3.7, 9.0, -0.0, 0.0], f32).reshape(1, 1, 10)
    y = same(single("multispike", (10,), attrs={"D": 3}), x)
    assert y.ravel().tolist() == [0, 1, 2, 2, 3, 0, 3, 3, 0, 0]


# ------------------------------------------------------------------------------ neurons
NEURON_PARAMS = {"lif": ("beta", "threshold"), "plif": ("beta", "threshold"), "if": ("threshold",),
                 "cuba_lif": ("alpha", "beta", "threshold"), "li": ("beta",)}


def neuron_params(op, shape, t_p):
    lo_hi = {"alpha": (0.3, 0.95), "beta": (0.5, 1.0), "threshold": (0.3, 1.5)}
    return {r: RNG.uniform(*lo_hi[r], (t_p,) + shape).astype(f32) for r in NEURON_PARAMS[op]}


@pytest.mark.parametrize("op", ["lif", "plif", "if", "cuba_lif"])
@pytest.mark.parametrize("reset,v_reset", [("subtract", 0.0), ("zero", 0.0), ("zero", -0.25), ("none", 0.0)])
@pytest.mark.parametrize("compare", ["ge", "gt"])
def test_spiking_neurons(op, reset, v_reset, compare):
    attrs = {"reset": reset, "compare": compare, "v_reset": v_reset}
    g = single(op, (3, 4), attrs=attrs, params=neuron_params(op, (1, 4), t_p=3))
    same(g, floats(7, 5, 3, 4) + 0.3)


@pytest.mark.parametrize("op", ["lif", "if"])
def test_neuron_fires_on_an_exact_tie(op):
    params = {"threshold": np.ones((1, 1), f32)}
    if op == "lif":
        params["beta"] = np.full((1, 1), 0.5, f32)
    for compare, first in (("ge", 1), ("gt", 0)):
        y = same(single(op, (1,), attrs={"compare": compare}, params=params), np.ones((2, 1, 1), f32))
        assert y[0, 0, 0] == first


def test_li_and_the_sign_of_zero():
    # li's first state is beta·0 + x; with x = -0 and beta < 0 the reference keeps -0 (+0 + -0 would be +0)
    g = single("li", (3,), params={"beta": np.array([[-0.5, 0.5, 0.9]], f32)})
    y = same(g, np.array([[[-0.0, -0.0, 2.0]], [[1.0, -1.0, 0.5]]], f32))
    assert np.signbit(y[0, 0, 0]) and not np.signbit(y[0, 0, 1])


def test_li_time_varying_beta():
    same(single("li", (2, 3), params={"beta": RNG.uniform(0.5, 1, (4, 2, 1)).astype(f32)}), floats(9, 2, 2, 3))


# ------------------------------------------------------------------------------ inputs
@pytest.mark.parametrize("dtype,x", [
    ("spike", spikes(3, 2, 5)),
    ("uint<5>", RNG.integers(0, 32, (3, 2, 5)).astype(np.uint8)),
    ("int<6>", RNG.integers(-32, 32, (3, 2, 5)).astype(np.int8)),
    ("f32", floats(3, 2, 5)),
])
def test_input_kinds_pass_through(dtype, x):
    extra = {"scale": 0.125} if dtype.startswith(("uint", "int")) else {}
    g = Graph("io")
    g.add("input", attrs={"shape": (5,), "dtype": dtype, **extra}, name="x")
    g.add("output", ["x"], name="y")
    y = same(g.verify(), x)
    assert y.dtype == (np.float32 if dtype == "f32" else np.int64)
