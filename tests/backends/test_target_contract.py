"""The target contract as the README states it: the capability matrix is generated from the
targets' op tables and declarations, never kept by hand."""
import re

import numpy as np
import pytest
from pathlib import Path

import snnc.backends  # noqa: F401  (registers every target)
from snnc.backends import get_target
from snnc.ir import Graph
from snnc.backends.target import TARGETS, TargetError, capability_matrix

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"<!-- capability-matrix:[^\n]*-->\n(.*?)<!-- /capability-matrix -->", re.S)
REGENERATE = 'python -c "from snnc.backends.target import capability_matrix as m; print(m(), end=\'\')"'


def test_readme_matrix_is_the_generated_one():
    found = BLOCK.search(README.read_text(encoding="utf-8"))
    assert found, "README.md lost its capability-matrix block"
    assert found.group(1) == capability_matrix(), f"README capability matrix is stale: paste the output of {REGENERATE}"


def test_matrix_has_a_row_per_target_and_op():
    text = capability_matrix()
    for name in TARGETS:
        assert re.search(rf"^\| {name} \|", text, re.M)
    ops = {op.removesuffix("_int") for t in TARGETS.values() for op in t.ops} - {"input", "output"}
    for op in ops:
        assert f"| `{op}` |" in text


def test_op_cells_follow_the_op_tables():
    for t in (cls() for cls in TARGETS.values()):
        for op in t.ops - {"input", "output"}:
            assert t.op_text(op.removesuffix("_int")) in ("yes", "integer form", "in patterns")
        assert t.op_text("no_such_op") == "—"
        assert t.accepts("conv2d") == (t.feature_text("conv") == "yes")


def _lif_graph():
    g = Graph("hint")
    g.add("input", attrs={"shape": (3,), "dtype": "spike"}, name="x")
    g.add("linear", ["x"], params={"weight": np.ones((2, 3), np.float32)}, name="fc")
    g.add("lif", ["fc"], params={"beta": np.full((1, 2), 0.5, np.float32),
                                 "threshold": np.ones((1, 2), np.float32)}, name="n")
    g.add("output", ["n"], name="y")
    return g


def test_a_float_op_on_an_integer_target_names_integerize():
    with pytest.raises(TargetError, match=r"%n \(op lif\); it is a float op .* runs integerize"):
        get_target("cpu").check(_lif_graph())


def test_loihi_names_its_own_reason_for_an_op_outside_its_table():
    g = Graph("pool")
    g.add("input", attrs={"shape": (1, 4, 4), "dtype": "spike"}, name="x")
    g.add("avgpool2d", ["x"], {"kernel": (2, 2)}, name="p")
    g.add("output", ["p"], name="y")
    with pytest.raises(TargetError, match=r"%p \(op avgpool2d\); average pooling of spikes gives graded values"):
        get_target("loihi").check(g)
