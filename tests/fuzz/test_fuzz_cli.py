"""Random command lines and option values: every failure is one line ``snnc: error: …`` on stderr
with exit 1 (input) or 2 (usage) — never a traceback, an internal error or a hang — and a failed
compile writes nothing."""
import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzzhelp import examples, record, time_limit
from snnc.cli import main

EXAMPLE_IR = Path(__file__).resolve().parents[2] / "examples" / "ir" / "spiking_mlp.snnir"
VALUES = ["0", "1", "-1", "4", "64", "1000000000", "nan", "inf", "1e300", "-0.5", "true", "x", "", "none",
          "a,b", "2,2", "../x", "snn_top", "fc1:2", "17"]
OPTIONS = ["threads", "timesteps", "max_timesteps", "parallelism", "opt", "prefix", "clock_mhz", "tb_samples",
           "interface", "top", "opset", "seed", "frac_bits", "bogus", "layout"]
PASSES = ["integerize{frac_bits=%s}", "integerize{T=%s}", "integerize{input_range=%s}", "dce{x=%s}",
          "fold-batchnorm,integerize{saturate=%s}", "integerize{frac_bits=8,frac_bits=%s}", "nope{%s}"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("clifuzz")
    out = root / "compiled"
    assert main(["compile", str(EXAMPLE_IR), "-t", "reference", "-o", str(out), "-q"]) == 0
    np.save(root / "good.npy", np.zeros((4, 2, 16), np.float32))
    np.save(root / "bad.npy", np.zeros((4, 2, 15), np.float32))
    np.savez(root / "x.npz", x=np.zeros(3))
    (root / "text.npy").write_text("not an array")
    return root


@st.composite
def command_lines(draw, root: Path):
    cmd = draw(st.sampled_from(["compile", "compile", "compile", "run", "verify", "ir", "report", "bogus"]))
    val = st.sampled_from(VALUES)
    inputs = st.sampled_from([root / n for n in ("good.npy", "bad.npy", "x.npz", "text.npy", "missing.npy")])
    if cmd == "compile":
        args = ["compile", draw(st.sampled_from([EXAMPLE_IR, EXAMPLE_IR, EXAMPLE_IR, root / "good.npy",
                                                 root / "missing.pt", root]))]
        if draw(st.booleans()):
            args += ["-t", draw(st.sampled_from(["reference", "cpu", "hls", "onnx", "nir", "loihi", "cpu,onnx",
                                                 "nope", "", "reference,reference"]))]
        args += ["-o", "OUT"] if draw(st.integers(0, 9)) else []
        for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
            args += ["-O", f"{draw(st.sampled_from(OPTIONS))}={draw(val)}"]
        if draw(st.integers(0, 3)) == 0:
            args += ["-T", draw(st.sampled_from(VALUES + ["4", "8"]))]
        if draw(st.integers(0, 3)) == 0:
            args += ["--passes", draw(st.sampled_from(PASSES)) % draw(val)]
        if draw(st.integers(0, 4)) == 0:
            args += ["--max-params", draw(val)]
    elif cmd in ("run", "verify"):
        args = [cmd, draw(st.sampled_from([root / "compiled", EXAMPLE_IR, root / "missing", root / "good.npy"]))]
        if draw(st.booleans()):
            args += ["--input", draw(inputs)]
        if cmd == "verify" and draw(st.booleans()):
            args += [draw(st.sampled_from(["--dataset", "--batch"])), draw(st.sampled_from(VALUES + ["digits"]))]
    elif cmd == "ir":
        args = ["ir", draw(st.sampled_from(["print", "verify", "passes", "x"])),
                draw(st.sampled_from([EXAMPLE_IR, root / "good.npy", root / "missing.snnir"]))]
    else:
        args = [cmd] + draw(st.lists(val, max_size=3))
    return [str(a) for a in args]


@settings(max_examples=examples(40), deadline=None)
@given(st.data())
def test_random_command_lines(files, tmp_path_factory, data):
    argv = data.draw(command_lines(files))
    out = tmp_path_factory.mktemp("o") / "out"
    argv = [str(out) if a == "OUT" else a for a in argv]
    stderr = io.StringIO()
    with time_limit("cli", 120), redirect_stderr(stderr), redirect_stdout(io.StringIO()):
        rc = main(argv)
    err = stderr.getvalue()
    assert rc in (0, 1, 2), (argv, rc, err)
    record("cli", {0: "ok", 1: "input error (exit 1)", 2: "usage error (exit 2)"}[rc])
    if rc != 0:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("snnc: error: "), (argv, err)
        if argv[0] == "compile":
            assert not out.exists(), f"a failed compile left {out}: {argv}"
    shutil.rmtree(out, ignore_errors=True)
