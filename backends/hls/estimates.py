"""Resource and throughput estimates of an HLS project, before synthesis (`estimates.json`, README table).

These are planning numbers from the formulas below, not Vitis' report (run csynth for
that); the folding solver (`folding.py`) uses the same functions. D = `PIPELINE_DEPTH`
= 3 cycles of iteration latency per pipelined loop.

Cycles per timestep of a layer (one flattened loop at II = 1):
* synaptic (linear, conv2d, spike_matmul), PE output lanes × SIMD input lanes:
  outer · (N / PE) · (K / SIMD) + D, with outer = rows (linear), Ho·Wo·groups (conv2d),
  heads·M (spike_matmul), N the outputs PE divides, K the fan-in SIMD divides;
* every other layer of N elements and PE lanes: N / PE + D;
* the AXI streams (axis interface): one element per cycle, Σ input sizes + Σ output sizes.
The network's interval per timestep is II = io + max(layer) with DATAFLOW (the layers
of a timestep run as a pipeline, timesteps overlapping), else io + Σ(layer). Per sample
of T timesteps: interval = T · II + reset, where the state reset takes max(N/PE) + D;
samples per second = clock / interval; latency = interval + (Σ − max) with DATAFLOW
(the pipeline fill), else the interval itself.

Logic of a layer: 150 LUT + 200 FF of control, plus per PE lane of a synaptic layer with
an A-bit accumulator, SIMD = S, x-bit inputs, w-bit weights:
* binary spikes × ternary weights (popcount):  2·S + A + 2·⌈log2(S+1)⌉ LUT  (two popcount
  trees of S AND terms, their difference, the accumulator), 0 DSP;
* ternary weights, multi-bit inputs (adder tree): S·(x + 1) + A LUT, 0 DSP;
* k-bit weights on spikes (select and add):        S·w + A LUT, 0 DSP;
* products: S·(w·x) + S·(w + x) + A LUT when min(w, x) ≤ 4, else S·(w + x) + A LUT and
  S·⌈w/18⌉·⌈x/27⌉ DSP48 slices;
  FF per lane: A + S·x (accumulator and input registers);
and per lane of any other layer its datapath (builders in `layers/`: an adder, a comparator,
the leak product — a DSP only when both operands exceed 4 bits).

Memory: an array of `depth × width` bits split into `banks` partitions costs, per bank,
min over the BRAM_18K shapes (16K×1, 8K×2, 4K×4, 2K×9, 1K×18, 512×36) of
⌈width / w⌉ · ⌈depth / d⌉ BRAM_18K, unless the bank holds at most 1024 bits, which HLS keeps
in LUTs (⌈bits / 64⌉ LUTRAM LUTs). A weight memory of C codes of b bits is read one row of
PE·SIMD codes per cycle: C / (PE·SIMD) rows, in ⌈PE·SIMD·b / 64⌉ banks of 64-bit words.
State (membranes, currents) is PE banks of N / PE words; on a part with UltraRAM a bank over
`URAM_MIN_BITS` goes to URAM (4K × 72 bits per block: ⌈width/72⌉ · ⌈depth/4096⌉) — weights
stay in BRAM (UltraRAM cannot be initialized from the bitstream). Buffers between layers
count twice with DATAFLOW (ping-pong), and a channel that bypasses pipeline stages (the
skip path of a residual branch) holds `depth` frames (`plan.py`, the schedule).

Utilization = total / the part's resources (`parts.py`); the binding resource is the most
used one. Everything here is pre-synthesis.
"""
from __future__ import annotations

from .layers import PIPELINE_DEPTH, Fold
from .parts import RESOURCES, Part
from .plan import Project

BRAM_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))
LUTRAM_BITS = 1024
URAM_MIN_BITS = 4 * 36 * 1024          # a state bank larger than 4 BRAM_36 goes to UltraRAM
URAM_DEPTH, URAM_WIDTH = 4096, 72
CONTROL_LUT, CONTROL_FF = 150, 200
WORD_BITS = 64


def bram18(depth: int, width: int) -> int:
    return min(-(-width // w) * -(-depth // d) for d, w in BRAM_SHAPES)


def memory(length: int, width: int, banks: int = 1) -> tuple[int, int]:
    """(BRAM_18K, LUT) of an array of `length` elements of `width` bits in `banks` partitions."""
    depth = -(-length // max(banks, 1))
    if depth * width <= LUTRAM_BITS:
        return 0, banks * -(-(depth * width) // 64)
    return banks * bram18(depth, width), 0


def state_memory(length: int, width: int, banks: int, part: Part | None) -> dict:
    """BRAM_18K / URAM / LUT of a state array (URAM for large banks on a part that has it)."""
    depth = -(-length // max(banks, 1))
    if part is not None and part.uram and depth * width > URAM_MIN_BITS:
        return {"uram": banks * -(-width // URAM_WIDTH) * -(-depth // URAM_DEPTH), "bram_18k": 0, "lut": 0}
    bram, lut = memory(length, width, banks)
    return {"uram": 0, "bram_18k": bram, "lut": lut}


def cycles(fold: Fold, pe: int, simd: int = 1) -> int:
    """Clock cycles per timestep of a layer folded PE × SIMD (formulas above)."""
    if fold.kind == "mvu":
        return fold.outer * (fold.pe_size // pe) * (fold.simd_size // simd) + PIPELINE_DEPTH
    return fold.pe_size // pe + PIPELINE_DEPTH


def lane_logic(fold: Fold, simd: int) -> tuple[int, int, int]:
    """(LUT, FF, DSP) of one PE lane's datapath."""
    if fold.kind != "mvu":
        return fold.lut_lane, fold.ff_lane, fold.dsp_lane
    a, x, w, s = fold.acc_bits, fold.xbits, fold.wbits, simd
    ff = a + s * x
    if fold.mode == "popcount":
        return 2 * s + a + 2 * s.bit_length(), ff, 0
    if fold.mode == "ternary":
        return s * (x + 1) + a, ff, 0
    if fold.mode == "select":
        return s * w + a, ff, 0
    if min(w, x) <= 4:
        return s * (w * x) + s * (w + x) + a, ff, 0
    return s * (w + x) + a, ff, s * -(-w // 18) * -(-x // 27)


def layer_cost(fold: Fold, pe: int, simd: int = 1, part: Part | None = None) -> dict:
    """Cycles per timestep and LUT / FF / BRAM_18K / URAM / DSP of one layer folded PE × SIMD."""
    lut, ff, dsp = lane_logic(fold, simd)
    cost = {"cycles": cycles(fold, pe, simd), "lut": CONTROL_LUT + pe * lut, "ff": CONTROL_FF + pe * ff,
            "dsp": pe * dsp, "bram_18k_weights": 0, "bram_18k_state": 0, "uram": 0}
    mem_lut = 0
    if fold.weights is not None:
        codes, bits = fold.weights
        row = pe * simd
        cpw = max(1, min(row, WORD_BITS // bits))
        nw = -(-row // cpw)
        b, lut_w = memory(-(-codes // row) * nw, cpw * bits, nw)
        cost["bram_18k_weights"] += b
        mem_lut += lut_w
    for length, bits in fold.params:
        b, lut_p = memory(length, bits)
        cost["bram_18k_weights"] += b
        mem_lut += lut_p
    for size, bits in fold.states:
        m = state_memory(size, bits, pe, part)
        cost["bram_18k_state"] += m["bram_18k"]
        cost["uram"] += m["uram"]
        mem_lut += m["lut"]
    cost["lut"] += mem_lut
    cost["bram_18k"] = cost["bram_18k_weights"] + cost["bram_18k_state"]
    return cost


def buffer_cost(project: Project) -> dict:
    """BRAM_18K / LUT of the buffers between layers (ping-pong with DATAFLOW; bypass channels deeper)."""
    bram = lut = 0
    for b in project.buffers:
        copies = project.depths.get(b.name, 2) if project.dataflow else 1
        m_bram, m_lut = memory(b.size, b.dtype.width, project.partitions.get(b.name, 1))
        bram, lut = bram + copies * m_bram, lut + copies * m_lut
    return {"bram_18k": bram, "lut": lut}


def io_cycles(project: Project) -> int:
    return sum(b.size for b in project.inputs + project.outputs) if project.options.interface == "axis" else 0


def throughput(layer_cycles: list[int], io: int, dataflow: bool, timesteps: int, reset: int,
               clock_mhz: float) -> dict:
    """The network's interval per timestep, per sample, its latency and samples per second."""
    total, slowest = sum(layer_cycles), max(layer_cycles, default=0)
    per_step = io + (slowest if dataflow else total)
    interval = timesteps * per_step + reset
    latency = interval + (total - slowest if dataflow else 0)
    return {"cycles_per_timestep": per_step, "interval_cycles_per_sample": interval,
            "latency_cycles_per_sample": latency, "latency_us_per_sample": round(latency / clock_mhz, 3),
            "samples_per_second": round(clock_mhz * 1e6 / interval, 1)}


def reset_cycles(project: Project) -> int:
    return max((s.size // s.lanes for s in project.states), default=0) + (PIPELINE_DEPTH if project.states else 0)


def utilization(total: dict, part: Part | None) -> dict | None:
    if part is None:
        return None
    caps = part.totals()
    return {r: round(total[r] / caps[r], 4) if caps[r] else (0.0 if not total[r] else float("inf"))
            for r in RESOURCES}


def binding(util: dict | None) -> str | None:
    return max(util, key=util.get) if util else None


def estimate(project: Project) -> dict:
    o = project.options
    part = o.device
    layers = []
    for layer in project.layers:
        c = layer_cost(layer.fold, layer.lanes, layer.simd, part)
        layers.append({
            "name": layer.node, "op": layer.op, "lanes": layer.lanes, "pe": layer.lanes, "simd": layer.simd,
            "cycles_per_timestep": c["cycles"], "ii": 1,
            "latency_cycles_per_sample": o.timesteps * c["cycles"],
            "latency_us_per_sample": round(o.timesteps * c["cycles"] / o.clock_mhz, 3),
            "bram_18k_weights": c["bram_18k_weights"], "bram_18k_state": c["bram_18k_state"], "uram": c["uram"],
            "lut": c["lut"], "ff": c["ff"], "dsp": c["dsp"],
            "ternary": layer.fold.ternary, "synaptic_ops_per_timestep": layer.fold.synapses,
        })
    buffers = buffer_cost(project)
    io = io_cycles(project)
    perf = throughput([e["cycles_per_timestep"] for e in layers], io, project.dataflow, o.timesteps,
                      reset_cycles(project), o.clock_mhz)
    total = dict(perf,
                 bram_18k=sum(e["bram_18k_weights"] + e["bram_18k_state"] for e in layers) + buffers["bram_18k"],
                 uram=sum(e["uram"] for e in layers),
                 lut=sum(e["lut"] for e in layers) + buffers["lut"],
                 ff=sum(e["ff"] for e in layers),
                 dsp=sum(e["dsp"] for e in layers))
    util = utilization(total, part)
    slow = max(layers, key=lambda e: e["cycles_per_timestep"])["name"] if layers else None
    return {
        "top": project.top, "clock_mhz": o.clock_mhz, "timesteps": o.timesteps, "interface": o.interface,
        "part": o.part, "part_resources": part.totals() if part else None,
        "dataflow": project.dataflow, "dataflow_note": project.dataflow_note,
        "folding": project.folding_note,
        "layers": layers,
        "buffers": buffers,
        "fifo_depths": dict(project.depths),
        "io_cycles_per_timestep": io,
        "slowest_layer": slow,
        "total": total,
        "utilization": util,
        "binding_resource": binding(util),
        "note": "pre-synthesis estimates (formulas in snnc/backends/hls/estimates.py); "
                "the Vitis HLS csynth report is authoritative",
    }
