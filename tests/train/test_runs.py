"""Devices, precision, resumable runs and the CSV log; `snnc train --data` from the command line."""
import csv
import subprocess
import sys

import numpy as np
import pytest
import torch

from snnc.errors import ConfigError
from snnc.train import train

SMALL = dict(T=2, hidden=[16], verbose=False, batch_size=128)


def test_resume_continues_exactly_where_the_run_stopped(tmp_path, monkeypatch):
    from snnc.train import runlog
    save = runlog.RunLog.save

    def save_and_stop(self, *args):                # the run is killed right after its first epoch's save
        save(self, *args)
        if len(args[-1]) == 1:
            raise KeyboardInterrupt

    full, hist_full = train("mlp", "direct", epochs=2, seed=5, quant="tawq", **SMALL)
    monkeypatch.setattr(runlog.RunLog, "save", save_and_stop)
    with pytest.raises(KeyboardInterrupt):
        train("mlp", "direct", epochs=2, seed=5, quant="tawq", run_dir=tmp_path / "run", **SMALL)
    monkeypatch.setattr(runlog.RunLog, "save", save)
    assert (tmp_path / "run" / "last.pt").is_file()
    resumed, hist = train("mlp", "direct", epochs=2, seed=5, quant="tawq", run_dir=tmp_path / "run", resume=True,
                          **SMALL)
    assert [r["epoch"] for r in hist] == [1, 2] and hist[1]["loss"] == hist_full[1]["loss"]
    a, b = full.state_dict(), resumed.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    rows = list(csv.DictReader(open(tmp_path / "run" / "log.csv")))
    assert [int(r["epoch"]) for r in rows] == [1, 2] and float(rows[1]["samples_per_second"]) > 0


def test_resume_without_a_run_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="nothing to resume"):
        train("mlp", "fp", epochs=1, run_dir=tmp_path / "none", resume=True, **SMALL)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "last.pt").write_bytes(b"garbage")
    from snnc.errors import CheckpointError
    with pytest.raises(CheckpointError, match="cannot resume"):
        train("mlp", "fp", epochs=1, run_dir=tmp_path / "bad", resume=True, **SMALL)


def test_bf16_on_cpu_trains_and_device_errors_are_clear():
    model, history = train("mlp", "fp", epochs=1, precision="bf16", **SMALL)
    assert np.isfinite(history[0]["loss"]) and model.metadata["precision"] == "bf16"
    assert next(model.parameters()).dtype == torch.float32 and next(model.parameters()).device.type == "cpu"
    with pytest.raises(ConfigError, match="fp16 needs a CUDA device"):
        train("mlp", "fp", epochs=1, precision="fp16", **SMALL)
    with pytest.raises(ConfigError, match="unknown device"):
        train("mlp", "fp", epochs=1, device="tpu:0x", **SMALL)
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="no CUDA GPU"):
            train("mlp", "fp", epochs=1, device="cuda", **SMALL)


def test_cli_trains_on_an_npz_and_a_bad_spec_is_one_line(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "d.npz", x=rng.integers(0, 256, (40, 1, 6, 6), dtype=np.uint8), y=np.arange(40) % 2)
    cmd = [sys.executable, "-m", "snnc", "train", "--arch", "mlp", "--epochs", "1", "--T", "2", "--quiet",
           "--set", "hidden=[8]", "--data", f"npz:{tmp_path / 'd.npz'}", "--out", str(tmp_path / "m.pt")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "on npz:" in r.stdout and (tmp_path / "m.pt").is_file()
    r = subprocess.run(cmd[:-4] + ["--data", f"npz:{tmp_path / 'nope.npz'}"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1 and "nope.npz does not exist" in r.stderr
