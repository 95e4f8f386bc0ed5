"""The user's path through the command line: compile → verify → report → run, on a shipped checkpoint."""
import json

import numpy as np
import pytest

from clihelp import CHECKPOINTS, snnc

TAWQ = CHECKPOINTS / "digits_tawq_mlp.pt"


@pytest.mark.slow
def test_compile_verify_report_run(tmp_path):
    out = tmp_path / "out"                      # given as a relative path, as users do
    r = snnc("compile", TAWQ, "-t", "reference,cpu,onnx", "-o", "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["targets"]) == {"reference", "cpu", "onnx"}
    assert len(manifest["source"]["sha256"]) == 64 and manifest["timesteps"] == 4
    assert manifest["inputs"][0]["type"] == "uint<5>[64]"
    for name in ("reference", "cpu", "onnx"):
        assert (out / name / "graph.snnir").is_file()
    assert (out / "cpu" / "model.c").is_file() and (out / "onnx" / "model.onnx").is_file()

    r = snnc("verify", "out", "--dataset", "digits", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    table = r.stdout[r.stdout.index("target"):]
    for name in ("reference", "cpu", "onnx"):
        line = next(line for line in table.splitlines() if line.startswith(name))
        assert "equal" in line and "DIFFERENT" not in line and "%" in line

    r = snnc("report", out, "--dataset", "digits")
    assert r.returncode == 0, r.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["accuracy"]["cpu"] == report["accuracy"]["integer graph"] > 0.9
    assert report["totals"]["acs"] > 0 and report["totals"]["energy_pj"] < report["totals"]["ann_energy_pj"]
    assert 1.4 < report["totals"]["mean_entropy"] <= np.log2(3) + 1e-9
    assert 0.0 < report["uncertainty"] < 1.0         # MC-dropout passes of the source checkpoint
    for png in ("weight_states.png", "firing_rates.png", "raster.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| layer |" in (out / "report.md").read_text()

    x = np.random.default_rng(0).integers(0, 17, size=(4, 3, 64)) / 16.0
    np.save(tmp_path / "x.npy", x.astype(np.float32))
    r = snnc("run", out, "--target", "cpu", "--input", tmp_path / "x.npy", "--output", tmp_path / "y.npy")
    assert r.returncode == 0, r.stderr
    r2 = snnc("run", out, "--target", "reference", "--input", tmp_path / "x.npy", "--output", tmp_path / "z.npy")
    assert r2.returncode == 0, r2.stderr
    assert np.array_equal(np.load(tmp_path / "y.npy"), np.load(tmp_path / "z.npy"))


def reseal(out):
    """Rewrite the manifest's checksums after an edit (as a forger would): verify must still compare."""
    import hashlib
    m = json.loads((out / "manifest.json").read_text())
    m["files"] = {rel: hashlib.sha256((out / rel).read_bytes()).hexdigest() for rel in m["files"]}
    (out / "manifest.json").write_text(json.dumps(m))


def test_verify_detects_a_difference(tmp_path):
    """A tampered artifact must make verify fail (exit 1): the check can fail."""
    out = tmp_path / "out"
    assert snnc("compile", TAWQ, "-t", "onnx", "-o", out).returncode == 0
    from snnc.ir import load, save
    g = load(out / "onnx" / "graph.snnir")        # the golden model's graph: change one weight
    key = next(k for k in g.params if k.endswith("weight"))
    g.params[key] = -g.params[key]                 # negate one layer's weights
    save(g, out / "onnx" / "graph.snnir")
    r = snnc("verify", out, "--dataset", "digits")            # the checksums name the edited file
    assert r.returncode == 1 and "onnx/graph.npz was edited after compilation" in r.stderr
    reseal(out)                                               # a consistent folder whose numbers differ
    r = snnc("verify", out, "--dataset", "digits")
    assert r.returncode == 1 and "DIFFERENT" in r.stdout


def test_loihi_refuses_tawq_with_the_way_out(tmp_path):
    r = snnc("compile", TAWQ, "-t", "loihi", "-o", tmp_path / "out")
    assert r.returncode == 1 and "collapse" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()
    r = snnc("compile", TAWQ, "-t", "loihi", "--temporal-weights", "collapse", "-o", tmp_path / "out")
    assert r.returncode == 0, r.stderr


def test_nir_file_with_the_input_declared_compiles_and_verifies(tmp_path):
    import nirgraphs
    from clihelp import assert_clean_error
    src = nirgraphs.write_mlp(tmp_path / "m.nir")
    assert_clean_error(snnc("compile", src, "-t", "cpu", "-o", tmp_path / "bad"), "-T/--timesteps")
    assert_clean_error(snnc("compile", src, "-t", "cpu", "-T", "4", "-o", tmp_path / "bad"), "--input-range",
                       "--input-type spike")
    assert_clean_error(snnc("compile", src, "-t", "cpu", "-T", "4", "--input-type", "f9", "-o", tmp_path / "bad"),
                       "--input-type")
    assert not (tmp_path / "bad").exists()
    r = snnc("compile", src, "-t", "cpu,loihi", "-T", "4", "--input-type", "spike", "-o", tmp_path / "out", "-q")
    assert r.returncode == 0, r.stderr
    r = snnc("verify", tmp_path / "out")
    assert r.returncode == 0 and "equal" in r.stdout, r.stdout + r.stderr
    r = snnc("report", tmp_path / "out")   # random spikes as the input says, ternary weights at 2 bits
    assert r.returncode == 0, r.stderr
    layers = json.loads((tmp_path / "out" / "report.json").read_text())["layers"]
    assert [row["weight_bits"] for row in layers if row["op"] == "linear"] == [2.0, 2.0]
