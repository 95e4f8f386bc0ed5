"""`make demo`: the main job on the shipped checkpoints, as a user would run it.

1. compile the TaWQ checkpoint (time-varying ternary weights) to cpu, hls, nir and onnx,
2. compile the static ternary CNN checkpoint to loihi,
3. `snnc verify --dataset digits` on both (every target against the reference, on the
   whole digits test split), printing the accuracy of each target,
4. `snnc report` and its summary.

Each step is the `snnc` command line; the commands are printed before they run.
"""
from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CKPT = Path("examples") / "checkpoints"     # relative to the repository root, where the commands run
OUT = Path("out") / "demo"


def snnc(*args) -> None:
    cmd = [sys.executable, "-m", "snnc", *map(str, args)]
    shown = "snnc " + " ".join(shlex.quote(str(a)) for a in args)
    print(f"\n$ {shown}", flush=True)
    r = subprocess.run(cmd, cwd=ROOT)
    if r.returncode != 0:
        print(f"demo: `{shown}` failed with exit status {r.returncode}", file=sys.stderr)
        raise SystemExit(r.returncode)


def main() -> int:
    t0 = time.perf_counter()
    tawq, cnn = CKPT / "digits_tawq_mlp.pt", CKPT / "digits_ternary_cnn.pt"
    # NIR has no time-varying weights: for that target only, collapse them to static ternary
    snnc("compile", tawq, "-t", "cpu,hls,nir,onnx", "--temporal-weights", "collapse", "-o", OUT / "tawq_mlp")
    snnc("verify", OUT / "tawq_mlp", "--dataset", "digits")
    snnc("compile", cnn, "-t", "loihi", "-o", OUT / "ternary_cnn")
    snnc("verify", OUT / "ternary_cnn", "--dataset", "digits")
    snnc("report", OUT / "tawq_mlp", "--dataset", "digits")
    print(f"\ndemo finished in {time.perf_counter() - t0:.0f} s; outputs in {OUT}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
