"""Bad input at the command line: one clear line, a non-zero exit, no traceback, nothing left behind."""
from pathlib import Path

import numpy as np

from clihelp import CHECKPOINTS, EXAMPLE_IR, assert_clean_error, snnc


def test_help_and_version():
    r = snnc("--help")
    assert r.returncode == 0 and "compile" in r.stdout and "verify" in r.stdout and "report" in r.stdout
    r = snnc("--version")
    assert r.returncode == 0 and r.stdout.startswith("snnc ")


def test_truncated_snnir(tmp_path):
    text = EXAMPLE_IR.read_text()
    bad = tmp_path / "cut.snnir"
    bad.write_text(text[: len(text) // 2])
    (tmp_path / "cut.npz").write_bytes(EXAMPLE_IR.with_suffix(".npz").read_bytes())
    r = snnc("ir", "verify", bad)
    assert_clean_error(r, "line")
    out = tmp_path / "out"
    r = snnc("compile", bad, "-t", "reference", "-o", out)
    assert_clean_error(r, "line")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["cut.npz", "cut.snnir"]


def test_wrong_input_shape(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((4, 2, 15), np.float32))
    r = snnc("run", EXAMPLE_IR, "--input", tmp_path / "x.npy")
    assert_clean_error(r, "shape", "16")


def test_input_not_npy(tmp_path):
    (tmp_path / "x.npy").write_bytes(b"\x93NUMPY garbage")
    r = snnc("run", EXAMPLE_IR, "--input", tmp_path / "x.npy")
    assert_clean_error(r, "x.npy")


def test_unknown_target(tmp_path):
    out = tmp_path / "out"
    r = snnc("compile", EXAMPLE_IR, "-t", "reference,fpga", "-o", out)
    assert_clean_error(r, "unknown target", "fpga")
    assert not out.exists()


def test_unwritable_output_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        probe = locked / "probe"
        try:
            probe.mkdir()
            probe.rmdir()
            locked = Path("/proc/snnc-unwritable")     # root writes anywhere but in /proc
        except PermissionError:
            pass
        r = snnc("compile", EXAMPLE_IR, "-t", "reference", "-o", locked / "out")
        assert_clean_error(r, "cannot write", str(locked))
        assert not (locked / "out").exists()
    finally:
        (tmp_path / "locked").chmod(0o700)


def test_output_folder_is_a_file(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("mine")
    r = snnc("compile", EXAMPLE_IR, "-t", "reference", "-o", target)
    assert_clean_error(r, "not an snnc output folder")
    assert target.read_text() == "mine"


def test_output_inside_a_file(tmp_path):
    (tmp_path / "file.txt").write_text("mine")
    r = snnc("compile", EXAMPLE_IR, "-t", "reference", "-o", tmp_path / "file.txt" / "out")
    assert_clean_error(r, "cannot write")


def test_corrupted_checkpoint(tmp_path):
    bad = tmp_path / "model.pt"
    bad.write_bytes(b"PK\x03\x04 this is not a checkpoint" * 10)
    out = tmp_path / "out"
    r = snnc("compile", bad, "-t", "reference", "-o", out)
    assert_clean_error(r, "model.pt")
    assert not out.exists()


def test_missing_source(tmp_path):
    r = snnc("compile", tmp_path / "nope.pt", "-t", "reference", "-o", tmp_path / "out")
    assert_clean_error(r, "nope.pt")


def test_missing_c_compiler(tmp_path):
    ckpts = sorted(CHECKPOINTS.glob("*.pt"))
    source = ckpts[0] if ckpts else EXAMPLE_IR
    out = tmp_path / "out"
    r = snnc("compile", source, "-t", "cpu", "-o", out, env={"CC": str(tmp_path / "no-such-cc")})
    if r.returncode == 0:          # compiling only writes C; running needs the compiler
        r = snnc("verify", out, env={"CC": str(tmp_path / "no-such-cc")})
        assert "no-such-cc" in (r.stdout + r.stderr)
    else:
        assert_clean_error(r, "no-such-cc")
        assert not out.exists()


def test_debug_shows_traceback(tmp_path):
    r = snnc("--debug", "ir", "verify", tmp_path / "missing.snnir")
    assert r.returncode != 0 and "Traceback" in r.stderr
