"""Compile time: trace + default pipeline for a ~10-million-weight ternary spiking CNN.

    .venv/bin/python benchmarks/compile_time.py [--threads 2] [--target cpu]

Goal (issue 4): under 10 seconds on 2 cores. Prints the time of tracing and of
each pass, and writes benchmarks/results/compile_time_<quant>.json.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

import snnc
from snnc.backends import get_target
from snnc.passes import run_pipeline

RESULTS = Path(__file__).parent / "results"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--target", default="cpu", help="whose default pipeline to run (default cpu)")
    ap.add_argument("--T", type=int, default=4)
    ap.add_argument("--quant", default="ternary", help="ternary (static) or tawq (time-varying banks)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = snnc.build("cnn", input_shape=[3, 32, 32], num_classes=10, T=args.T, channels=[128, 256],
                       fc_hidden=620, quant=args.quant).eval()
    weights = sum(m.deployable().weight.size for m in model.modules() if hasattr(m, "deployable"))
    example = torch.zeros(args.T, 1, 3, 32, 32)

    t0 = time.perf_counter()
    graph = snnc.trace(model, example, input_type="uint<8>", input_scale=1 / 256)   # 8-bit image pixels
    t_trace = time.perf_counter() - t0
    pipeline = get_target(args.target).pipeline({})
    t1 = time.perf_counter()
    result = run_pipeline(graph, pipeline)
    t_passes = time.perf_counter() - t1
    total = t_trace + t_passes

    print(f"{args.quant} spiking CNN, {weights / 1e6:.2f} M weights, T={args.T}, {args.threads} threads")
    print(f"  trace (torch.fx + lowering): {t_trace:6.2f} s")
    for t in result.timings:
        print(f"  {t.name:<28} {t.seconds:6.2f} s")
    print(f"  total: {total:.2f} s  (goal < 10 s: {'met' if total < 10 else 'MISSED'})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"compile_time_{args.quant}.json").write_text(json.dumps({
        "quant": args.quant, "weights": weights, "T": args.T, "threads": args.threads, "pipeline": pipeline,
        "trace_s": t_trace, "passes_s": {t.name: t.seconds for t in result.timings}, "total_s": total,
        "command": f"python benchmarks/compile_time.py --quant {args.quant}"}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
