"""The interpreter as a whole: kernels table, trace, several inputs and outputs, input checks,
encode_inputs, and errors that name the node."""
import subprocess
import sys

import numpy as np
import pytest

from refhelp import arr, p1, seq, single
from snnc.backends.reference import KERNELS, ExecutionError, InputError, encode_inputs, run
from snnc.ir import OPS, Graph, IRError, TensorType, int_


def test_every_op_has_a_kernel():
    assert set(KERNELS) == set(OPS)


def test_backend_does_not_import_torch():
    code = ("import sys, numpy as np; from snnc.backends import reference; from snnc.ir import Graph; "
            "g = Graph('g'); g.add('input', attrs={'shape': (2,), 'dtype': 'f32'}, name='x'); "
            "g.add('output', ['x'], name='y'); reference.run(g, np.zeros((1, 1, 2), np.float32)); "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def two_layer():
    g = Graph("net")
    g.add("input", attrs={"shape": (2,), "dtype": "f32"}, name="x")
    fc = g.add("linear", ["x"], params={"weight": arr([[1, 1], [1, -1]])}, name="fc")
    sp = g.add("lif", [fc], params={"beta": p1(0.5), "threshold": p1(1.0)}, name="sp")
    fc2 = g.add("linear", [sp], params={"weight": arr([[1, 1]])}, name="fc2")
    ro = g.add("cuba_lif", [fc2], params={"alpha": p1(0.5), "beta": p1(0.5), "threshold": p1(1.5)}, name="ro")
    g.add("output", [ro], name="out")
    return g


def test_trace_holds_every_node_and_state():
    g = two_layer()
    x = arr([[[1.0, 0.0]], [[0.5, -0.5]], [[0.0, 0.0]]])
    y, tr = run(g, x, trace=True)
    assert set(tr) == {"x", "fc", "sp", "sp#v", "fc2", "ro", "ro#v", "ro#i", "out"}
    assert all(v.shape[:2] == (3, 1) for v in tr.values())
    assert tr["fc"].tolist() == [[[1, 1]], [[0, 1]], [[0, 0]]]
    # sp (β .5, θ 1): n0 h = 1 fire → 0 | 0 | 0;  n1 h = 1 fire → 0 | 1 fire → 0 | 0
    assert tr["sp"].tolist() == [[[1, 1]], [[0, 1]], [[0, 0]]]
    assert tr["sp#v"].tolist() == [[[0, 0]], [[0, 0]], [[0, 0]]]
    assert tr["fc2"].ravel().tolist() == [2, 1, 0]
    # ro (α .5, β .5, θ 1.5): i = 2 | 1 + 1 = 2 | 1;  h = 2 fire → .5 | .25 + 2 = 2.25 fire → .75 | 1.375
    assert tr["ro#i"].ravel().tolist() == [2, 2, 1] and tr["ro#v"].ravel().tolist() == [0.5, 0.75, 1.375]
    assert y.ravel().tolist() == [1, 1, 0]
    assert np.array_equal(tr["out"], y) and np.array_equal(tr["ro"], y)
    assert run(g, x).tolist() == y.tolist()


def test_multi_input_multi_output():
    g = Graph("g")
    g.add("input", attrs={"shape": (2,), "dtype": "int<8>"}, name="a")
    g.add("input", attrs={"shape": (2,), "dtype": "spike"}, name="b")
    s = g.add("add", ["a", "b"], name="s")
    t = g.add("threshold", [s], params={"threshold": p1(2, np.int8)}, name="t")
    g.add("output", [s], name="sum")
    g.add("output", [t], name="spk")
    out = run(g, {"b": np.array([[[1, 0]]]), "a": np.array([[[1, 5]]])})
    assert set(out) == {"sum", "spk"}
    assert out["sum"].tolist() == [[[2, 5]]] and out["spk"].tolist() == [[[1, 1]]]
    with pytest.raises(InputError, match="2 inputs"):
        run(g, np.zeros((1, 1, 2)))
    with pytest.raises(InputError, match="missing b"):
        run(g, {"a": np.zeros((1, 1, 2))})
    with pytest.raises(InputError, match="unknown c"):
        run(g, {"a": np.zeros((1, 1, 2)), "b": np.zeros((1, 1, 2)), "c": 1})
    with pytest.raises(InputError, match="share T and B"):
        run(g, {"a": np.zeros((1, 1, 2)), "b": np.zeros((2, 1, 2))})


@pytest.mark.parametrize("x, match", [
    (np.zeros((4, 2)), r"expects an array \[T, B, 1, 3\] of int<4>; got shape \[4, 2\]"),
    (np.zeros((1, 1, 1, 2)), "got shape"),
    (np.full((1, 1, 1, 3), 0.5), "non-integer"),
    (np.full((1, 1, 1, 3), 8), r"in \[-8, 7\]"),
    (np.array([[[["a", "b", "c"]]]]), "array of <U1"),
])
def test_input_errors_name_the_input(x, match):
    g = single("flatten", (1, 3), "int<4>")
    with pytest.raises(InputError, match=match) as e:
        run(g, x)
    assert e.value.node == "x" and isinstance(e.value, ValueError)


def test_integer_input_accepts_integral_floats():
    g = single("flatten", (1, 3), "int<4>")
    y = run(g, np.array([[[[1.0, -2.0, 7.0]]]]))
    assert y.dtype == np.int64 and y.tolist() == [[[1, -2, 7]]]


def test_encode_inputs():
    g = single("flatten", (1, 4), "uint<4>", x_scale=0.5)
    # x / 0.5, half to even, clipped to 0..15
    assert encode_inputs(g, np.array([[[[0.25, 0.75, 1.3, 9.0]]]])).tolist() == [[[[0, 2, 3, 15]]]]
    gfix = single("flatten", (1, 3), "fixed<8,2>")
    # step 2^-2: 0.375 / 0.25 = 1.5 → 2 (even), -0.125 → -0.5 → -0, 100 → 127
    assert encode_inputs(gfix, np.array([[[[0.375, -0.125, 100.0]]]])).tolist() == [[[[2, 0, 127]]]]
    gf = single("flatten", (1, 2), "f32")
    out = encode_inputs(gf, np.array([[[[0.1, 2.0]]]]))
    assert out.dtype == np.float32 and out.tolist() == np.float32([[[[0.1, 2.0]]]]).tolist()
    gs = single("flatten", (1, 2), "spike")
    assert encode_inputs(gs, np.array([[[[1.0, 0.0]]]])).dtype == np.int64
    with pytest.raises(InputError, match="0/1"):
        encode_inputs(gs, np.array([[[[0.5, 0.0]]]]))
    with pytest.raises(InputError, match="NaN"):
        encode_inputs(g, np.full((1, 1, 1, 4), np.nan))


def test_encode_inputs_dict_round_trips_into_run():
    g = Graph("g")
    g.add("input", attrs={"shape": (2,), "dtype": "int<8>", "scale": 0.1}, name="a")
    g.add("input", attrs={"shape": (2,), "dtype": "f32"}, name="b")
    s = g.add("add", ["a", "b"])
    g.add("output", [s], name="y")
    enc = encode_inputs(g, {"a": np.array([[[1.0, -20.0]]]), "b": np.array([[[0.5, 0.5]]])})
    assert enc["a"].tolist() == [[[10, -128]]]
    assert run(g, enc).tolist() == [[[10.5, -127.5]]]


def test_declared_integer_range_violation_names_node_and_step():
    # a linear whose declared type is narrower than its sums: the interpreter catches it
    g = Graph("g")
    g.add("input", attrs={"shape": (2,), "dtype": "uint<4>"}, name="x")
    fc = g.add("linear", ["x"], params={"weight": np.array([[1, 1]], np.int8)}, name="fc",
               type=TensorType((1,), int_(4)))
    g.add("output", [fc], name="y")
    x = np.array([[[1, 2]], [[3, 4]], [[7, 7]]])
    with pytest.raises(ExecutionError) as e:
        run(g, x)
    err = e.value
    # sums 3 and 7 fit int<4> = [-8, 7]; 7 + 7 = 14 at timestep 2 does not
    assert err.node == "fc" and err.timestep == 2 and isinstance(err, IRError)
    assert str(err).startswith("node %fc (linear), timestep 2: value 14 leaves the range of its type "
                               "int<4>, [-8, 7]")


def test_kernel_failure_is_tagged_with_the_node():
    g = single("linear", (3,), params={"weight": arr([[1, 0, -1]])})
    g.params[g["n"].params["weight"]] = arr([[1, 0]])       # corrupted after verification
    with pytest.raises(ExecutionError) as e:
        run(g, np.zeros((1, 1, 3), np.float32))
    assert e.value.node == "n" and str(e.value).startswith("node %n (linear):")
    assert isinstance(e.value.__cause__, ValueError)


def test_node_without_type_is_reported():
    g = single("flatten", (1, 2))
    g["n"].type = None
    with pytest.raises(ExecutionError, match="no result type") as e:
        run(g, np.zeros((1, 1, 1, 2), np.float32))
    assert e.value.node == "n"


def test_values_are_float32_or_int64():
    g = single("lif", (1,), params={"beta": p1(0.5), "threshold": p1(1.0)})
    y, tr = run(g, seq([1.0, 0.5], np.float64), trace=True)
    assert tr["x"].dtype == np.float32 and tr["n#v"].dtype == np.float32 and y.dtype == np.int64


def test_operand_out_of_order_is_reported():
    g = single("flatten", (1, 2))
    g["y"].operands = ["nowhere"]
    with pytest.raises(ExecutionError, match="operand %nowhere") as e:
        run(g, np.zeros((1, 1, 1, 2), np.float32))
    assert e.value.node == "y"


def test_operand_used_twice_without_trace():
    import numpy as np

    from snnc.backends.reference import run
    from snnc.ir import Graph

    g = Graph("g")
    x = g.add("input", attrs={"shape": (3, 2), "dtype": "spike"})
    m = g.add("spike_matmul", [x, x], attrs={"transpose_a": True})
    g.add("output", [m])
    s = np.array([[[[1, 0], [1, 1], [0, 1]]]], np.int64)        # T=1, B=1
    y = run(g, s)
    assert y[0, 0].tolist() == [[2, 1], [1, 2]]
