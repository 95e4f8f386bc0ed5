"""Fidelity of the integer network to the float network (and to PyTorch) on the digits test set.

For every checkpoint (default: every ``examples/checkpoints/*.pt``; if there is
none, models trained on the spot with `snnc.train` from the recipes of
``examples/make_checkpoints.py`` with ``--train-epochs`` epochs) it compiles

* the float graph: ``snnc.frontend.trace`` + ``fold-batchnorm`` (what PyTorch computes), and
* the integer graph: the reference target's default pipeline
  (``fold-batchnorm,fold-temporal-scale,integerize,lower-multispike,dce``),

runs both with the reference interpreter on the whole test split and reports:
spike agreement per spiking layer (the fraction of equal spike values — binary
spikes, or IE-LIF counts — over all neurons, timesteps and images) and over all
layers; output argmax agreement (prediction = argmax of the mean over T of the
output); accuracy of PyTorch, the float graph and the integer graph; what
integerize approximated; the pass timings. Targets: spike agreement ≥ 99 % and
|accuracy(integer) − accuracy(float)| ≤ 0.5 percentage points per checkpoint.

``--sweep frac_bits=4,6,8,10,12`` adds a table of the same measures for other
integerize option values (how the defaults were chosen).

    .venv/bin/python benchmarks/fidelity.py          # → benchmarks/results/fidelity.{json,md}
    .venv/bin/python benchmarks/fidelity.py --checkpoints DIR --out /tmp/fid --sweep frac_bits=6,8,12
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch

from snnc.backends import get_target
from snnc.backends.reference import encode_inputs, run
from snnc.checkpoint import load
from snnc.data.digits import digits
from snnc.frontend import trace
from snnc.passes import run_pipeline
from snnc.passes.integerize import report

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINTS = ROOT / "examples" / "checkpoints"
RESULTS = ROOT / "benchmarks" / "results"
SPIKING = ("lif", "if", "plif", "cuba_lif", "threshold", "multispike")
TARGET_AGREEMENT, TARGET_ACC_PP = 0.99, 0.5
CHUNK = 120


def pipeline_with(options: dict) -> str:
    """The reference target's default pipeline, with integerize options filled in."""
    text = get_target("reference").pipeline({})
    if not options:
        return text
    opts = ",".join(f"{k}={v}" for k, v in options.items())
    return text.replace("integerize", f"integerize{{{opts}}}", 1)


def test_data(model):
    cfg, meta = model.config, getattr(model, "metadata", {}) or {}
    data = digits("test", encoding=meta.get("encoding", "direct"), T=cfg["T"],
                  flatten=len(cfg["input_shape"]) == 1)
    return data.x, data.y.numpy()


def compile_graphs(model, x, options: dict):
    """(float graph, integer graph, pass timings)."""
    g = trace(model, x[:, :1])
    float_graph = run_pipeline(g, "fold-batchnorm").graph
    res = run_pipeline(g, pipeline_with(options))
    return float_graph, res.graph, [(t.name, t.seconds) for t in res.timings]


def measure(float_graph, int_graph, x: torch.Tensor, labels: np.ndarray) -> dict:
    """Spike agreement per layer and overall, argmax agreement, accuracies (float vs integer)."""
    layers = [n for n in float_graph if n.op in SPIKING and n.name in int_graph]
    stats = {n.name: [0, 0, 0, 0] for n in layers}        # equal, total, float spikes, int spikes
    pf, pi = [], []
    out_f, out_i = float_graph.outputs[0].name, int_graph.outputs[0].name
    scale = int_graph.outputs[0].attrs["scale"]
    xs = x.numpy()
    for lo in range(0, xs.shape[1], CHUNK):
        chunk = xs[:, lo:lo + CHUNK]
        _, tf = run(float_graph, encode_inputs(float_graph, chunk), trace=True)
        _, ti = run(int_graph, encode_inputs(int_graph, chunk), trace=True)
        for n in layers:
            a, b = tf[n.name], ti[n.name]
            s = stats[n.name]
            s[0] += int((a == b).sum())
            s[1] += a.size
            s[2] += float(a.sum())
            s[3] += float(b.sum())
        pf.append(tf[out_f].mean(axis=0).argmax(-1))
        pi.append((ti[out_i].astype(np.float64) * scale).mean(axis=0).argmax(-1))
    pf, pi = np.concatenate(pf), np.concatenate(pi)
    eq = sum(s[0] for s in stats.values())
    tot = sum(s[1] for s in stats.values())
    return {
        "spike_agreement": eq / tot if tot else 1.0,
        "argmax_agreement": float((pf == pi).mean()),
        "accuracy_float": float((pf == labels).mean()),
        "accuracy_int": float((pi == labels).mean()),
        "layers": [{"name": n.name, "op": n.op, "agreement": stats[n.name][0] / stats[n.name][1],
                    "rate_float": stats[n.name][2] / stats[n.name][1],
                    "rate_int": stats[n.name][3] / stats[n.name][1]} for n in layers],
        "pred_float": pf,
    }


def approximations(int_graph) -> list[str]:
    lines = []
    for row in report(int_graph):
        for a in row.get("approx", []):
            lines.append(f"%{row['node']} ({row['op']}): {a}")
    return lines


def evaluate(name: str, model, options: dict | None = None) -> dict:
    """All measures for one model (see the module docstring)."""
    options = options or {}
    model.eval()
    x, labels = test_data(model)
    start = time.perf_counter()
    with torch.no_grad():
        pt = model(x).mean(0).argmax(-1).numpy()
    float_graph, int_graph, timings = compile_graphs(model, x, options)
    m = measure(float_graph, int_graph, x, labels)
    pf = m.pop("pred_float")
    cfg = model.config
    return {
        "name": name, "arch": model.arch, "quant": cfg.get("quant"), "neuron": cfg.get("neuron"),
        "T": cfg["T"], "n_test": int(len(labels)), "options": options, "pipeline": pipeline_with(options),
        "accuracy_torch": float((pt == labels).mean()), "torch_float_argmax_agreement": float((pt == pf).mean()),
        **m,
        "accuracy_gap_pp": 100 * (m["accuracy_int"] - m["accuracy_float"]),
        "meets_targets": bool(m["spike_agreement"] >= TARGET_AGREEMENT
                              and abs(m["accuracy_int"] - m["accuracy_float"]) * 100 <= TARGET_ACC_PP + 1e-9),
        "approximations": approximations(int_graph),
        "pass_seconds": timings, "seconds": time.perf_counter() - start,
    }


# ---------------------------------------------------------------------- models
def checkpoint_models(folder: Path) -> list[tuple[str, torch.nn.Module]]:
    return [(p.stem, load(p)) for p in sorted(folder.glob("*.pt"))]


def trained_models(epochs: int) -> list[tuple[str, torch.nn.Module]]:
    """The shipped recipes (examples/make_checkpoints.py), trained now with `epochs` epochs."""
    spec = importlib.util.spec_from_file_location("make_checkpoints", ROOT / "examples" / "make_checkpoints.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    from snnc.train import train
    out = []
    for name, recipe in mod.RECIPES.items():
        recipe = dict(recipe, epochs=epochs)
        if "teacher_epochs" in recipe:
            recipe["teacher_epochs"] = epochs
        arch = recipe.pop("arch")
        model, _ = train(arch, seed=0, verbose=False, **recipe)
        out.append((f"{name}_trained{epochs}ep", model))
    return out


# ---------------------------------------------------------------------- output
def parse_sweep(text: str) -> tuple[str, list]:
    key, _, values = text.partition("=")
    return key.strip(), [v.strip() for v in values.split(",") if v.strip()]


def markdown(result: dict) -> str:
    lines = ["# Integer vs float fidelity on the digits test set", "",
             f"Command: `{result['command']}`", "",
             f"Models: {result['source']}.", "",
             f"Pipeline: `{result['pipeline']}`; reference interpreter; {result['platform']}.", "",
             "Spike agreement: fraction of equal spike values (binary spikes or IE-LIF counts) over all "
             "spiking layers, neurons, timesteps and test images. Prediction: argmax of the output's mean "
             f"over T. Targets: agreement ≥ {TARGET_AGREEMENT:.0%}, |Δ accuracy| ≤ {TARGET_ACC_PP} pp.", "",
             "| model | arch | quant | T | spike agreement | argmax agreement | acc PyTorch | acc float | "
             "acc integer | Δ (pp) | targets met |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["models"]:
        lines.append(f"| {r['name']} | {r['arch']} | {r['quant']} | {r['T']} | {r['spike_agreement']:.4%} | "
                     f"{r['argmax_agreement']:.2%} | {r['accuracy_torch']:.2%} | {r['accuracy_float']:.2%} | "
                     f"{r['accuracy_int']:.2%} | {r['accuracy_gap_pp']:+.2f} | "
                     f"{'yes' if r['meets_targets'] else 'NO'} |")
    for r in result["models"]:
        lines += ["", f"## {r['name']}", "",
                  f"PyTorch vs float graph argmax agreement: {r['torch_float_argmax_agreement']:.2%}; "
                  f"{r['n_test']} test images; compile + run {r['seconds']:.1f} s.", "",
                  "| layer | op | spike agreement | mean spike value, float | mean spike value, integer |",
                  "|---|---|---|---|---|"]
        for layer in r["layers"]:
            lines.append(f"| {layer['name']} | {layer['op']} | {layer['agreement']:.4%} | "
                         f"{layer['rate_float']:.4f} | {layer['rate_int']:.4f} |")
        if r["approximations"]:
            lines += ["", "What integerize approximated:", ""] + [f"- {a}" for a in r["approximations"]]
    if result.get("sweep"):
        key = result["sweep"]["option"]
        lines += ["", f"## Sweep of integerize `{key}`", "",
                  f"| {key} | model | spike agreement | argmax agreement | acc integer | Δ (pp) |",
                  "|---|---|---|---|---|---|"]
        for s in result["sweep"]["rows"]:
            lines.append(f"| {s['value']} | {s['name']} | {s['spike_agreement']:.4%} | "
                         f"{s['argmax_agreement']:.2%} | {s['accuracy_int']:.2%} | {s['accuracy_gap_pp']:+.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="integer vs float fidelity on digits")
    ap.add_argument("--checkpoints", type=Path, default=CHECKPOINTS, help="folder of *.pt checkpoints")
    ap.add_argument("--train-epochs", type=int, default=5,
                    help="epochs for the on-the-spot models when the folder has no checkpoint")
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="an integerize option for the main table (repeatable)")
    ap.add_argument("--sweep", default=None, metavar="KEY=V1,V2,…", help="integerize option values to sweep")
    ap.add_argument("--out", type=Path, default=RESULTS, help="output folder for fidelity.json / fidelity.md")
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    models = checkpoint_models(args.checkpoints)
    folder = args.checkpoints.resolve()
    source = f"the checkpoints in {folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder}/"
    if not models:
        print(f"no checkpoint in {args.checkpoints}: training the recipes for {args.train_epochs} epochs",
              file=sys.stderr)
        models = trained_models(args.train_epochs)
        source = (f"no checkpoint in {args.checkpoints.name}/ yet, so the recipes of examples/make_checkpoints.py "
                  f"were trained on the spot with {args.train_epochs} epochs (seed 0)")
    options = dict(o.split("=", 1) for o in args.option)
    result = {"command": "python " + " ".join(shlex.quote(a) for a in [sys.argv[0]] + (argv or sys.argv[1:])),
              "platform": f"{platform.platform()}, Python {platform.python_version()}, torch {torch.__version__}",
              "pipeline": pipeline_with(options), "source": source, "models": []}
    for name, model in models:
        r = evaluate(name, model, options)
        result["models"].append(r)
        print(f"{name}: spike agreement {r['spike_agreement']:.4%}, argmax agreement {r['argmax_agreement']:.2%}, "
              f"accuracy torch {r['accuracy_torch']:.2%} float {r['accuracy_float']:.2%} "
              f"integer {r['accuracy_int']:.2%} ({r['seconds']:.1f} s)", flush=True)
    if args.sweep:
        key, values = parse_sweep(args.sweep)
        rows = []
        for value in values:
            for name, model in models:
                r = evaluate(name, model, dict(options, **{key: value}))
                rows.append({"value": value, "name": name, **{k: r[k] for k in (
                    "spike_agreement", "argmax_agreement", "accuracy_int", "accuracy_gap_pp")}})
                print(f"  {key}={value} {name}: agreement {r['spike_agreement']:.4%}", flush=True)
        result["sweep"] = {"option": key, "rows": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fidelity.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "fidelity.md").write_text(markdown(result))
    print(f"wrote {args.out / 'fidelity.json'} and {args.out / 'fidelity.md'}")
    return 0 if all(r["meets_targets"] for r in result["models"]) else 1


if __name__ == "__main__":
    sys.exit(main())
