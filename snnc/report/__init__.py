"""`snnc report`: what a compiled network costs and how it behaves.

`build_report(out_dir, dataset=…)` measures, per layer and in total: synaptic
operations (ACs) and MACs, energy with the 45 nm model beside the same network
as a full-precision ANN, firing rates, weight storage (packed) against fp32,
sparsity, weight-state entropy (log2(3) is the ternary optimum), and — when data
is given — accuracy of the float graph, of the integer graph and of every
target whose arithmetic differs from it (Loihi); HLS estimates and the Loihi
mapping when those targets were emitted. `write_report` writes report.json,
report.md and PNG plots.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from snnc.evaluation import accuracy as _accuracy, require_timesteps

from .energy import E_AC_PJ, E_MAC_PJ, ann_energy_pj, snn_energy_pj
from .layers import LOG2_3, NEURONS, layer_table
from .markdown import render_markdown
from . import plots

__all__ = ["build_report", "write_report", "render_markdown"]


def _data(compiled, dataset: str | None, x, batch: int):
    labels = None
    if dataset:
        from snnc.evaluation import dataset_input
        x, labels = dataset_input(compiled, spec=dataset)
    elif x is None:
        from snnc.evaluation import random_input
        x = random_input(compiled.float_graph.inputs[0], require_timesteps(compiled), min(batch, 32))
    return x, labels



def build_report(out_dir, dataset: str | None = None, x=None, batch: int = 256) -> dict:
    from snnc.backends import get_target
    from snnc.backends.reference import encode_inputs
    from snnc.backends.reference import run as ref_run
    from snnc.compiler import load_compiled, manifest_of

    out_dir = Path(out_dir)
    manifest = manifest_of(out_dir)
    names = list(manifest["targets"])
    integer_names = [n for n in names if get_target(n).integer]
    main = load_compiled(out_dir, integer_names[0] if integer_names else names[0])
    graph = main.graph if integer_names else main.float_graph
    x, labels = _data(main, dataset, x, batch)

    xb = x[:, :batch]
    _, trace = ref_run(graph, encode_inputs(graph, xb), trace=True)
    layers = layer_table(graph, trace)
    rates = {n.name: float(np.asarray(trace[n.name], dtype=np.float64).mean())
             for n in graph if n.op in NEURONS}
    T = int(xb.shape[0])
    total_params = sum(r.params for r in layers)
    totals = {
        "params": total_params,
        "storage_bits": sum(r.storage_bits for r in layers),
        "fp32_bits": sum(r.fp32_bits for r in layers),
        "acs": sum(r.acs for r in layers),
        "macs": sum(r.macs for r in layers),
        "dense_ops": sum(r.dense_ops for r in layers),
        "sparsity": (sum(r.sparsity * r.params for r in layers) / total_params) if total_params else 0.0,
        "timesteps": T,
    }
    totals["compression"] = totals["fp32_bits"] / totals["storage_bits"] if totals["storage_bits"] else None
    totals["energy_pj"] = snn_energy_pj(totals["acs"], totals["macs"])
    totals["ann_energy_pj"] = ann_energy_pj(totals["dense_ops"])
    totals["energy_ratio_ann_over_snn"] = (totals["ann_energy_pj"] / totals["energy_pj"]
                                           if totals["energy_pj"] else None)
    ent = [r.entropy for r in layers if r.entropy is not None]
    totals["mean_entropy"] = float(np.mean(ent)) if ent else None

    report = {
        "source": manifest.get("source"), "snnc_version": manifest.get("snnc_version"),
        "targets": names, "timesteps": main.timesteps, "samples_measured": int(xb.shape[1]),
        "energy_model": {"pJ_per_AC": E_AC_PJ, "pJ_per_MAC": E_MAC_PJ, "node": "45 nm"},
        "entropy_optimum_bits": LOG2_3,
        "layers": [r.as_dict() for r in layers], "firing_rates": rates, "totals": totals,
        "metadata": {k: v for k, v in main.float_graph.attrs.items() if isinstance(v, (str, int, float, bool))},
    }
    if labels is not None:
        acc = {"float graph": _accuracy(_batched(ref_run, main.float_graph, x, encode_inputs, batch), labels)}
        if integer_names:
            acc["integer graph"] = _accuracy(_batched(ref_run, main.graph, x, encode_inputs, batch), labels)
        by_pipeline = {}
        for n in names:
            c = load_compiled(out_dir, n)
            if getattr(get_target(n), "exact", True):      # equal to the reference on its own graph
                if c.pipeline not in by_pipeline:
                    by_pipeline[c.pipeline] = _accuracy(_batched(ref_run, c.graph, x, encode_inputs, batch), labels)
                acc[n] = by_pipeline[c.pipeline]
            else:                                           # its own arithmetic (Loihi): run it
                acc[n] = _accuracy(np.concatenate([np.asarray(c.run(x[:, s:s + batch]))
                                                   for s in range(0, x.shape[1], batch)], axis=1), labels)
        report["accuracy"] = acc
        report["samples_evaluated"] = int(x.shape[1])
    for name, fname, key in (("hls", "estimates.json", "hls_estimates"), ("loihi", "mapping.json", "loihi_mapping")):
        if name in manifest["targets"]:
            p = out_dir / manifest["targets"][name]["folder"] / fname
            if p.is_file():
                report[key] = json.loads(p.read_text())
    if labels is not None:
        unc = _uncertainty(manifest.get("source") or {})
        if unc is not None:
            report["uncertainty"] = unc
    report["_raster"] = {n.name: np.asarray(trace[n.name]) for n in graph if n.op in NEURONS}
    return report


def _uncertainty(source: dict) -> float | None:
    """Mean normalized predictive entropy of the source checkpoint over 20 Monte-Carlo passes with
    its dropout / dropconnect active (None when the source is not a checkpoint that still exists)."""
    path = Path(source.get("resolved", source.get("path", "")))
    if path.suffix not in (".pt", ".pth") or not path.is_file():
        return None
    from snnc.checkpoint import load
    from snnc.train import uncertainty

    return uncertainty(load(path), passes=20)


def _batched(run, graph, x, encode, batch):
    return np.concatenate([np.asarray(run(graph, encode(graph, x[:, s:s + batch])))
                           for s in range(0, x.shape[1], batch)], axis=1)


def write_report(out_dir, report: dict) -> dict[str, Path]:
    """Write report.json, report.md and the PNG plots into `out_dir`; return their paths."""
    from snnc.io import atomic_write

    out_dir = Path(out_dir)
    raster = report.pop("_raster", {})
    paths = {}
    for key, fn, name in (("weights_png", lambda p: plots.weight_states(report["layers"], p), "weight_states.png"),
                          ("rates_png", lambda p: plots.firing_rates(report["firing_rates"], p), "firing_rates.png"),
                          ("raster_png", lambda p: plots.raster(raster, p), "raster.png")):
        if fn(out_dir / name) is not None:
            paths[key] = out_dir / name
    report["plots"] = {k: p.name for k, p in paths.items()}
    paths["json"] = atomic_write(out_dir / "report.json",
                                 lambda tmp: Path(tmp).write_text(json.dumps(report, indent=2, default=float) + "\n"))
    paths["md"] = atomic_write(out_dir / "report.md", lambda tmp: Path(tmp).write_text(render_markdown(report)))
    return paths
