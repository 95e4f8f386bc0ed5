"""Per-layer choice of the synaptic kernel (linear and conv2d): what each kernel can express, and
which is fastest for the layer's shape, its input's spike density and the build's SIMD path.

* **bitplane** — binary inputs times ternary weights without multiplies: the input bits are
  packed 64 to a word (k-bit unsigned inputs, e.g. a direct-encoded first layer, as k bit
  planes whose results are added with weights 2^b), the weights are two bit planes (+1 / −1),
  and ``popcount(x & P) − popcount(x & N)`` gives 64 synapses per word. Needs ternary weights,
  an unsigned input of at most 8 bits and, for conv2d, groups = 1. Its cost does not depend on
  the input's density: ``planes · words · outputs`` word operations.
* **event** — event-driven accumulation: the non-zero inputs are listed (branch-free) and each
  adds its contiguous weight row to all outputs (multiplied by the input for graded inputs).
  Any integer weights; conv2d needs groups = 1. Its cost is ``density · inputs · outputs``.
* **direct** (conv2d) — one weight at a time over whole output rows, vectorised along the row;
  zero weights are skipped, ±1 weights add or subtract. Any conv2d (groups, stride, dilation);
  its cost is that of the dense layer times the share of non-zero weights, whatever the density.

``kernels="auto"`` takes, per layer, the kernel of least estimated time (`cost`): the number
of operations above times the nanoseconds per operation measured for each SIMD path
(`NS_PER_OP`, an AMD EPYC (Zen 4) core, single thread, the benchmark networks of
`benchmarks/cpu_runtime.py`; the AVX2 row with the AVX2 path forced). Event conv is not
auto's choice (its position-major scatter was never faster than direct or bitplane there).

The input density of each layer is, in order of preference: measured — the share of non-zero
values of its input on the calibration inputs (the cpu option ``calibration``, an snnc array
file, run through the reference interpreter); else estimated — every spiking neuron's output
fires at ``density`` (the option; default `DEFAULT_DENSITY`, the middle of the 10–30 % the
trained networks show), the graph's inputs too, max / sum pooling of a k-element window turns d
into 1 − (1 − d)^k, and non-spike values (currents) count as dense. Forcing a kernel applies it
wherever it can express the layer; elsewhere the choice falls back to auto's.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snnc.ir import DType, Graph

from ..target import TargetError
from .packing import is_ternary

MAX_PLANES = 8
DEFAULT_DENSITY = 0.2
CALIBRATION_SAMPLES = 8
SPIKING = frozenset({"lif_int", "cuba_lif_int", "threshold", "multispike_int"})
POOLS = frozenset({"maxpool2d", "sumpool2d"})
ALIASES = frozenset({"flatten", "reshape"})

# SIMD path → nanoseconds per operation: a bit-plane word × one output ("bit"), an active
# input's weight added to one output ("event"), the listing of one input ("list"), a
# non-zero conv weight applied at one output position ("direct") and once per non-zero weight
# ("pass": a direct row pass's set-up and remainder; with AVX2 the transformer's 1×1 convs over
# 8×8 patches took 10× their per-position estimate), a word of the conv bit-plane im2col ("col":
# strided stores; a 3-channel 32×32 layer spent most of its bitplane time there)
NS_PER_OP = {
    "avx512": {"bit": 0.08, "event": 0.012, "list": 0.3, "direct": 0.02, "pass": 1.0, "col": 2.0},
    "avx2": {"bit": 0.40, "event": 0.018, "list": 0.3, "direct": 0.03, "pass": 20.0, "col": 2.0},
    "scalar": {"bit": 0.90, "event": 0.06, "list": 0.4, "direct": 0.06, "pass": 20.0, "col": 2.0},
    "portable": {"bit": 2.2, "event": 0.05, "list": 0.4, "direct": 0.06, "pass": 20.0, "col": 2.0},
}
GRADED_EVENT = 1.5            # a graded (multi-bit) input multiplies each weight it adds


@dataclass(frozen=True)
class Choice:
    """A layer's kernel, the density it was chosen for and where that came from, the estimates."""
    kernel: str
    density: float
    source: str               # "measured" | "default" | "option"
    ns: dict                  # kernel → estimated ns per sample and timestep (auto's candidates)

    def note(self) -> str:
        est = ", ".join(f"{k} {_ns(v)}" for k, v in sorted(self.ns.items(), key=lambda kv: kv[1]))
        return f"input density {self.density:.2f} ({self.source}); estimated per sample and step: {est}"


def _ns(v: float) -> str:
    return f"{v:.0f} ns" if v < 1e3 else f"{v / 1e3:.1f} µs" if v < 1e6 else f"{v / 1e6:.1f} ms"


def input_planes(dtype: DType) -> int:
    """Number of bit planes of an input the bitplane kernel can take (0: it cannot)."""
    lo, hi = dtype.range()
    if lo < 0 or hi > (1 << MAX_PLANES) - 1:
        return 0
    return max(1, int(hi).bit_length())


# ---------------------------------------------------------------------------- densities
def estimated_densities(graph: Graph, rate: float) -> dict[str, float]:
    """Node → estimated share of non-zero values (module docstring)."""
    d: dict[str, float] = {}
    for node in graph:
        if node.op == "input" or node.op in SPIKING:
            d[node.name] = rate
        elif node.op in ALIASES or node.op == "output":
            d[node.name] = d[node.operands[0]]
        elif node.op in POOLS:
            k = int(np.prod(node.attrs.get("kernel", (1, 1))))
            d[node.name] = 1.0 - (1.0 - d[node.operands[0]]) ** k
        else:
            d[node.name] = 1.0
    return d


_MEASURED: dict[tuple, dict[str, float]] = {}


def measured_densities(graph: Graph, path: str) -> dict[str, float]:
    """Node → share of non-zero values on the calibration inputs in `path` (an snnc array file with
    one array [T, B, *shape] per graph input, in graph order; the first CALIBRATION_SAMPLES samples)."""
    from ..reference import run as reference_run
    from .iofile import read_arrays

    p = Path(path)
    try:
        key = (id(graph), len(graph), str(p.resolve()), p.stat().st_mtime_ns)
    except OSError as e:
        raise TargetError(f"cpu option calibration={path!r}: cannot read it ({e.strerror}); give an snnc array "
                          "file of inputs (snnc.backends.cpu.write_arrays) or leave the option out") from None
    if key not in _MEASURED:
        arrays = read_arrays(p)
        inputs = list(graph.inputs)
        if len(arrays) != len(inputs):
            raise TargetError(f"cpu option calibration={path!r}: holds {len(arrays)} arrays; the graph takes "
                              f"{len(inputs)} input(s) [T, B, *shape], in graph order")
        x = {n.name: a[:, :CALIBRATION_SAMPLES] for n, a in zip(inputs, arrays)}
        try:
            _, trace = reference_run(graph, x, trace=True)
        except Exception as e:                       # the reference's input errors name the input
            raise TargetError(f"cpu option calibration={path!r}: the inputs do not fit the graph: {e}") from None
        _MEASURED.clear()
        _MEASURED[key] = {n: float(np.count_nonzero(v)) / max(1, v.size) for n, v in trace.items() if "#" not in n}
    return _MEASURED[key]


def densities(graph: Graph, density: float, calibration: str | None) -> tuple[dict[str, float], str]:
    """Node → share of non-zero values, and where the numbers come from."""
    if calibration:
        return measured_densities(graph, calibration), "measured"
    return estimated_densities(graph, density or DEFAULT_DENSITY), "option" if density else "default"


# ---------------------------------------------------------------------------- costs
def linear_costs(weight: np.ndarray, x: DType, K: int, M: int, d: float, path: str, rows: int = 1) -> dict[str, float]:
    """Estimated ns per sample and timestep (`rows` input rows of K) of each kernel that can express the layer."""
    c = NS_PER_OP[path]
    graded = x.range() != (0, 1)
    out = {"event": rows * (d * K * M * c["event"] * (GRADED_EVENT if graded else 1.0) + K * c["list"])}
    planes = input_planes(x)
    if planes and is_ternary(weight):
        out["bitplane"] = rows * planes * math.ceil(K / 64) * math.ceil(M / 8) * 8 * c["bit"]
    return out


def conv_costs(weight: np.ndarray, x: DType, shape: dict, groups: int, d: float, path: str) -> dict[str, float]:
    """Estimated ns per sample of each kernel auto considers for the conv2d layer."""
    c = NS_PER_OP[path]
    C, O, KH, KW, HWO = shape["C"], shape["O"], shape["KH"], shape["KW"], shape["HWO"]
    nonzero = float(np.count_nonzero(weight)) / max(1, weight.size)
    out = {"direct": O * (C // groups) * KH * KW * nonzero * (HWO * c["direct"] + c["pass"])}
    planes = input_planes(x)
    if planes and groups == 1 and is_ternary(weight):
        col = planes * KH * KW * math.ceil(C / 64) * math.ceil(HWO / 8) * 8        # im2col words
        out["bitplane"] = col * (O * c["bit"] + c["col"])
    return out


def _pick(costs: dict[str, float], forced: str, can: set[str]) -> str:
    if forced in can:
        return forced
    return min(costs, key=costs.get)


def choose_linear(weight: np.ndarray, x: DType, K: int, M: int, forced: str, d: float, source: str,
                  path: str, rows: int = 1) -> Choice:
    costs = linear_costs(weight, x, K, M, d, path, rows)
    can = set(costs) | ({"event"} if forced == "direct" else set())
    kernel = "event" if forced == "direct" else _pick(costs, forced, can)
    return Choice(kernel, d, source, costs)


def choose_conv(weight: np.ndarray, x: DType, shape: dict, groups: int, forced: str, d: float, source: str,
                path: str) -> Choice:
    costs = conv_costs(weight, x, shape, groups, d, path)
    can = set(costs) | ({"event"} if groups == 1 else set())
    return Choice(_pick(costs, forced, can), d, source, costs)
