"""The folding solver: PE × SIMD per layer for a throughput goal on a named part (`fps`, `fold` options).

Every layer's candidates are the divisors of what PE and SIMD must divide (`Fold`,
`parallelism.py`); a PE or SIMD the user gave (`parallelism`, `simd`) is kept. For a
budget of B cycles per timestep each layer takes its cheapest candidate with
`estimates.cycles` ≤ B — cheapest by Σ over resources of use / (the part's total ·
max_utilization) — and the design fits when every resource's total (layers, plus the
buffers between them) stays within max_utilization of the part. Cheaper per layer as B
grows, so fitting is monotone in B and the smallest fitting B is found by bisection.

The design runs as a DATAFLOW region (`streams.py`), so a timestep takes max(B, io),
io being the slowest port process (`estimates.py`). Goals:
* ``fps=N``: the largest B with T · max(B, io) + reset ≤ clock / N (the interval formula of
  `estimates.py`, the reset at the PEs chosen for B);
* ``fold=max-throughput``: the smallest B that fits, but not below io (no layer faster
  than the ports can feed it);
* ``fold=balanced``: the same within half the resources (max_utilization / 2), leaving
  half of the allowance to the rest of the system;
* ``fold=min-area``: B = the slowest layer at its smallest folding; every layer takes its
  cheapest folding within that.

When the goal cannot fit, `FoldingError` names the limiting resource (or the layer that
cannot go faster) and the largest fps that fits.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..target import TargetError
from .estimates import buffer_cost, io_cycles, layer_cost, reset_cycles
from .layers import PIPELINE_DEPTH
from .streams import PORT_BEAT
from .parallelism import divisors
from .parts import RESOURCES, Part

NAMES = {"lut": "LUT", "ff": "FF", "bram_18k": "BRAM_18K", "uram": "URAM", "dsp": "DSP"}


class FoldingError(TargetError):
    pass


@dataclass(frozen=True)
class Choice:
    pe: int
    simd: int
    cycles: int
    cost: tuple          # use of each resource (RESOURCES order)
    weight: float        # Σ use / cap


def _candidates(layer, part: Part, caps: dict, opts) -> list[Choice]:
    fold = layer.fold
    pe_fixed = opts.explicit("parallelism", layer.node)
    simd_fixed = opts.explicit("simd", layer.node) if fold.kind == "mvu" else 1
    pes = [pe_fixed] if pe_fixed else divisors(fold.pe_size)
    simds = [simd_fixed] if simd_fixed else divisors(fold.simd_size) if fold.kind == "mvu" else [1]
    out = []
    for pe in pes:
        for s in simds:
            c = layer_cost(fold, pe, s, part)
            use = tuple(c[r] for r in RESOURCES)
            weight = sum(u / caps[r] for u, r in zip(use, RESOURCES) if caps[r])
            out.append(Choice(pe, s, c["cycles"], use, weight))
    return sorted(out, key=lambda ch: (ch.cycles, ch.weight))


class Solver:
    def __init__(self, project, share: float = 1.0):
        self.project = project
        self.opts = opts = project.options
        if not project.dataflow:
            raise FoldingError("hls target: options fps and fold fold the layers of a DATAFLOW design; drop "
                               "-O dataflow=false")
        self.part = opts.device
        self.caps = {r: v * opts.max_utilization * share for r, v in self.part.totals().items()}
        self.layers = project.layers
        self.cands = [_candidates(layer, self.part, self.caps, opts) for layer in self.layers]
        buf = buffer_cost(project)
        self.fixed = {r: 0 for r in RESOURCES}
        self.fixed["bram_18k"], self.fixed["lut"] = buf["bram_18k"], buf["lut"]
        self.io = self._ports(project)
        self.reset = reset_cycles(project)
        self.lo = max((min(c.cycles for c in cs) for cs in self.cands), default=1)    # fully parallel
        self.hi = max((max(c.cycles for c in cs) for cs in self.cands), default=1)    # smallest

    @staticmethod
    def _ports(project) -> int:
        """The slowest port process at its widest: axis N (one element per cycle); array N / W + D, W the
        widest beat (`streams.PORT_BEAT`) — the layers next to it are folded to match."""
        if project.options.interface == "axis":
            return io_cycles(project)
        return max(b.size // max(d for d in range(1, PORT_BEAT + 1) if b.size % d == 0) + PIPELINE_DEPTH
                   for b in project.inputs + project.outputs)

    def pick(self, budget: int) -> list[Choice] | None:
        """The cheapest choice of every layer within `budget` cycles; None when a layer cannot meet it."""
        picks = []
        for cs in self.cands:
            ok = [c for c in cs if c.cycles <= budget]
            if not ok:
                return None
            picks.append(min(ok, key=lambda c: (c.weight, c.cycles)))
        return picks

    def totals(self, picks: list[Choice]) -> dict:
        return {r: self.fixed[r] + sum(p.cost[k] for p in picks) for k, r in enumerate(RESOURCES)}

    def over(self, picks: list[Choice]) -> str | None:
        """The most overused resource, or None when everything fits."""
        tot = self.totals(picks)
        worst = max(RESOURCES, key=lambda r: tot[r] / self.caps[r] if self.caps[r] else (tot[r] > 0) * 1e9)
        return worst if tot[worst] > self.caps[worst] else None

    def fits(self, budget: int) -> bool:
        picks = self.pick(budget)
        return picks is not None and self.over(picks) is None

    def best_budget(self) -> int | None:
        """The smallest budget that fits, or None when even the smallest folding does not."""
        if not self.fits(self.hi):
            return None
        lo, hi = self.lo, self.hi
        while lo < hi:
            mid = (lo + hi) // 2
            if self.fits(mid):
                hi = mid
            else:
                lo = mid + 1
        return lo

    def interval(self, budget: int) -> int:
        """Cycles per sample at `budget`: T · max(budget, io) + the state reset of the chosen PEs."""
        picks = self.pick(budget)
        reset = max((sum(size // p.pe + PIPELINE_DEPTH for size, _ in layer.fold.states)
                     for layer, p in zip(self.layers, picks)), default=0) if picks else self.reset
        return self.opts.timesteps * max(self.io, budget) + reset

    def fps_of(self, budget: int) -> float:
        return self.opts.clock_mhz * 1e6 / self.interval(budget)

    def where(self) -> str:
        p = self.part
        share = self.caps["lut"] / p.lut if p.lut else self.opts.max_utilization
        return f"part {p.device} ({p.board}) within {100 * share:.0f} % of its resources"

    def nothing_fits(self) -> FoldingError:
        picks = self.pick(self.hi)
        r = self.over(picks)
        tot = self.totals(picks)
        top = max(range(len(picks)), key=lambda k: picks[k].cost[RESOURCES.index(r)])
        return FoldingError(
            f"hls target: no folding fits {self.where()}: {NAMES[r]} needs {tot[r]:,} of {int(self.caps[r]):,} "
            f"even at the smallest folding (the most: layer %{self.layers[top].node}, "
            f"{picks[top].cost[RESOURCES.index(r)]:,}); give a larger -O part= (one of xcu250, xcu55c, xczu7ev, "
            f"xck26, xc7z020) or -O max_utilization=1")

    def limit_text(self, best: int) -> str:
        """Why the design cannot be faster than `best` cycles per timestep: a resource or a layer."""
        if best <= self.lo:
            k = max(range(len(self.cands)), key=lambda j: min(c.cycles for c in self.cands[j]))
            c = self.cands[k][0]
            return (f"layer %{self.layers[k].node} at its fastest (PE={c.pe}, SIMD={c.simd}) takes {c.cycles:,} "
                    "cycles per timestep")
        picks = self.pick(best - 1)
        r = self.over(picks) if picks is not None else None
        return f"limited by {NAMES[r]}" if r else "limited by the layers' fastest foldings"

    def solve(self) -> tuple[dict[str, tuple[int, int]], str]:
        """node → (PE, SIMD) for the goal of the options, and a note for the estimates."""
        o = self.opts
        best = self.best_budget()
        if best is None:
            raise self.nothing_fits()
        if o.fold == "min-area":
            budget, goal = self.hi, "fold=min-area"
        elif o.fold in ("max-throughput", "balanced"):
            budget, goal = max(best, self.io), f"fold={o.fold}"
        else:
            allowed = o.clock_mhz * 1e6 / o.fps          # cycles per sample
            goal = f"fps={o.fps:g}"
            top = o.clock_mhz * 1e6 / (o.timesteps * self.io)
            if o.timesteps * self.io > allowed:
                raise FoldingError(
                    f"hls target: fps={o.fps:g} is more than the ports can carry: the slowest port takes "
                    f"{self.io:,} cycles per timestep (interface={o.interface}: "
                    f"{'one element' if o.interface == 'axis' else 'one beat'} per cycle), so at most "
                    f"{top:,.0f} samples/s; give -O fps={int(top)} or lower"
                    + (", or -O interface=array (one beat of PE elements per cycle)" if o.interface == "axis"
                       else ""))
            if self.interval(best) > allowed:
                largest = self.fps_of(best)
                raise FoldingError(
                    f"hls target: fps={o.fps:g} does not fit {self.where()}: the largest that fits is "
                    f"{largest:,.0f} samples/s ({self.limit_text(best)}); give -O fps={int(largest)} or lower, "
                    f"-O fold=max-throughput, or a larger -O part=")
            lo, hi = best, self.hi                        # the largest (cheapest) budget that meets the fps
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self.interval(mid) <= allowed:
                    lo = mid
                else:
                    hi = mid - 1
            budget = lo
        picks = self.pick(budget)
        layers = {layer.node: (p.pe, p.simd) for layer, p in zip(self.layers, picks)}
        return layers, f"{goal}: every layer within {budget:,} cycles per timestep on {self.where()}"


def solve(project) -> tuple[dict[str, tuple[int, int]], str]:
    return Solver(project, 0.5 if project.options.fold == "balanced" else 1.0).solve()


def check_fit(project, estimates: dict) -> None:
    """Refuse a folding over the part's resources (100 %), naming the layer that uses the most and its choices."""
    part = project.options.device
    util = estimates.get("utilization")
    if part is None or not util:
        return
    r = max(util, key=util.get)
    if util[r] <= 1.0:
        return
    key = {"bram_18k": lambda e: e["bram_18k_weights"] + e["bram_18k_state"]}.get(r, lambda e: e[r])
    top = max(estimates["layers"], key=key)
    layer = next(la for la in project.layers if la.node == top["name"])
    pes = ", ".join(str(d) for d in divisors(layer.fold.pe_size) if d < layer.lanes) or "none"
    simds = ", ".join(str(d) for d in divisors(layer.fold.simd_size) if d < layer.simd) or "none"
    raise FoldingError(
        f"hls target: the folding does not fit part {part.device} ({part.board}): {NAMES[r]} "
        f"{estimates['total'][r]:,} of {part.totals()[r]:,}; layer %{layer.node} (PE={layer.lanes}, "
        f"SIMD={layer.simd}) uses {key(top):,}; smaller valid choices: PE {pes}; SIMD {simds} "
        f"(options parallelism / simd), or -O fold=max-throughput to let the solver choose")
