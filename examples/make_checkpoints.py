"""Train the checkpoints shipped in examples/checkpoints/ (deterministic, CPU, a few minutes).

    .venv/bin/python examples/make_checkpoints.py              # all four
    .venv/bin/python examples/make_checkpoints.py --only digits_tawq_mlp

Every model is trained on scikit-learn's digits with direct encoding
(pixel/16, an exact `uint<5>` input with scale 1/16) and a fixed seed, so
running the script again on the same machine and library versions writes the
same weights. Each checkpoint records its training recipe and test accuracy in
its metadata; `manifest.json` lists them with their size and checksum.

* digits_fp_mlp          — full-precision spiking MLP 64-128-10 (LIF, dropout 0.1), T = 4.
* digits_tawq_mlp        — the same MLP with TaWQ: time-varying ternary weights,
                           one {-1, 0, +1} matrix per timestep, shared temporal scales.
* digits_ternary_cnn     — spiking CNN (2 conv + 2 FC, PLIF neurons) with static
                           ternary weights, direct method (QAT), T = 4.
* digits_qsd_transformer — QSD-style spike-driven transformer, LSQ 2-bit weights,
                           IE-LIF multi-bit spikes; fine-grained attention distillation
                           from a full-precision transformer teacher (not shipped).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from snnc.checkpoint import evaluate, read, save
from snnc.train import train

OUT = Path(__file__).resolve().parent / "checkpoints"
SEED = 0

#: name -> the arguments of snnc.train.train
RECIPES = {
    "digits_fp_mlp": dict(arch="mlp", method="fp", epochs=30, lr=1e-2, T=4, hidden=[128], dropout=0.1),
    "digits_tawq_mlp": dict(arch="mlp", method="direct", quant="tawq", epochs=30, lr=1e-2, T=4, hidden=[128],
                            dropout=0.1),
    "digits_ternary_cnn": dict(arch="cnn", method="direct", quant="ternary", neuron="plif", epochs=12, lr=1e-2,
                               T=4, channels=[16, 32], fc_hidden=64),
    "digits_qsd_transformer": dict(arch="transformer", method="attention", quant="lsq", quant_opts={"bits": 2},
                                   neuron="ielif", epochs=10, teacher_epochs=10, lr=1e-2, T=4, embed_dim=16,
                                   heads=2),
}


def make(name: str, out: Path) -> dict:
    recipe = dict(RECIPES[name])
    arch = recipe.pop("arch")
    start = time.perf_counter()
    model, _ = train(arch, seed=SEED, **recipe)
    path = save(model, out / f"{name}.pt", dict(model.metadata, recipe=dict(RECIPES[name]), name=name))
    check = evaluate(path)
    if check["accuracy"] != model.metadata["accuracy"]:
        raise SystemExit(f"{name}: reloaded accuracy {check['accuracy']} differs from the trained "
                         f"{model.metadata['accuracy']}")
    size = path.stat().st_size
    print(f"{name}: test accuracy {check['accuracy']:.4f} ({check['correct']}/{check['n']}), "
          f"{size / 1024:.0f} KiB, {time.perf_counter() - start:.0f} s", flush=True)
    return {"file": path.name, "arch": arch, "method": recipe["method"], "quant": model.config["quant"],
            "T": model.config["T"], "accuracy": check["accuracy"], "bytes": size, "checksum": read(path)["checksum"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="train the shipped example checkpoints")
    parser.add_argument("--only", nargs="+", choices=sorted(RECIPES), help="make only these")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest_path = args.out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    for name in args.only or RECIPES:
        manifest[name] = make(name, args.out)
    manifest_path.write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
