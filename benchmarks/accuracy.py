"""Accuracy benchmark of the quantization methods on digits.

Every method trains the same spiking MLP (64-128-10, LIF, dropout 0.1 after
the hidden layer, direct encoding, T = 4) for the same number of epochs, over
3 seeds, and reports per method the mean ± sample standard deviation (ddof 1)
over the seeds of

* test accuracy (the fixed 359-image digits test split),
* weight sparsity and weight-state entropy (bits) of the quantized layers,
* uncertainty: mean normalized predictive entropy over 20 Monte-Carlo passes
  with dropout on (`snnc.train.uncertainty`),
* packed weight storage (bits) and parameter count (`snnc.train.metrics`).

The indirect (distilled) student of a seed uses the full-precision model of
the same seed as its teacher, and PTQ-ternary quantizes that same
full-precision model without retraining (the baseline). One extra row,
"ternary direct + uncertainty reg.", shows the uncertainty regularizer.

    .venv/bin/python benchmarks/accuracy.py            # writes benchmarks/results/accuracy.{json,md}
    .venv/bin/python benchmarks/accuracy.py --epochs 2 --seeds 0 --out /tmp/quick
"""
from __future__ import annotations

import argparse
import json
import platform
import shlex
import statistics
import sys
import time
from pathlib import Path

import torch

from snnc.checkpoint import evaluate
from snnc.nn.quant import ptq
from snnc.train import train, uncertainty
from snnc.train.metrics import weight_stats

MODEL = {"T": 4, "hidden": [128], "dropout": 0.1}
LR = 1e-2
UNCERTAINTY_PASSES = 20
UNCERTAINTY_WEIGHT = 0.5

#: (key, label, how it is made); "teacher" and "ptq" reuse the seed's full-precision model
ROWS = (
    ("fp", "FP (full precision)", {"method": "fp"}),
    ("tawq", "TaWQ (ternary, time-varying)", {"method": "direct", "quant": "tawq"}),
    ("mtawq2", "mTaWQ 2-bit", {"method": "direct", "quant": "mtawq", "quant_opts": {"bits": 2}}),
    ("mtawq3", "mTaWQ 3-bit", {"method": "direct", "quant": "mtawq", "quant_opts": {"bits": 3}}),
    ("ternary_direct", "ternary, direct (QAT)", {"method": "direct", "quant": "ternary"}),
    ("ternary_indirect", "ternary, indirect (KD from FP)", {"method": "indirect", "quant": "ternary",
                                                            "teacher": "fp"}),
    ("ternary_direct_ureg", "ternary, direct + uncertainty reg.",
     {"method": "direct", "quant": "ternary", "uncertainty_weight": UNCERTAINTY_WEIGHT}),
    ("ptq_ternary", "PTQ-ternary (baseline, no retraining)", {"ptq": "fp"}),
    ("lsq2", "LSQ 2-bit", {"method": "direct", "quant": "lsq", "quant_opts": {"bits": 2}}),
)
METRICS = ("accuracy", "sparsity", "entropy_bits", "uncertainty", "storage_bits", "params", "seconds")


def run_one(recipe: dict, seed: int, epochs: int, lr: float, fp_models: dict):
    """Make the model of one (row, seed) and measure it."""
    start = time.perf_counter()
    if "ptq" in recipe:
        model = ptq(fp_models[seed], method="ternary", bits=2).eval()
        model.metadata = dict(fp_models[seed].metadata, method="ptq", quant="ptq")
        accuracy = evaluate(model)["accuracy"]
    else:
        kwargs = dict(recipe)
        if kwargs.pop("teacher", None):
            kwargs["teacher"] = fp_models[seed]
        model, _ = train("mlp", epochs=epochs, seed=seed, lr=lr, verbose=False, **kwargs, **MODEL)
        accuracy = model.metadata["accuracy"]
    stats = weight_stats(model)
    row = {
        "seed": seed,
        "accuracy": accuracy,
        "sparsity": stats["sparsity"],
        "entropy_bits": stats["entropy_bits"],
        "uncertainty": uncertainty(model, passes=UNCERTAINTY_PASSES, seed=seed),
        "storage_bits": stats["storage_bits"],
        "params": stats["params"],
        "seconds": time.perf_counter() - start,
    }
    return model, row


def summarize(runs: list[dict]) -> tuple[dict, dict]:
    """Mean and sample standard deviation of every metric over the seeds (None where undefined)."""
    mean, std = {}, {}
    for metric in METRICS:
        values = [r[metric] for r in runs if r[metric] is not None]
        mean[metric] = statistics.fmean(values) if values else None
        std[metric] = statistics.stdev(values) if len(values) > 1 else (0.0 if values else None)
    return mean, std


def check_targets(rows: dict) -> dict:
    """The benchmark's targets, each with the measured value and whether it is met."""
    acc = {k: rows[k]["mean"]["accuracy"] for k in rows}
    gap = 100 * (acc["fp"] - acc["tawq"])
    entropy = rows["tawq"]["mean"]["entropy_bits"]
    quantized = [k for k in rows if k not in ("fp", "ptq_ternary")]
    return {
        "tawq_within_1pp_of_fp": {"value_pp": gap, "met": gap <= 1.0},
        "tawq_entropy_at_least_1.5_bits": {"value_bits": entropy, "met": entropy >= 1.5},
        "indirect_at_least_direct": {"indirect": acc["ternary_indirect"], "direct": acc["ternary_direct"],
                                     "met": acc["ternary_indirect"] >= acc["ternary_direct"]},
        "ptq_is_the_baseline": {"ptq": acc["ptq_ternary"], "best_trained_quantized": max(acc[k] for k in quantized),
                                "met": acc["ptq_ternary"] <= min(acc[k] for k in quantized)},
        "uncertainty_reg_lowers_uncertainty": {
            "with": rows["ternary_direct_ureg"]["mean"]["uncertainty"],
            "without": rows["ternary_direct"]["mean"]["uncertainty"],
            "met": rows["ternary_direct_ureg"]["mean"]["uncertainty"] < rows["ternary_direct"]["mean"]["uncertainty"]},
    }


def markdown(result: dict) -> str:
    seeds = result["seeds"]
    lines = [
        "# Accuracy benchmark: quantized spiking MLP on digits",
        "",
        f"Model: {result['model']} (LIF, dropout {result['config']['dropout']}, direct encoding, "
        f"T = {result['config']['T']}), {result['epochs']} epochs, Adam (lr {result['lr']:g}, cosine decay), "
        f"seeds {', '.join(map(str, seeds))}; mean ± std over the {len(seeds)} seeds; test split of "
        f"{result['test_samples']} images. Uncertainty: mean normalized predictive entropy over "
        f"{UNCERTAINTY_PASSES} MC-dropout passes. Storage: packed weights + 32-bit scales and biases.",
        "",
        "| method | accuracy (%) | sparsity (%) | entropy (bits) | uncertainty | storage (bits) | params | time (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, row in result["rows"].items():
        m, s = row["mean"], row["std"]
        entropy = "—" if m["entropy_bits"] is None else f"{m['entropy_bits']:.3f} ± {s['entropy_bits']:.3f}"
        lines.append(
            f"| {row['label']} | {100 * m['accuracy']:.2f} ± {100 * s['accuracy']:.2f} "
            f"| {100 * m['sparsity']:.1f} ± {100 * s['sparsity']:.1f} | {entropy} "
            f"| {m['uncertainty']:.4f} ± {s['uncertainty']:.4f} | {m['storage_bits']:,.0f} | {m['params']:,.0f} "
            f"| {m['seconds']:.1f} |")
    lines += ["", "## Targets", ""]
    for name, target in result["targets"].items():
        detail = ", ".join(f"{k} = {v:.4g}" for k, v in target.items() if k != "met")
        lines.append(f"- {'met' if target['met'] else '**missed**'}: `{name}` ({detail})")
    lines += ["", f"Made by `{result['command']}` in {result['total_seconds']:.0f} s on {result['machine']}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=LR, help="Adam learning rate of every method")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args(argv)
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "benchmarks/accuracy.py",
                                                 *(sys.argv[1:] if argv is None else argv)])
    print(f"command: {command}", flush=True)
    start = time.perf_counter()
    fp_models, runs = {}, {key: [] for key, _, _ in ROWS}
    for seed in args.seeds:
        for key, label, recipe in ROWS:
            model, row = run_one(recipe, seed, args.epochs, args.lr, fp_models)
            if key == "fp":
                fp_models[seed] = model
            runs[key].append(row)
            entropy = "-" if row["entropy_bits"] is None else f"{row['entropy_bits']:.3f}"
            print(f"seed {seed} {key:20s} acc {row['accuracy']:.4f} sparsity {row['sparsity']:.3f} "
                  f"entropy {entropy} unc {row['uncertainty']:.4f} ({row['seconds']:.1f}s)", flush=True)
    rows = {}
    for key, label, recipe in ROWS:
        mean, std = summarize(runs[key])
        rows[key] = {"label": label, "recipe": {k: v for k, v in recipe.items()}, "mean": mean, "std": std,
                     "runs": runs[key]}
    result = {
        "command": command,
        "model": "spiking MLP 64-128-10",
        "config": MODEL,
        "epochs": args.epochs,
        "lr": args.lr,
        "seeds": args.seeds,
        "test_samples": evaluate(fp_models[args.seeds[0]])["n"],
        "rows": rows,
        "targets": check_targets(rows),
        "total_seconds": time.perf_counter() - start,
        "machine": f"{platform.machine()} CPU, {torch.get_num_threads()} torch threads, torch {torch.__version__}",
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "accuracy.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "accuracy.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
