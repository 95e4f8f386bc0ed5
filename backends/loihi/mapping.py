"""Core mapping of a Loihi `Network` against per-core and per-chip limits.

Each layer's compartments are split into equal contiguous chunks (in the layer's flat
[C, H, W] order), one chunk per core; the chunk is the largest size for which every core
of the layer stays within the limits (`LoihiOptions`: compartments, input axons, output
axons, synapse memory per core; cores per chip and chips). Per core:

* compartments — the chunk's neurons (dense: the fewest cores that fit, the neurons spread
  evenly; conv / pool: chunks of whole channel maps, whole rows or parts of a row);
* input axons — the presynaptic neurons with a synapse onto the chunk (dense: exact, the
  inputs with a nonzero weight in the chunk's rows; conv / pool: per group, its input channels
  times the union of the receptive-field bounding boxes of the chunk's part of each channel
  map — an upper bound, exact for whole rows and maps);
* output axons — one per (neuron, destination core) pair: a neuron needs an axon to each core
  of the next layer that holds one of its targets (exact for a dense next layer; for a conv
  next layer, the cores holding its projective field); the last layer's spikes leave the chip
  through one axon each, a readout (probed by the host) needs none;
* synapse memory — the chunk's synapses in the cheaper of a dense encoding (input axons ×
  compartments × weight bits) and a sparse one (nonzero synapses × (weight bits + the bits of
  a compartment index)); weight bits are the signed mantissa bits the layer needs, so ternary
  layers cost 2 bits per synapse. Conv kernels are stored per core, unrolled (no sharing).

A layer whose single neuron already exceeds a per-core limit, or a network that needs more
cores than ``cores_per_chip × chips``, is refused with a `TargetError` naming the layer and the
numbers.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from ..target import TargetError
from .network import Layer, Network
from .options import LoihiOptions


@dataclass
class LayerMapping:
    name: str
    kind: str
    shape: list[int]
    neurons: int
    fan_in: int
    synapses: int                 # unrolled synapses (taps that fall on padding excluded)
    nonzero_synapses: int
    weight_bits: int
    cores: int
    compartments_per_core: int    # the chunk size (the last core may hold fewer)
    max_input_axons: int
    max_output_axons: int
    max_synapse_bits: int
    cores_detail: list[dict] = field(default_factory=list)   # per core: its chip, usage and neuron range
    chips: list[int] = field(default_factory=list)            # the chips the layer's cores are on


@dataclass
class Mapping:
    limits: dict[str, int]
    layers: list[LayerMapping]
    total_cores: int
    chips_needed: int
    fits: bool
    notes: list[str] = field(default_factory=list)
    chips: list[dict] = field(default_factory=list)    # per chip used: cores, layers

    def as_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------- per-neuron counts
def _valid_taps(size_in: int, size_out: int, k: int, stride: int, pad: int, dil: int) -> np.ndarray:
    """[k, size_out] bool: tap u of output position i lands inside the input (not on padding)."""
    pos = np.arange(size_out)[None, :] * stride - pad + np.arange(k)[:, None] * dil
    return (pos >= 0) & (pos < size_in)


def synapses_per_neuron(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """(all, nonzero) synapses of every neuron, flat [N] int64 (padding taps excluded)."""
    w = layer.weight
    if layer.kind == "dense":
        return np.full(w.shape[0], w.shape[1], np.int64), np.count_nonzero(w, axis=1).astype(np.int64)
    _, H, W = layer.in_shape
    _, Ho, Wo = layer.shape
    kh, kw = w.shape[2:]
    vh = _valid_taps(H, Ho, kh, layer.stride[0], layer.padding[0], layer.dilation[0]).astype(np.int64)
    vw = _valid_taps(W, Wo, kw, layer.stride[1], layer.padding[1], layer.dilation[1]).astype(np.int64)
    nz = (w != 0).sum(axis=1).astype(np.int64)                       # [O, kh, kw]
    ones = np.full(nz.shape, w.shape[1], np.int64)
    count = lambda taps: np.einsum("ouv,ui,vj->oij", taps, vh, vw).reshape(-1)   # noqa: E731
    return count(ones), count(nz)


def chunk_bounds(N: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, N)) for a in range(0, N, size)]


def _span(a: int, b: int, size: int, k: int, s: int, p: int, d: int) -> tuple[int, int]:
    """Input positions [first, last] read by output positions a..b of one axis (clipped to the input)."""
    return max(a * s - p, 0), min(b * s - p + d * (k - 1), size - 1)


def input_axons(layer: Layer, lo: int, hi: int) -> int:
    """Presynaptic neurons that the neurons lo..hi-1 (flat) receive from (see the module docstring)."""
    w = layer.weight
    if layer.kind == "dense":
        return int(np.any(w[lo:hi] != 0, axis=0).sum())
    O, Ho, Wo = layer.shape
    C, H, W = layer.in_shape
    per_map = Ho * Wo
    Og, Cg = O // layer.groups, w.shape[1]
    kh, kw = w.shape[2:]
    (sh, sw), (ph, pw), (dh, dw) = layer.stride, layer.padding, layer.dilation
    masks: dict[int, np.ndarray] = {}          # group → input positions read (one [H, W] mask per group)
    for o in range(lo // per_map, (hi - 1) // per_map + 1):
        a, b = max(lo, o * per_map) - o * per_map, min(hi, (o + 1) * per_map) - 1 - o * per_map
        r0, r1 = a // Wo, b // Wo
        c0, c1 = (a % Wo, b % Wo) if r0 == r1 else (0, Wo - 1)
        (y0, y1), (x0, x1) = _span(r0, r1, H, kh, sh, ph, dh), _span(c0, c1, W, kw, sw, pw, dw)
        mask = masks.setdefault(o // Og, np.zeros((H, W), bool))
        mask[y0:y1 + 1, x0:x1 + 1] = True      # the bounding box of this map segment's receptive fields
    return int(sum(Cg * int(m.sum()) for m in masks.values()))


def destination_cores(layer: Layer, nxt: Layer, size: int) -> np.ndarray:
    """For every neuron of `layer` (flat), the number of `nxt`'s cores (chunks of `size`) it feeds."""
    N = layer.neurons
    chunks = chunk_bounds(nxt.neurons, size)
    if nxt.kind == "dense":
        w = nxt.weight
        return sum(np.any(w[a:b] != 0, axis=0).astype(np.int64) for a, b in chunks)
    O, Ho, Wo = nxt.shape
    C, H, W = nxt.in_shape
    kh, kw = nxt.weight.shape[2:]
    Og, Cg = O // nxt.groups, nxt.weight.shape[1]
    vh = _valid_taps(H, Ho, kh, nxt.stride[0], nxt.padding[0], nxt.dilation[0])
    vw = _valid_taps(W, Wo, kw, nxt.stride[1], nxt.padding[1], nxt.dilation[1])
    rows_of = [np.unique(np.nonzero(_hits(vh, H, nxt.stride[0], nxt.padding[0], nxt.dilation[0], y))[0])
               for y in range(H)]
    cols_of = [np.unique(np.nonzero(_hits(vw, W, nxt.stride[1], nxt.padding[1], nxt.dilation[1], x))[0])
               for x in range(W)]
    out = np.zeros((C, H, W), np.int64)
    for g in range(nxt.groups):
        outs = np.arange(g * Og, (g + 1) * Og)
        for y in range(H):
            for x in range(W):
                i, j = rows_of[y], cols_of[x]
                if not (i.size and j.size):
                    continue
                flat = (outs[:, None, None] * (Ho * Wo) + i[None, :, None] * Wo + j[None, None, :]).reshape(-1)
                out[g * Cg:(g + 1) * Cg, y, x] = np.unique(flat // size).size
    return out.reshape(N)


def _hits(valid: np.ndarray, size: int, s: int, p: int, d: int, y: int) -> np.ndarray:
    """[size_out] bool: output positions with a tap on input position y."""
    k, n_out = valid.shape
    pos = np.arange(n_out)[None, :] * s - p + np.arange(k)[:, None] * d
    return np.any((pos == y) & valid, axis=0)


# ---------------------------------------------------------------------- per-core usage
class _LayerCost:
    def __init__(self, layer: Layer, limits: dict, out_per_neuron: np.ndarray | None):
        self.layer = layer
        self.limits = limits
        self.all_syn, self.nz_syn = synapses_per_neuron(layer)
        self.nz_cum = np.concatenate([[0], np.cumsum(self.nz_syn)])
        self.out = out_per_neuron
        self.out_cum = None if out_per_neuron is None else np.concatenate([[0], np.cumsum(out_per_neuron)])
        self.wbits = layer.weight_bits

    def core(self, lo: int, hi: int) -> dict:
        n = hi - lo
        axons = input_axons(self.layer, lo, hi)
        nnz = int(self.nz_cum[hi] - self.nz_cum[lo])
        dense_bits = axons * n * self.wbits
        sparse_bits = nnz * (self.wbits + max(1, math.ceil(math.log2(max(n, 2)))))
        out = 0 if self.out_cum is None else int(self.out_cum[hi] - self.out_cum[lo])
        return {"compartments": n, "input_axons": axons, "output_axons": out,
                "synapse_bits": int(min(dense_bits, sparse_bits))}

    def fits(self, size: int) -> bool:
        lim = self.limits
        for lo, hi in chunk_bounds(self.layer.neurons, size):
            c = self.core(lo, hi)
            if (c["compartments"] > lim["compartments_per_core"] or c["input_axons"] > lim["input_axons_per_core"]
                    or c["synapse_bits"] > lim["synapse_bits_per_core"]
                    or c["output_axons"] > lim["output_axons_per_core"]):
                return False
        return True

    def chunk(self) -> int:
        """The chunk size: dense layers, the fewest cores that fit with the neurons spread evenly;
        conv and pool layers, the largest size aligned to rows or whole channel maps that fits."""
        N = self.layer.neurons
        if self.layer.kind != "dense":
            return self.largest_aligned_chunk()
        return math.ceil(N / math.ceil(N / self.largest_chunk()))

    def largest_chunk(self) -> int:
        """The largest chunk size that fits (binary search: a dense core's usage grows with its size)."""
        lo, hi = 1, min(self.layer.neurons, self.limits["compartments_per_core"])
        if not self.fits(lo):
            self.refuse()
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.fits(mid):
                lo = mid
            else:
                hi = mid - 1
        return lo

    def largest_aligned_chunk(self) -> int:
        """Chunks of whole channel maps, whole rows of a map, or pieces of one row: the largest that fits.
        (A chunk that straddles rows or maps reads a larger receptive field, so usage does not grow
        monotonically with an arbitrary size.)"""
        _, Ho, Wo = self.layer.shape
        top = min(self.layer.neurons, self.limits["compartments_per_core"])
        sizes = {m * Ho * Wo for m in range(1, top // (Ho * Wo) + 1)} | {r * Wo for r in range(1, Ho + 1)}
        sizes |= set(range(1, Wo + 1))
        for size in sorted((x for x in sizes if x <= top), reverse=True):
            if self.fits(size):
                return size
        self.refuse()

    def refuse(self):
        lim, layer = self.limits, self.layer
        worst = max((self.core(i, i + 1) for i in range(layer.neurons)),
                    key=lambda c: (c["input_axons"] / lim["input_axons_per_core"],
                                   c["synapse_bits"] / lim["synapse_bits_per_core"],
                                   c["output_axons"] / lim["output_axons_per_core"]))
        over = [f"{k.replace('_', ' ')} {worst[k]} > {lim[k + '_per_core']}"
                for k in ("input_axons", "synapse_bits", "output_axons") if worst[k] > lim[k + "_per_core"]]
        raise TargetError(f"target loihi cannot map layer %{layer.name} ({layer.kind}, {layer.neurons} neurons, "
                          f"fan-in {layer.fan_in}): even one neuron per core exceeds the per-core limits "
                          f"({'; '.join(over)}); ways out: raise the limit options "
                          f"(input_axons_per_core, synapse_bits_per_core, output_axons_per_core), or make the "
                          f"layer narrower or sparser")


def map_network(net: Network, opts: LoihiOptions | None = None, strict: bool = True) -> Mapping:
    """Split every layer over cores (module docstring); with `strict`, refuse what does not fit."""
    opts = opts or LoihiOptions()
    limits = opts.limits()
    layers = net.layers
    costs = [_LayerCost(layer, limits, None) for layer in layers]
    sizes = [c.chunk() for c in costs]
    # output axons depend on the next layer's split: settle them from the last layer backwards
    for k in range(len(layers) - 1, -1, -1):
        layer = layers[k]
        if k + 1 < len(layers):
            out = destination_cores(layer, layers[k + 1], sizes[k + 1])
        else:
            spikes_out = layer.readout is None or layer.readout.probe == "s"
            out = np.full(layer.neurons, 1 if spikes_out else 0, np.int64)
        costs[k] = _LayerCost(layer, limits, out)
        sizes[k] = costs[k].chunk()
    result = []
    for layer, cost, size in zip(layers, costs, sizes):
        cores = [dict(core=i, **cost.core(lo, hi)) for i, (lo, hi) in enumerate(chunk_bounds(layer.neurons, size))]
        result.append(LayerMapping(
            name=layer.name, kind=layer.kind, shape=list(layer.shape), neurons=layer.neurons, fan_in=layer.fan_in,
            synapses=int(cost.all_syn.sum()), nonzero_synapses=int(cost.nz_syn.sum()), weight_bits=cost.wbits,
            cores=len(cores), compartments_per_core=size,
            max_input_axons=max(c["input_axons"] for c in cores),
            max_output_axons=max(c["output_axons"] for c in cores),
            max_synapse_bits=max(c["synapse_bits"] for c in cores), cores_detail=cores))
    total = sum(m.cores for m in result)
    per_chip = limits["cores_per_chip"]
    used = 0                                   # cores are placed on the chips in layer order
    for m in result:
        for c in m.cores_detail:
            c["chip"] = (used + c["core"]) // per_chip
        m.chips = sorted({c["chip"] for c in m.cores_detail})
        used += m.cores
    chips = [{"chip": i, "cores": sum(1 for m in result for c in m.cores_detail if c["chip"] == i),
              "layers": [m.name for m in result if i in m.chips]} for i in range(math.ceil(total / per_chip))]
    capacity = limits["cores_per_chip"] * limits["chips"]
    chips_needed = math.ceil(total / limits["cores_per_chip"])
    fits = total <= capacity
    if strict and not fits:
        used = 0
        for m in result:
            used += m.cores
            if used > capacity:
                break
        raise TargetError(f"target loihi cannot fit the model on {limits['chips']} chip(s) of "
                          f"{limits['cores_per_chip']} cores: layer %{m.name} ({m.kind}, {m.neurons} neurons, "
                          f"{m.nonzero_synapses} synapses) needs {m.cores} cores, bringing the total to {used} "
                          f"of {capacity} (the whole model needs {total} cores, {chips_needed} chips); ways out: "
                          f"the option chips={chips_needed}, higher per-core limits, or a smaller model")
    notes = [f"{total} cores of {capacity} ({limits['chips']} chip(s) × {limits['cores_per_chip']})"]
    crossings = sum(1 for a, b in zip(result, result[1:]) if a.chips != b.chips or len(a.chips) > 1)
    if len(chips) > 1:
        notes.append(f"{len(chips)} chips: cores are placed in layer order; {crossings} of {len(result) - 1} "
                     f"layer-to-layer connections span chips (their spikes cross the inter-chip links)")
    return Mapping(limits=limits, layers=result, total_cores=total, chips_needed=chips_needed, fits=fits,
                   notes=notes, chips=chips)
