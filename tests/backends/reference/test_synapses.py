"""Synaptic ops: linear, conv2d (against torch's F.conv2d), spike_matmul."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from refhelp import arr, single
from snnc.backends.reference import run
from snnc.ir import Graph

W = arr([[1, 0, -1], [2, 1, 0]])
X = arr([[[1, 2, 3]], [[0, -1, 4]]])                 # T=2, B=1
# W·x: t0 = [1 - 3, 2 + 2] = [-2, 4];  t1 = [-4, -1]


def test_linear_static_with_bias():
    g = single("linear", (3,), params={"weight": W, "bias": arr([[0.5, -1.0]])})
    assert run(g, X).tolist() == [[[-1.5, 3.0]], [[-3.5, -2.0]]]


def test_linear_weight_bank_cycles_over_time():
    bank = np.stack([W, -W])                         # W[t % 2]: W, -W, W
    g = single("linear", (3,), params={"weight": bank})
    x = np.concatenate([X, X[:1]])
    assert run(g, x).tolist() == [[[-2, 4]], [[4, 1]], [[-2, 4]]]


def test_linear_per_timestep_and_per_channel_scale():
    g = single("linear", (3,), params={"weight": W, "scale": arr([[0.5], [2.0]])})
    assert run(g, X).tolist() == [[[-1, 2]], [[-8, -2]]]
    g = single("linear", (3,), params={"weight": W, "scale": arr([[0.5, 3.0]]), "bias": arr([[1.0, 0.0]])})
    # (W·x) ⊙ [0.5, 3] + [1, 0]
    assert run(g, X).tolist() == [[[0, 12]], [[-1, -3]]]


def test_linear_scale_is_applied_before_bias():
    g = single("linear", (3,), params={"weight": W, "scale": arr([[2.0]]), "bias": arr([[1.0]])})
    assert run(g, X[:1]).tolist() == [[[-3, 9]]]       # 2·[-2, 4] + 1, not 2·([-2, 4] + 1)


def test_linear_on_leading_token_dims():
    g = single("linear", (2, 3), params={"weight": W})
    x = np.stack([X[0, 0], X[1, 0]])[None, None]          # one step, two tokens
    assert run(g, x).tolist() == [[[[-2, 4], [-4, -1]]]]


def test_linear_integer_exact():
    w = np.array([[1, -1, 0, 1], [0, 0, -1, -1]], np.int8)
    g = single("linear", (4,), "uint<4>", params={"weight": w, "bias": np.array([[3, -2]], np.int32)})
    t = g["n"].type
    assert t.dtype.is_integer
    x = np.array([[[15, 0, 7, 15]], [[0, 15, 15, 15]]])
    y = run(g, x)
    assert y.dtype == np.int64 and y.tolist() == [[[33, -24]], [[3, -32]]]


def test_linear_integer_product_with_float_scale_is_exact_before_scaling():
    # spike inputs × integer weights: the sum 2^24 + 1 is exact, then rounded once to float32
    w = np.array([[1 << 24, 1]], np.int32)
    g = single("linear", (2,), "spike", params={"weight": w, "scale": arr([[1.0]])})
    y = run(g, np.ones((1, 1, 2), np.int64))
    assert y.dtype == np.float32 and y.item() == np.float32((1 << 24) + 1)


def torch_conv(x, w, stride, padding, dilation, groups):
    return F.conv2d(torch.from_numpy(x.astype(np.float64)), torch.from_numpy(w.astype(np.float64)),
                    stride=stride, padding=padding, dilation=dilation, groups=groups).numpy()


CONV_CASES = [  # (C, O, k, stride, padding, dilation, groups, H, W)
    (1, 4, (3, 3), (1, 1), (1, 1), (1, 1), 1, 8, 8),
    (3, 6, (3, 2), (2, 1), (0, 1), (1, 1), 1, 9, 7),
    (4, 4, (3, 3), (1, 2), (2, 1), (2, 1), 2, 7, 9),
    (6, 6, (2, 2), (2, 2), (1, 1), (1, 1), 6, 5, 6),      # depthwise
    (4, 8, (1, 1), (1, 1), (0, 0), (1, 1), 4, 3, 3),
]


@pytest.mark.parametrize("C, O, k, stride, padding, dilation, groups, H, Wd", CONV_CASES)
def test_conv2d_float_matches_torch(C, O, k, stride, padding, dilation, groups, H, Wd):
    rng = np.random.default_rng(1)
    w = rng.normal(size=(O, C // groups) + k).astype(np.float32)
    b = rng.normal(size=(1, O, 1, 1)).astype(np.float32)
    attrs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    g = single("conv2d", (C, H, Wd), attrs=attrs, params={"weight": w, "bias": b})
    x = rng.normal(size=(3, 2, C, H, Wd)).astype(np.float32)
    y = run(g, x)
    want = torch_conv(x.reshape((6, C, H, Wd)), w, stride, padding, dilation, groups) + b[0]
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.reshape(want.shape), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("C, O, k, stride, padding, dilation, groups, H, Wd", CONV_CASES)
def test_conv2d_integer_exact(C, O, k, stride, padding, dilation, groups, H, Wd):
    rng = np.random.default_rng(2)
    w = rng.integers(-1, 2, size=(O, C // groups) + k).astype(np.int8)
    b = rng.integers(-5, 6, size=(1, O, 1, 1)).astype(np.int32)
    attrs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    g = single("conv2d", (C, H, Wd), "int<8>", attrs=attrs, params={"weight": w, "bias": b})
    x = rng.integers(-128, 128, size=(2, 2, C, H, Wd))
    y = run(g, x)
    want = torch_conv(x.reshape((4, C, H, Wd)), w, stride, padding, dilation, groups) + b[0]
    assert y.dtype == np.int64 and np.array_equal(y.reshape(want.shape), want.astype(np.int64))


def test_conv2d_bank_and_per_channel_scale():
    rng = np.random.default_rng(3)
    bank = rng.integers(-1, 2, size=(2, 4, 2, 3, 3)).astype(np.int8)
    scale = arr([[[[0.5]], [[1.0]], [[2.0]], [[0.25]]]])       # (1, O, 1, 1)
    g = single("conv2d", (2, 6, 6), "spike", attrs={"padding": (1, 1)}, params={"weight": bank, "scale": scale})
    x = rng.integers(0, 2, size=(5, 3, 2, 6, 6))
    y = run(g, x)
    for t in range(5):
        want = torch_conv(x[t], bank[t % 2], 1, 1, 1, 1) * scale[0]
        assert np.array_equal(y[t], want.astype(np.float32)), t


def test_conv2d_hand_values():
    # 1×3×3 input, one 2×2 kernel [[1, 0], [0, -1]], stride 1, no padding: y = x[i,j] - x[i+1,j+1]
    g = single("conv2d", (1, 3, 3), params={"weight": arr([[[[1, 0], [0, -1]]]])})
    x = arr(np.arange(9).reshape(1, 1, 1, 3, 3))
    assert run(g, x).tolist() == [[[[[-4, -4], [-4, -4]]]]]


def attention_graph(H, N, D, scale):
    g = Graph("attn")
    for name in "qkv":
        g.add("input", attrs={"shape": (H, N, D), "dtype": "spike"}, name=name)
    kv = g.add("spike_matmul", ["k", "v"], attrs={"transpose_a": True}, name="kv")      # [H, D, D]
    out = g.add("spike_matmul", ["q", kv], attrs={"scale": scale}, name="qkv_out")     # [H, N, D]
    g.add("output", [out], name="y")
    g.add("output", [kv], name="kv_out")
    g.verify()
    return g


def test_spike_matmul_attention_shapes():
    rng = np.random.default_rng(4)
    H, N, D = 2, 5, 3
    g = attention_graph(H, N, D, 0.125)
    assert str(g["kv"].type) == "uint<3>[2,3,3]"          # sums of 5 spike products: 0..5
    x = {n: rng.integers(0, 2, size=(3, 2, H, N, D)) for n in "qkv"}
    out = run(g, x)
    kv = np.einsum("tbhnd,tbhne->tbhde", x["k"], x["v"])
    want = np.einsum("tbhnd,tbhde->tbhne", x["q"], kv) * 0.125
    assert out["kv_out"].dtype == np.int64 and np.array_equal(out["kv_out"], kv)
    assert out["y"].dtype == np.float32 and np.array_equal(out["y"], want.astype(np.float32))


def test_spike_matmul_transpose_b_hand_values():
    g = Graph("g")
    g.add("input", attrs={"shape": (2, 2), "dtype": "f32"}, name="a")
    g.add("input", attrs={"shape": (3, 2), "dtype": "f32"}, name="b")
    n = g.add("spike_matmul", ["a", "b"], attrs={"transpose_b": True, "scale": 2.0})
    g.add("output", [n], name="y")
    a = arr([[1, 2], [3, 4]]).reshape(1, 1, 2, 2)
    b = arr([[1, 0], [0, 1], [1, -1]]).reshape(1, 1, 3, 2)
    # a @ bᵀ = [[1, 2, -1], [3, 4, -1]], times 2
    assert run(g, {"a": a, "b": b}).tolist() == [[[[2, 4, -2], [6, 8, -2]]]]


def test_linear_integer_exact_beyond_float64():
    # 2^53 + 1 is not a float64: the partial sums bound (> 2^53) must select int64 accumulation
    g = single("linear", (2,), "int<56>", params={"weight": np.array([[1, 1]], np.int8)})
    x = np.array([[[(1 << 53) + 1, 1]]])
    assert run(g, x).item() == (1 << 53) + 2


def test_exact_matmul_beyond_int64():
    from snnc.backends.reference import intmath
    a = np.array([[1 << 62, 1 << 62]], np.int64)
    b = np.array([[4], [-3]], np.int64)
    bound = (1 << 62) * 7
    assert intmath.accum_dtype(bound) is object
    assert intmath.matmul(a, b, bound).item() == 1 << 62       # 2^64 − 3·2^62: exact Python ints
    assert intmath.accum_dtype(1 << 40) is np.float64 and intmath.accum_dtype(1 << 60) is np.int64
