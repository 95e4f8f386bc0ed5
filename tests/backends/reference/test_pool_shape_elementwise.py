"""Pooling, shape and elementwise ops: hand values, plus torch for avg/max pooling and batchnorm."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from refhelp import arr, single
from snnc.backends.reference import run
from snnc.ir import Graph

X33 = np.arange(9).reshape(1, 1, 1, 3, 3)                       # T=B=C=1, 3×3: 0..8


@pytest.mark.parametrize("dtype", ["f32", "int<8>"])
def test_sumpool_hand_values(dtype):
    g = single("sumpool2d", (1, 4, 4), dtype, attrs={"kernel": 2})
    x = np.arange(16).reshape(1, 1, 1, 4, 4)
    assert run(g, x.astype(np.float32) if dtype == "f32" else x).tolist() == [[[[[10, 18], [42, 50]]]]]
    # padding 1: windows clip the corners: [0] [1+2] / [3+6] [4+5+7+8]
    g = single("sumpool2d", (1, 3, 3), dtype, attrs={"kernel": 2, "padding": 1})
    y = run(g, X33.astype(np.float32) if dtype == "f32" else X33)
    assert y.tolist() == [[[[[0, 3], [9, 24]]]]]
    assert (y.dtype == np.int64) == (dtype != "f32")


@pytest.mark.parametrize("dtype", ["f32", "int<8>"])
def test_maxpool_padding_never_wins(dtype):
    x = -(X33 + 1)                                                  # all negative: padding 0 would win
    g = single("maxpool2d", (1, 3, 3), dtype, attrs={"kernel": 2, "padding": 1})
    y = run(g, x.astype(np.float32) if dtype == "f32" else x)
    assert y.tolist() == [[[[[-1, -2], [-4, -5]]]]]


def test_maxpool_on_spikes_is_or():
    g = single("maxpool2d", (1, 2, 4), "spike", attrs={"kernel": 2})
    x = np.array([[0, 0, 0, 1], [0, 0, 0, 0]]).reshape(1, 1, 1, 2, 4)
    y = run(g, x)
    assert y.tolist() == [[[[[0, 1]]]]] and str(g["n"].type) == "spike[1,1,2]"


def test_avgpool_counts_padding():
    g = single("avgpool2d", (1, 3, 3), attrs={"kernel": 2, "padding": 1})
    assert run(g, X33.astype(np.float32)).tolist() == [[[[[0, 0.75], [2.25, 6]]]]]


@pytest.mark.parametrize("op, fn", [("avgpool2d", F.avg_pool2d), ("maxpool2d", F.max_pool2d)])
@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 2, 1), ((3, 2), (1, 2), (1, 0))])
def test_pool_matches_torch(op, fn, kernel, stride, padding):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 4, 7, 6)).astype(np.float32)
    g = single(op, (4, 7, 6), attrs={"kernel": kernel, "stride": stride, "padding": padding})
    want = fn(torch.from_numpy(x.reshape(6, 4, 7, 6)), kernel, stride, padding).numpy()
    np.testing.assert_allclose(run(g, x).reshape(want.shape), want, rtol=1e-6, atol=1e-6)


def test_flatten_and_reshape_are_row_major():
    g = Graph("g")
    g.add("input", attrs={"shape": (2, 2, 3), "dtype": "int<8>"}, name="x")
    f = g.add("flatten", ["x"], attrs={"start": 1}, name="f")
    r = g.add("reshape", [f], attrs={"shape": (3, 4)}, name="r")
    g.add("output", [r], name="y")
    x = np.arange(24).reshape(2, 1, 2, 2, 3)
    y, tr = run(g, x, trace=True)
    assert tr["f"].shape == (2, 1, 2, 6) and tr["f"][1, 0, 1].tolist() == [18, 19, 20, 21, 22, 23]
    assert y[0, 0].tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]


def test_add_float_and_integer():
    g = Graph("g")
    for n, dt in (("a", "f32"), ("b", "spike"), ("c", "spike")):
        g.add("input", attrs={"shape": (2,), "dtype": dt}, name=n)
    s = g.add("add", ["b", "c"], name="s")
    f = g.add("add", ["a", "b", "c"], name="f")
    g.add("output", [s], name="ys")
    g.add("output", [f], name="yf")
    assert str(s.type) == "uint<2>[2]" and str(f.type) == "f32[2]"
    out = run(g, {"a": arr([[[0.5, -1.0]]]), "b": np.array([[[1, 1]]]), "c": np.array([[[0, 1]]])})
    assert out["ys"].dtype == np.int64 and out["ys"].tolist() == [[[1, 2]]]
    assert out["yf"].dtype == np.float32 and out["yf"].tolist() == [[[1.5, 1.0]]]


def test_scale_and_affine_float_per_timestep():
    x = arr([[[1, 2]], [[3, 4]], [[5, 6]]])
    g = single("scale", (2,), params={"scale": arr([[2.0], [0.5]])})
    assert run(g, x).tolist() == [[[2, 4]], [[1.5, 2]], [[10, 12]]]
    g = single("affine", (2,), params={"scale": arr([[1.0, -1.0]]), "bias": arr([[0.5], [0.0]])})
    assert run(g, x).tolist() == [[[1.5, -1.5]], [[3, -4]], [[5.5, -5.5]]]


def test_scale_and_affine_integer_shift_floors():
    x = np.array([-5, -1, 3, 7]).reshape(1, 1, 4)
    # (3·x) >> 2: -15 → -4 (floor of -3.75), -3 → -1, 9 → 2, 21 → 5
    g = single("scale", (4,), "int<8>", attrs={"shift": 2}, params={"scale": np.array([[3]], np.int16)})
    assert run(g, x).tolist() == [[[-4, -1, 2, 5]]] and g["n"].type.dtype.is_integer
    g = single("affine", (4,), "int<8>", attrs={"shift": 2},
               params={"scale": np.array([[3]], np.int16), "bias": np.array([[1, 1, -1, -1]], np.int16)})
    assert run(g, x).tolist() == [[[-3, 0, 1, 4]]]


def test_batchnorm_hand_values_both_axes():
    # var + eps = [4, 0.25] → sqrt = [2, 0.5]
    params = {"mean": arr([1, -1]), "var": arr([3.75, 0.0]), "weight": arr([2, 1]), "bias": arr([0, 1])}
    g = single("batchnorm", (2, 2), attrs={"eps": 0.25, "axis": 0}, params=params)
    # channel 0: (3-1)/2·2 = 2, (5-1)/2·2 = 4;  channel 1: (0+1)/.5 + 1 = 3, (-2+1)/.5 + 1 = -1
    assert run(g, arr([[[[3, 5], [0, -2]]]])).tolist() == [[[[2, 4], [3, -1]]]]
    g = single("batchnorm", (2, 2), attrs={"eps": 0.25, "axis": -1}, params=params)
    assert run(g, arr([[[[3, 0], [5, -2]]]])).tolist() == [[[[2, 3], [4, -1]]]]


def test_batchnorm_matches_torch():
    rng = np.random.default_rng(5)
    p = {"mean": rng.normal(size=4), "var": rng.uniform(0.1, 2, 4), "weight": rng.normal(size=4),
         "bias": rng.normal(size=4)}
    p = {k: v.astype(np.float32) for k, v in p.items()}
    g = single("batchnorm", (4, 3, 3), params=p)
    x = rng.normal(size=(2, 3, 4, 3, 3)).astype(np.float32)
    want = F.batch_norm(torch.from_numpy(x.reshape(6, 4, 3, 3)), torch.from_numpy(p["mean"]),
                        torch.from_numpy(p["var"]), torch.from_numpy(p["weight"]), torch.from_numpy(p["bias"]),
                        training=False, eps=1e-5).numpy()
    np.testing.assert_allclose(run(g, x).reshape(want.shape), want, rtol=1e-5, atol=1e-6)
