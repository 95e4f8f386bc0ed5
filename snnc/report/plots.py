"""PNG plots of a report (matplotlib, Agg backend: no display needed)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np


def _plt():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt


def weight_states(layers: list[dict], path: Path) -> Path | None:
    """Stacked proportions of the weight levels per layer, with the entropy and the log2(3) optimum."""
    rows = [r for r in layers if r["levels"]]
    if not rows:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(5, 1.2 * len(rows) + 2), 3.8))
    levels = sorted({int(k) for r in rows for k in r["levels"]})
    names = [r["name"] for r in rows]
    bottom = np.zeros(len(rows))
    cmap = plt.get_cmap("coolwarm", max(len(levels), 2))
    for i, lv in enumerate(levels):
        p = np.array([r["levels"].get(lv, r["levels"].get(str(lv), 0.0)) for r in rows])
        ax.bar(names, p, bottom=bottom, color=cmap(i), label=f"{lv:+d}" if lv else "0")
        bottom += p
    ax.set_ylabel("proportion of weights")
    ax.set_ylim(0, 1)
    ax2 = ax.twinx()
    ax2.plot(names, [r["entropy"] for r in rows], "ko-", label="entropy")
    ax2.axhline(math.log2(3), color="k", ls="--", lw=1, label="log2(3) = 1.585")
    ax2.set_ylabel("weight-state entropy (bits)")
    ax2.set_ylim(0, max(2.0, max(r["entropy"] for r in rows) * 1.1))
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="lower left", ncol=2)
    ax.set_title("Weight states per layer")
    ax.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def firing_rates(rates: dict[str, float], path: Path) -> Path | None:
    if not rates:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(5, 0.9 * len(rates) + 2), 3.2))
    ax.bar(list(rates), list(rates.values()), color="tab:orange")
    ax.set_ylabel("mean spikes per neuron per step")
    ax.set_title("Firing rate per layer")
    ax.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def raster(spikes: dict[str, np.ndarray], path: Path, sample: int = 0) -> Path | None:
    """One sample's spikes: one panel per spiking layer, neurons × timesteps."""
    if not spikes:
        return None
    plt = _plt()
    fig, axes = plt.subplots(len(spikes), 1, figsize=(6, 1.4 + 1.3 * len(spikes)), squeeze=False)
    for ax, (name, s) in zip(axes[:, 0], spikes.items()):
        s = np.asarray(s)[:, sample].reshape(s.shape[0], -1)
        t, n = np.nonzero(s)
        ax.scatter(t, n, s=np.clip(4 * s[t, n], 2, 20), marker="|", color="k")
        ax.set_xlim(-0.5, s.shape[0] - 0.5)
        ax.set_ylim(-0.5, s.shape[1] - 0.5)
        ax.set_ylabel(name, fontsize=8)
    axes[-1, 0].set_xlabel("timestep")
    fig.suptitle(f"Spike raster, sample {sample}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
