"""Hostile input at the command line (issue 12): one line ``snnc: error: …`` on stderr, exit 2 for
usage and 1 for input, no traceback, no warning text (unless --debug), nothing written on failure.
In-process (`snnc.cli.main`) for speed; the subprocess path is covered by test_cli_errors."""
import json
import warnings

import numpy as np
import pytest
import torch

from clihelp import CHECKPOINTS, EXAMPLE_IR
from snnc import models
from snnc.checkpoint import FORMAT, VERSION, checksum
from snnc.cli import main, run_cmd

TAWQ = CHECKPOINTS / "digits_tawq_mlp.pt"


def cli(capsys, *args):
    rc = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def one_line(err, *words):
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("snnc: error: "), err
    assert "Traceback" not in err and "Warning" not in err, err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


@pytest.mark.parametrize("args, words", [
    ((), None),                                                      # no command: help, exit 2
    (("compile",), "the following arguments are required: source, -o/--out"),
    (("compile", "x.pt", "-o", "o", "--bogus"), "unrecognized arguments: --bogus"),
    (("frobnicate",), "invalid choice: 'frobnicate'"),
    (("verify", "o", "--batch", "x"), "argument --batch: 'x' is not a whole number"),
    (("verify", "o", "--batch", "0"), "argument --batch: 0 is outside 1..1048576"),
    (("verify", "o", "--dataset", "cifar"), "invalid choice: 'cifar'"),
    (("compile", "x.pt", "-o", "o", "--max-params", "-1"), "--max-params: -1 is outside"),
])
def test_usage_errors_are_one_line_exit_2(capsys, args, words):
    rc, out, err = cli(capsys, *args)
    assert rc == 2
    if words is not None:
        one_line(err, words, "--help")


def test_repeated_target_option(capsys, tmp_path):
    rc, _, err = cli(capsys, "compile", EXAMPLE_IR, "-t", "cpu", "-o", tmp_path / "o", "-O", "threads=2",
                     "-O", "threads=3")
    assert rc == 1 and not (tmp_path / "o").exists()
    one_line(err, "option threads is given twice")


def test_hls_timesteps_are_bounded(capsys, tmp_path):
    rc, _, err = cli(capsys, "compile", EXAMPLE_IR, "-t", "hls", "-o", tmp_path / "o", "-O", "timesteps=1000000000")
    assert rc == 1 and not (tmp_path / "o").exists()
    one_line(err, "timesteps=1000000000", "at most 1048576")


def test_hostile_pass_options(capsys, tmp_path):
    for passes, words in (("integerize{frac_bits=8,frac_bits=9}", "given twice"),
                          ("integerize{input_range=nan}", "input_range='nan'"),
                          ("integerize{T=1000000000}", "T=1000000000")):
        rc, _, err = cli(capsys, "compile", TAWQ, "-o", tmp_path / "o", "--passes", passes)
        assert rc == 1 and not (tmp_path / "o").exists()
        one_line(err, words)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "out"
    assert main(["compile", str(TAWQ), "-t", "reference", "-o", str(out), "-q"]) == 0
    return out


def test_npy_inputs_are_checked_before_reading(capsys, compiled, tmp_path):
    npz = tmp_path / "x.npz"
    np.savez(npz, x=np.zeros((4, 1, 64), np.float32))
    rc, _, err = cli(capsys, "run", compiled, "--input", npz)
    assert rc == 1
    one_line(err, "is an .npz archive; --input takes one .npy array")
    huge = tmp_path / "huge.npy"                          # the header declares 2^40 floats, the file holds 0
    header = {"descr": "<f4", "fortran_order": False, "shape": (1 << 20, 1 << 10, 1 << 10)}
    with open(huge, "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
    rc, _, err = cli(capsys, "run", compiled, "--input", huge)
    assert rc == 1
    one_line(err, "declares shape [1048576, 1024, 1024]")
    short = tmp_path / "short.npy"
    with open(short, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {**header, "shape": (4, 1, 64)})
    rc, _, err = cli(capsys, "run", compiled, "--input", short)
    one_line(err, "is truncated")
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((4, 1, 63), np.float32))
    rc, _, err = cli(capsys, "run", compiled, "--input", wrong)
    one_line(err, "has shape [4, 1, 63]", "[T, B, 64]")
    obj = tmp_path / "obj.npy"
    np.save(obj, np.array(["a", "b"]))
    rc, _, err = cli(capsys, "run", compiled, "--input", obj)
    one_line(err, "give a numeric array")


def test_verify_dataset_digits_needs_a_digits_model(capsys, tmp_path):
    out = tmp_path / "o"
    assert main(["compile", str(EXAMPLE_IR), "-t", "reference", "-o", str(out), "-q"]) == 0
    rc, _, err = cli(capsys, "verify", out, "--dataset", "digits")
    assert rc == 1
    one_line(err, "--dataset digits needs a digits model", "--input")


@pytest.mark.parametrize("edit, words", [
    (lambda m: m["targets"]["reference"].update(options=["x"]), "options and artifacts must be objects"),
    (lambda m: m["targets"]["reference"].update(pipeline=7), "needs a pipeline and a folder"),
    (lambda m: m["targets"]["reference"].update(folder="../.."), "leaves the folder"),
    (lambda m: m.update(schema=99), "schema 99"),
    (lambda m: m.pop("files"), "files must map paths"),
    (lambda m: m["targets"]["reference"]["options"].update(x={"a": 1}), "option x is not a plain value"),
])
def test_an_edited_manifest_is_refused(capsys, compiled, tmp_path, edit, words):
    import shutil
    out = tmp_path / "copy"
    shutil.copytree(compiled, out)
    m = json.loads((out / "manifest.json").read_text())
    edit(m)
    (out / "manifest.json").write_text(json.dumps(m))
    for cmd in ("verify", "run"):
        args = [cmd, out] + (["--input", tmp_path / "none.npy"] if cmd == "run" else [])
        rc, _, err = cli(capsys, *args)
        assert rc == 1
        one_line(err, "manifest.json is damaged or was edited", words)


def test_an_edited_or_missing_file_is_named(capsys, compiled, tmp_path):
    import shutil
    out = tmp_path / "copy"
    shutil.copytree(compiled, out)
    (out / "float.snnir").write_text((out / "float.snnir").read_text() + "\n")
    one_line(cli(capsys, "verify", out)[2], "float.snnir was edited after compilation")
    (out / "float.snnir").unlink()
    one_line(cli(capsys, "verify", out)[2], "float.snnir is missing")


def test_a_poisoned_checkpoint_is_one_line(capsys, tmp_path):
    m = models.build("mlp", T=4, hidden=[16])
    state = {k: v.clone() for k, v in m.state_dict().items()}
    state["layers.0.weight"][0, 0] = float("nan")
    p = tmp_path / "bad.pt"
    torch.save({"format": FORMAT, "version": VERSION, "arch": "mlp", "config": dict(m.config),
                "state_dict": state, "checksum": checksum(state), "metadata": []}, p)
    rc, _, err = cli(capsys, "compile", p, "-o", tmp_path / "o")
    assert rc == 1 and not (tmp_path / "o").exists()
    one_line(err, "metadata is a list, not a dict")


def test_warnings_are_shown_only_with_debug(capsys, tmp_path, monkeypatch):
    def noisy(args):
        warnings.warn("overflow encountered in multiply", RuntimeWarning)
        raise OSError(2, "No such file or directory", "x.npy")

    monkeypatch.setattr(run_cmd, "run", noisy)
    rc, _, err = cli(capsys, "run", "f.snnir", "--input", "x.npy")
    assert rc == 1
    one_line(err, "No such file or directory: x.npy")
    with pytest.raises(OSError):
        main(["--debug", "run", "f.snnir", "--input", "x.npy"])
    assert "snnc: warning: RuntimeWarning: overflow encountered in multiply" in capsys.readouterr().err


def test_a_bug_is_one_line_without_debug(capsys, monkeypatch):
    monkeypatch.setattr(run_cmd, "run", lambda args: {}["missing"])
    rc, _, err = cli(capsys, "run", "f.snnir", "--input", "x.npy")
    assert rc == 70
    one_line(err, "internal error (KeyError", "--debug")


def test_torch_pickle_warning_becomes_part_of_the_message(capsys, tmp_path):
    p = tmp_path / "p5.pt"
    torch.save({"a": torch.zeros(2)}, p, pickle_protocol=5, _use_new_zipfile_serialization=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # a warning escaping the CLI would fail here
        rc, _, err = cli(capsys, "compile", p, "-o", tmp_path / "o")
    assert rc == 1
    one_line(err, "pickled with protocol 5", "re-create it with snnc.save")
