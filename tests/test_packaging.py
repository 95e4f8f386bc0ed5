"""`pip install .` (a wheel, not editable) gives a working `snnc` command, run from another folder.

The fresh virtual environment reuses the already-installed dependencies of the
test environment through a path entry (so the test needs no network and no
second copy of torch), while snnc itself comes only from the built wheel.
"""
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ir" / "spiking_mlp.snnir"


def sh(*cmd, cwd=None, env=None):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.mark.slow
def test_wheel_install_gives_working_cli(tmp_path):
    wheels = tmp_path / "wheels"
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, ROOT)
    (wheel,) = wheels.glob("snnc-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    site = Path(sh(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    (site / "_snnc_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    sh(py, "-m", "pip", "install", "--no-deps", "-q", wheel)

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    snnc = env_dir / "bin" / "snnc"
    where = sh(py, "-c", "import snnc, snnc.ir, snnc.backends.reference, snnc.templates; print(snnc.__file__)",
               cwd=work, env=env)
    assert str(env_dir) in where, where
    helptext = sh(snnc, "--help", cwd=work, env=env)
    assert "usage: snnc" in helptext and "run" in helptext and "ir" in helptext
    assert "ok" in sh(snnc, "ir", "verify", EXAMPLE, cwd=work, env=env)
    x = np.random.default_rng(0).integers(0, 2, size=(4, 2, 16)).astype(np.float32)
    np.save(work / "x.npy", x)
    sh(snnc, "run", EXAMPLE, "--input", "x.npy", "--output", "y.npy", cwd=work, env=env)
    assert np.load(work / "y.npy").shape[:2] == (4, 2)
    # the templates and the HLS header shim come from the installed package data
    ckpt = ROOT / "examples" / "checkpoints" / "digits_tawq_mlp.pt"
    sh(snnc, "compile", ckpt, "-t", "cpu,hls", "-o", "out", "-q", cwd=work, env=env)
    out = sh(snnc, "verify", "out", cwd=work, env=env)
    assert out.count("equal") == 2, out
