"""Text-IR pass cases: every ``cases/<pass>/<case>.in.snnir`` (with its pipeline in the first
line, ``# pipeline: …``) becomes, after that pipeline, exactly ``<case>.out.snnir`` (graph
equality: structure, types and parameter arrays)."""
import difflib
import re
from pathlib import Path

import numpy as np
import pytest

import make_cases
from snnc.ir import load, print_graph
from snnc.passes import run_pipeline

HERE = Path(__file__).parent / "cases"
INPUTS = sorted(HERE.glob("*/*.in.snnir"))
PIPELINE = re.compile(r"#\s*pipeline:\s*(\S.*?)\s*$")


def describe(got, want) -> str:
    text = "\n".join(difflib.unified_diff(print_graph(want).splitlines(), print_graph(got).splitlines(),
                                          "expected", "got", lineterm=""))
    for k in sorted(set(got.params) & set(want.params)):
        a, b = got.params[k], want.params[k]
        if a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b):
            text += f"\n@{k}: got {a.dtype}{list(a.shape)} {a.ravel()[:8]} expected {b.dtype}{list(b.shape)} " \
                    f"{b.ravel()[:8]}"
    return text


@pytest.mark.parametrize("path", INPUTS, ids=[f"{p.parent.name}/{p.name[:-len('.in.snnir')]}" for p in INPUTS])
def test_case(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = PIPELINE.match(first)
    assert m, f"{path.name}: the first line must be '# pipeline: <passes>', got {first!r}"
    got = run_pipeline(load(path), m.group(1)).graph
    want = load(path.with_name(path.name.replace(".in.snnir", ".out.snnir")))
    assert got == want, describe(got, want)


def test_every_pass_has_a_case():
    from snnc.passes import PASSES
    have = {p.parent.name for p in INPUTS}
    assert {"fold-batchnorm", "fold-temporal-scale", "ptq", "lower-multispike", "dce"} <= have
    assert have <= set(PASSES), have - set(PASSES)


@pytest.mark.parametrize("key", sorted(make_cases.CASES), ids="/".join)
def test_case_files_match_their_generator(key, tmp_path):
    make_cases.write(*key, root=tmp_path)
    for suffix in (".in.snnir", ".out.snnir"):
        rel = Path(key[0]) / f"{key[1]}{suffix}"
        assert load(tmp_path / rel) == load(HERE / rel), f"cases/{rel} is stale: run tests/passes/make_cases.py"
    assert (tmp_path / rel).read_text() == (HERE / rel).read_text()
