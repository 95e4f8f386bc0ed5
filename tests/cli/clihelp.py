"""Run the `snnc` command as a user would: a subprocess, from a temporary folder."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKPOINTS = ROOT / "examples" / "checkpoints"
EXAMPLE_IR = ROOT / "examples" / "ir" / "spiking_mlp.snnir"


def snnc(*args, cwd=None, env=None, timeout=600):
    """Run `python -m snnc ARGS`; returns the CompletedProcess (text)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "snnc", *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def assert_clean_error(r, *words):
    """One line on stderr naming the problem, a non-zero exit, no traceback."""
    assert r.returncode != 0, f"expected failure:\n{r.stdout}\n{r.stderr}"
    err = r.stderr.strip()
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    assert lines[0].startswith("snnc: error: "), lines[0]
    for w in words:
        assert w.lower() in lines[0].lower(), f"{w!r} not in {lines[0]!r}"
