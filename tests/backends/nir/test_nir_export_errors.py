"""What NIR export refuses, and how it says so (errors name the node and the way out)."""
import numpy as np
import pytest

from snnc.backends.nir import NIRExportError, to_nir
from snnc.ir import Graph, IRError

F = np.float32


def base(shape=(4,), dtype="f32"):
    g = Graph("bad", {"dt": 1e-3})
    return g, g.add("input", [], {"shape": shape, "dtype": dtype}, name="x")


def refuses(g, node, *words):
    with pytest.raises(NIRExportError) as e:
        to_nir(g)
    assert isinstance(e.value, IRError) and e.value.node == node
    msg = str(e.value)
    assert f"%{node}" in msg
    for w in words:
        assert w in msg, msg
    return msg


def lif(g, x, name="n", **params):
    p = {"beta": F([[0.9]]), "threshold": F([[1.0]])}
    p.update(params)
    return g.add("lif", [x], params=p, name=name)


def test_batchnorm_says_fold_first():
    g, x = base((3, 4, 4))
    y = g.add("batchnorm", [x], params={r: np.ones(3, F) for r in ("mean", "var", "weight", "bias")}, name="bn")
    g.add("output", [y], name="y")
    refuses(g, "bn", "fold-batchnorm")


def test_maxpool():
    g, x = base((2, 4, 4), "spike")
    g.add("output", [g.add("maxpool2d", [x], {"kernel": (2, 2)}, name="mp")], name="y")
    refuses(g, "mp", "max pooling")


def test_spike_matmul():
    g = Graph("att", {})
    q = g.add("input", [], {"shape": (4, 8), "dtype": "spike"}, name="q")
    k = g.add("input", [], {"shape": (4, 8), "dtype": "spike"}, name="k")
    g.add("output", [g.add("spike_matmul", [q, k], {"transpose_b": True}, name="qk")], name="y")
    refuses(g, "qk", "spike_matmul", "target")


def test_multispike():
    g, x = base()
    g.add("output", [g.add("multispike", [x], {"D": 4}, name="ms")], name="y")
    refuses(g, "ms", "lower-multispike")


def test_integer_neuron():
    g, x = base((4,), "int<8>")
    y = g.add("lif_int", [x], params={"leak": np.array([[3]], np.int32), "threshold": np.array([[8]], np.int32)},
              name="ni")
    g.add("output", [y], name="y")
    refuses(g, "ni", "integerize")


def test_integer_scale_with_shift():
    g, x = base((4,), "int<8>")
    y = g.add("scale", [x], {"shift": 2}, {"scale": np.array([[3]], np.int32)}, name="s")
    g.add("output", [y], name="y")
    refuses(g, "s", "shift")


def test_reshape_that_is_not_a_flatten():
    g, x = base((12,))
    g.add("output", [g.add("reshape", [x], {"shape": (3, 4)}, name="r")], name="y")
    refuses(g, "r", "reshape", "nir.Flatten")


def test_time_varying_weight_bank():
    g, x = base()
    y = g.add("linear", [x], params={"weight": np.ones((4, 3, 4), np.int8), "scale": F([[0.5]])}, name="tawq")
    g.add("output", [y], name="y")
    refuses(g, "tawq", "time-varying", "static")


def test_time_varying_parameter():
    g, x = base()
    y = lif(g, x, beta=F([[0.9], [0.8]]))
    g.add("output", [y], name="y")
    refuses(g, "n", "beta", "T_p = 2")


def test_per_position_conv_scale():
    g, x = base((1, 4, 4))
    y = g.add("conv2d", [x], params={"weight": np.ones((2, 1, 3, 3), F), "scale": np.ones((1, 2, 2, 2), F)},
              name="c")
    g.add("output", [y], name="y")
    refuses(g, "c", "per-channel")


@pytest.mark.parametrize("attrs, weight, word", [({"groups": 2}, (2, 1, 3, 3), "groups"),
                                                  ({}, (2, 2, 3, 1), "square")])
def test_conv_shapes_nir_cannot_type(attrs, weight, word):
    g, x = base((2, 5, 5))
    y = g.add("conv2d", [x], attrs, {"weight": np.ones(weight, F)}, name="c")
    g.add("output", [y], name="y")
    refuses(g, "c", word, "type check")


def test_affine_not_in_front_of_a_neuron():
    g, x = base()
    a = g.add("affine", [x], params={"scale": F([[2.0]]), "bias": F([[0.1]])}, name="a")
    g.add("output", [a], name="y")
    refuses(g, "a", "affine", "folded")


def test_affine_bias_cannot_fold_into_if():
    g, x = base()
    a = g.add("affine", [x], params={"scale": F([[2.0]]), "bias": F([[0.1]])}, name="a")
    y = g.add("if", [a], params={"threshold": F([[1.0]])}, name="n")
    g.add("output", [y], name="y")
    refuses(g, "a", "v_leak")


def test_dead_node():
    g, x = base()
    lif(g, x, name="dead")
    g.add("output", [x], name="y")
    refuses(g, "dead", "dce")


def test_add_of_a_value_to_itself():
    g, x = base()
    g.add("output", [g.add("add", [x, x], name="twice")], name="y")
    refuses(g, "twice", "duplicate edges")


def test_scalar_values():
    g = Graph("scalar", {})
    x = g.add("input", [], {"shape": (), "dtype": "f32"}, name="x")
    g.add("output", [x], name="y")
    refuses(g, "x", "scalar", "[1]")


def test_bad_dt():
    g, x = base()
    g.attrs["dt"] = 0.0
    g.add("output", [x], name="y")
    with pytest.raises(NIRExportError, match="dt"):
        to_nir(g)
