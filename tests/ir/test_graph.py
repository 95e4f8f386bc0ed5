import numpy as np
import pytest

from snnc.ir import Graph, VerifyError, verify


def mlp():
    g = Graph("mlp", {"dt": 1e-3})
    x = g.add("input", attrs={"shape": (6,), "dtype": "spike"}, name="x")
    w = np.array([[1, -1, 0, 1, 0, 0], [0, 1, 1, -1, 1, 0], [1, 1, 1, 1, 1, 1]], np.int8)
    fc = g.add("linear", [x], params={"weight": w}, name="fc")
    lif = g.add("lif_int", [fc], params={"leak": np.full((1, 1), 3, np.int32),
                                         "threshold": np.full((1, 3), 2, np.int32)},
                attrs={"shift": 2, "state_bits": 8}, name="lif")
    g.add("output", [lif], name="y")
    return g


def test_build_and_infer():
    g = mlp()
    verify(g)
    assert [n.name for n in g] == ["x", "fc", "lif", "y"]
    assert str(g["fc"].type) == "int<4>[3]"     # row 3 sums to 6 at most; row 2 reaches -1
    assert g["lif"].attrs["reset"] == "subtract"  # defaults are filled in (canonical attributes)
    assert g.param("fc", "weight").dtype == np.int8
    assert [n.name for n in g.users("fc")] == ["lif"]


def test_linear_range_analysis_uses_actual_weights():
    g = Graph("g")
    x = g.add("input", attrs={"shape": (4,), "dtype": "uint<3>"})
    fc = g.add("linear", [x], params={"weight": np.array([[1, 1, 1, 1]], np.int8)})
    assert fc.type.dtype.range() == (0, 31)      # 4 · 7 = 28 → uint<5>
    bank = np.array([[[1, 0, 0, 0]], [[-1, -1, -1, -1]]], np.int8)   # T_w = 2
    fc2 = g.add("linear", [x], params={"weight": bank})
    lo, hi = fc2.type.dtype.range()
    assert lo <= -28 and hi >= 7 and str(fc2.type.dtype) == "int<6>"


def test_unique_names_and_params():
    g = mlp()
    n = g.add("lif_int", ["fc"], params={"leak": "lif.leak", "threshold": "lif.threshold"},
              attrs={"shift": 2, "state_bits": 8}, name="lif")
    assert n.name == "lif_1" and n.params["leak"] == "lif.leak"
    k = g.add_param("fc.weight", np.zeros((2, 2), np.float32))
    assert k == "fc.weight_1"


def test_replace_all_uses_and_remove():
    g = mlp()
    new = g.add("lif_int", ["fc"], params={"leak": "lif.leak", "threshold": "lif.threshold"},
                attrs={"shift": 1, "state_bits": 8}, name="lif2", after="lif")
    assert g.replace_all_uses_with("lif", new) == 1
    g.remove("lif")
    assert [n.name for n in g] == ["x", "fc", "lif2", "y"]
    verify(g)
    with pytest.raises(VerifyError, match="still used"):
        g.remove("fc")


def test_insert_before():
    g = mlp()
    g.add("threshold", ["fc"], params={"threshold": np.ones((1, 1), np.int32)}, name="th", before="lif")
    assert [n.name for n in g][:3] == ["x", "fc", "th"]


def test_copy_is_deep_and_equal():
    g = mlp()
    h = g.copy()
    assert h == g
    h.params["fc.weight"][0, 0] = 0
    assert h != g and g.params["fc.weight"][0, 0] == 1
    h = g.copy()
    h["lif"].attrs["shift"] = 3
    assert h != g


def test_prune_params():
    g = mlp()
    g.add_param("unused", np.zeros(2, np.float32))
    assert g.prune_params() == ["unused"]


def test_add_rejects_undefined_operand_and_unknown_op():
    g = mlp()
    with pytest.raises(VerifyError, match="not defined"):
        g.add("output", ["nope"])
    with pytest.raises(VerifyError, match="unknown op"):
        g.add("softmax", ["fc"])
    with pytest.raises(VerifyError, match="no attribute"):
        g.add("flatten", ["fc"], attrs={"axis": 1})
    assert "softmax" not in g and "flatten" not in g
