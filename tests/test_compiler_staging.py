"""Output folders are staged: a failed compile leaves nothing, a user's folder is never replaced."""
import pytest

from snnc.backends import TARGETS, TargetError, get_target
from snnc.compiler import MARKER, staged_dir
from snnc.errors import ConfigError


def test_success_moves_into_place_and_replaces_earlier_output(tmp_path):
    out = tmp_path / "out"
    with staged_dir(out) as tmp:
        (tmp / "a.txt").write_text("1")
    assert (out / "a.txt").read_text() == "1" and (out / MARKER).exists()
    with staged_dir(out) as tmp:
        (tmp / "b.txt").write_text("2")
    assert not (out / "a.txt").exists() and (out / "b.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_failure_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with staged_dir(out) as tmp:
            (tmp / "half.c").write_text("int")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_foreign_folder_is_refused(tmp_path):
    (tmp_path / "mine.txt").write_text("precious")
    with pytest.raises(ConfigError, match="not an snnc output folder"):
        with staged_dir(tmp_path):
            pass
    assert (tmp_path / "mine.txt").read_text() == "precious"


def test_target_registry():
    for name, cls in TARGETS.items():
        assert cls.name == name
    assert get_target("reference").ops
    with pytest.raises(TargetError, match="unknown target 'fpga'.*reference"):
        get_target("fpga")


def test_compile_api_on_a_checkpoint(tmp_path):
    """snnc.compile → run (integer and float) → evaluate, and the artifacts in out_dir."""
    import numpy as np

    import snnc
    from snnc.evaluation import dataset_input

    c = snnc.compile("examples/checkpoints/digits_tawq_mlp.pt", target="reference", out_dir=tmp_path / "ref")
    assert c.input_shape == (64,) and c.timesteps == 4
    assert (tmp_path / "ref" / "model.snnir").is_file() and c.artifacts["ir"] == tmp_path / "ref" / "model.snnir"
    x, y = dataset_input(c)
    yi, yf = c.run(x), c.run(x, integer=False)
    assert yi.dtype.kind == "i" and yf.dtype == np.float32
    acc = snnc.evaluate(c)["accuracy"]
    assert acc == float((yi.mean(0).argmax(-1) == y).mean()) > 0.95
    assert abs(acc - float((yf.mean(0).argmax(-1) == y).mean())) <= 0.005
