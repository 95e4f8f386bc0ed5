"""report.json → report.md (tables a person reads, with the plots linked)."""
from __future__ import annotations


def _n(v, fmt="{:,.0f}"):
    return "–" if v is None else fmt.format(v)


def _table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def summary_lines(r: dict) -> list[str]:
    t = r["totals"]
    lines = [f"parameters {t['params']:,}; weight storage {t['storage_bits'] / 8 / 1024:.1f} KiB packed vs "
             f"{t['fp32_bits'] / 8 / 1024:.1f} KiB fp32 ({_n(t['compression'], '{:.1f}')}× smaller); "
             f"sparsity {100 * t['sparsity']:.1f}%",
             f"per sample over T={t['timesteps']}: {t['acs']:,.0f} ACs + {t['macs']:,.0f} MACs → "
             f"{t['energy_pj'] / 1e3:,.2f} nJ (45 nm) vs {t['ann_energy_pj'] / 1e3:,.2f} nJ as an fp32 ANN "
             f"(ANN / SNN = {_n(t['energy_ratio_ann_over_snn'], '{:.2f}')})"]
    if t.get("mean_entropy") is not None:
        lines.append(f"mean weight-state entropy {t['mean_entropy']:.3f} bits (ternary optimum 1.585)")
    if "accuracy" in r:
        lines.append("accuracy on " + f"{r['samples_evaluated']} digits test samples: "
                     + ", ".join(f"{k} {100 * v:.2f}%" for k, v in r["accuracy"].items()))
    if "uncertainty" in r:
        lines.append(f"uncertainty (MC dropout, mean normalized predictive entropy): {r['uncertainty']:.4f}")
    return lines


def render_markdown(r: dict) -> str:
    parts = ["# snnc report", ""]
    src = r.get("source") or {}
    parts.append(f"Source: `{src.get('path', src.get('object', '?'))}` · targets: {', '.join(r['targets'])} · "
                 f"T = {r['timesteps']} · snnc {r.get('snnc_version')}")
    parts += ["", "## Summary", ""] + [f"- {line}" for line in summary_lines(r)]
    parts += ["", "## Layers", "", _table(
        ["layer", "op", "weights", "bits/w", "storage (KiB)", "sparsity", "entropy (bits)", "input", "ACs", "MACs",
         "firing rate after"],
        [[L["name"], L["op"], f"{L['params']:,}" + (" (per-step)" if L["time_varying"] else ""),
          f"{L['weight_bits']:g}", f"{L['storage_bits'] / 8 / 1024:.2f}", f"{100 * L['sparsity']:.1f}%",
          _n(L["entropy"], "{:.3f}"), L["input_kind"], _n(L["acs"]), _n(L["macs"]),
          _n(L["firing_rate"], "{:.3f}")] for L in r["layers"]])]
    parts += ["", f"Energy model: {r['energy_model']['pJ_per_AC']} pJ per AC, {r['energy_model']['pJ_per_MAC']} pJ "
              "per MAC (45 nm). ACs = dense ops × input activity × weight density, summed over T; the ANN does "
              "every connection once as a MAC.", ""]
    if r["firing_rates"]:
        parts += ["## Firing rates", "", _table(["neuron layer", "rate"],
                                                [[k, f"{v:.4f}"] for k, v in r["firing_rates"].items()]), ""]
    if "hls_estimates" in r:
        est = r["hls_estimates"]
        tot = est.get("total", est)
        parts += ["## HLS estimates", "", "```", _compact(tot), "```", ""]
    if "loihi_mapping" in r:
        parts += ["## Loihi mapping", "", "```", _compact(r["loihi_mapping"].get("total", r["loihi_mapping"])),
                  "```", ""]
    if "uncertainty" in r:
        parts += [f"Uncertainty of the source checkpoint (mean normalized predictive entropy over 20 "
                  f"Monte-Carlo dropout passes on the test split): {r['uncertainty']:.4f}", ""]
    for key, title in (("weights_png", "Weight states"), ("rates_png", "Firing rates"), ("raster_png", "Raster")):
        if key in r.get("plots", {}):
            parts.append(f"![{title}]({r['plots'][key]})")
    return "\n".join(parts) + "\n"


def _compact(d) -> str:
    if isinstance(d, dict):
        return "\n".join(f"{k}: {v}" for k, v in d.items() if not isinstance(v, (list, dict)))
    return str(d)
