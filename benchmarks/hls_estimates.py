"""Pre-synthesis estimates of the hls target for real-size networks (the goals of the folding issue).

    .venv/bin/python benchmarks/hls_estimates.py [--json out.json]

Prints, per network, part and folding goal, the estimates of `snnc.backends.hls`
(formulas in backends/hls/estimates.py; nothing is synthesized): samples/s, cycles per
timestep, latency, LUT / FF / BRAM_18K / URAM / DSP with their utilization of the part,
the binding resource and the slowest layer. Networks:

* resnet — SEW ResNet, 3×32×32 input, channels [64, 128, 256], 2 blocks per stage,
  ternary weights (3.47 M parameters), T = 4, on xcu250 (Alveo U250) at 200 MHz;
  goal ≥ 1,000 samples/s within 70 % of every resource;
* resnet19 and spikformer presets (`snnc.models.build(name, quant="ternary", T=4)`,
  3×32×32, 12.7 M and 9.3 M parameters), on xcu250 at 200 MHz, fps=1000 and max-throughput;
* digits TaWQ MLP — 64-128-10, time-varying ternary weights, T = 4 (the shipped
  checkpoint examples/checkpoints/digits_tawq_mlp.pt when present, else the same recipe
  untrained: the estimates depend on the shapes and widths only), on xc7z020 (PYNQ-Z2)
  at 100 MHz and 200 MHz; goal ≥ 100,000 samples/s.

The models are built with `snnc.models.build` (untrained, fixed seed) and compiled by
the hls target's default pipeline; only the planning and the estimates run (no C++).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESNET = dict(input_shape=[3, 32, 32], channels=[64, 128, 256], blocks=2, quant="ternary", T=4)
PRESETS = ("resnet19", "spikformer")     # the papers' networks at their real size (snnc.models.presets)
MLP = dict(input_shape=[64], hidden=[128], quant="tawq", T=4)
CASES = [  # (network, part, clock MHz, goals)
    ("resnet", "xcu250", 200, [{"fold": "min-area"}, {"fps": 100}, {"fps": 1000}, {"fold": "balanced"},
                               {"fold": "max-throughput"}]),
    ("resnet19", "xcu250", 200, [{"fps": 1000}, {"fold": "max-throughput"}]),
    ("spikformer", "xcu250", 200, [{"fps": 1000}, {"fold": "max-throughput"}]),
    ("tawq_mlp", "xc7z020", 100, [{"fold": "min-area"}, {"fps": 100_000}, {"fold": "max-throughput"}]),
    ("tawq_mlp", "xc7z020", 200, [{"fps": 100_000}, {"fold": "max-throughput"}]),
]


def integer_graph(name: str):
    import torch

    from snnc.compiler import prepare
    from snnc.models import build

    torch.manual_seed(0)
    ckpt = ROOT / "examples" / "checkpoints" / "digits_tawq_mlp.pt"
    if name == "tawq_mlp" and ckpt.is_file():
        source, example, label = ckpt, None, f"{ckpt.relative_to(ROOT)}"
    elif name in PRESETS:
        model = build(name, quant="ternary", T=4).eval()
        model.metadata = {"encoding": "direct", "input_bits": 5, "input_scale": 1 / 16}
        example = torch.randint(0, 17, (4, 2, *model.config["input_shape"])).float() / 16
        source, label = model, f"snnc.models.build({name!r}, quant='ternary', T=4, untrained)"
    else:
        cfg = RESNET if name == "resnet" else MLP
        model = build("resnet" if name == "resnet" else "mlp", **cfg).eval()
        model.metadata = {"encoding": "direct", "input_bits": 5, "input_scale": 1 / 16}
        example = torch.randint(0, 17, (cfg["T"], 2, *cfg["input_shape"])).float() / 16
        source, label = model, f"snnc.models.build({'resnet' if name == 'resnet' else 'mlp'!r}, untrained)"
    _, compiled = prepare(source, ["hls"], example=example)
    return compiled["hls"].graph, label


def run_case(graph, part: str, clock: float, goal: dict) -> dict:
    from snnc.backends.hls import HLSTarget
    from snnc.backends.hls.estimates import estimate
    from snnc.backends.hls.plan import plan
    from snnc.backends.target import TargetError

    target = HLSTarget()
    try:
        project = plan(graph, target.options(dict(goal, part=part, clock_mhz=clock), graph))
    except TargetError as e:
        return {"error": str(e)}
    return estimate(project)


def fmt_row(net: str, part: str, clock: float, goal: dict, est: dict) -> str:
    g = ",".join(f"{k}={v}" for k, v in goal.items())
    if "error" in est:
        return f"| {net} | {part} | {clock:g} | {g} | refused: {est['error']} |" + " |" * 9
    t, u = est["total"], est["utilization"]
    pct = {k: f"{100 * v:.1f} %" for k, v in u.items()}
    return (f"| {net} | {part} | {clock:g} | {g} | {t['samples_per_second']:,.0f} | {t['cycles_per_timestep']:,} | "
            f"{t['latency_us_per_sample']:,.1f} | {t['lut']:,} ({pct['lut']}) | {t['ff']:,} ({pct['ff']}) | "
            f"{t['bram_18k']:,} ({pct['bram_18k']}) | {t['uram']:,} ({pct['uram']}) | {t['dsp']:,} ({pct['dsp']}) | "
            f"{est['binding_resource']} | `{est['slowest_layer']}` |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="also write every estimate to this file")
    args = ap.parse_args(argv)
    results, graphs = [], {}
    print("Pre-synthesis estimates of snnc's hls target (backends/hls/estimates.py); max_utilization=0.7.\n")
    print("| network | part | MHz | goal | samples/s | cycles / timestep | latency µs | LUT | FF | BRAM_18K | URAM "
          "| DSP | binding | slowest process |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for net, part, clock, goals in CASES:
        if net not in graphs:
            t0 = time.perf_counter()
            graphs[net] = integer_graph(net)
            graphs[net] += (time.perf_counter() - t0,)
        graph = graphs[net][0]
        for goal in goals:
            t0 = time.perf_counter()
            est = run_case(graph, part, clock, goal)
            print(fmt_row(net, part, clock, goal, est), flush=True)
            results.append({"network": net, "source": graphs[net][1], "part": part, "clock_mhz": clock,
                            "goal": goal, "solve_seconds": round(time.perf_counter() - t0, 2), "estimate": est})
    print()
    for net, (graph, label, secs) in graphs.items():
        params = sum(graph.param(n, "weight").size for n in graph if n.op in ("linear", "conv2d"))
        print(f"{net}: {label}; {params:,} weights (all timestep banks), compiled in {secs:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
