"""The target contract as the README states it: the capability matrix is generated from the
targets' op tables and declarations, never kept by hand."""
import re
from pathlib import Path

import snnc.backends  # noqa: F401  (registers every target)
from snnc.backends.target import TARGETS, capability_matrix

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
