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
With DATAFLOW (`streams.py`) every layer is a process and so is every port, fork and
width converter; a frame process (linear, conv2d, spike_matmul, pooling) takes
max(its layer, N / W + D for each frame it reads or writes), a port process N (axis, one
element per cycle) or N / W + D (array), a converter N / gcd(W_in, W_out) + D. The
network's interval per timestep is II = the slowest process; per sample of T timesteps
interval = T · II + reset (samples follow each other: ap_ctrl_chain), the reset being the
largest Σ over one layer's state arrays of N/PE + D; samples per second = clock /
interval; latency = interval + the pipeline fill (along the longest path, a frame
process adds its cycles, any other D). Without DATAFLOW the layers run one after the
other: per timestep io + Σ(layer), io = Σ port sizes (axis), per sample T times that +
reset.

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
stay in BRAM (UltraRAM cannot be initialized from the bitstream). With DATAFLOW each
hls::stream FIFO is depth × (W · bits) and each frame a frame process reads or writes
counts twice (ping-pong); without, each buffer between layers once.

Utilization = total / the part's resources (`parts.py`); the binding resource is the most
used one. Everything here is pre-synthesis.
"""
from __future__ import annotations

from .layers import PIPELINE_DEPTH, Fold
from .parts import RESOURCES, Part
from .plan import Project
from .streams import process_cycles

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
    """BRAM_18K / LUT of what connects the layers: the buffers of a timestep (sequential design), or
    the FIFOs and the frame processes' ping-pong frames (DATAFLOW)."""
    bram = lut = 0
    if project.schedule is None:
        for b in project.buffers:
            m_bram, m_lut = memory(b.size, b.dtype.width, project.partitions.get(b.name, 1))
            bram, lut = bram + m_bram, lut + m_lut
        return {"bram_18k": bram, "lut": lut}
    for c in project.schedule.channels:                      # a FIFO of depth × (W · bits)
        m_bram, m_lut = memory(c.depth, c.width * c.value.dtype.width)
        bram, lut = bram + m_bram, lut + m_lut
    for p in project.schedule.processes:                     # frames: two copies (ping-pong) each
        if p.kind != "frame":
            continue
        for c in p.ins + p.outs:
            banks = max(c.width, p.layer.lanes if c in p.outs else p.layer.read_lanes)
            m_bram, m_lut = memory(c.value.size, c.value.dtype.width, banks)
            bram, lut = bram + 2 * m_bram, lut + 2 * m_lut
    return {"bram_18k": bram, "lut": lut}


def io_cycles(project: Project) -> int:
    """Cycles per timestep of the ports: added to every timestep (sequential design), or the ports'
    own processes' cycles (DATAFLOW: the slowest port process)."""
    axis = project.options.interface == "axis"
    if project.schedule is not None:
        return max((process_cycles(p, None, axis) for p in project.schedule.processes
                    if p.kind in ("input", "output")), default=0)
    return sum(b.size for b in project.inputs + project.outputs) if axis else 0


def throughput(layer_cycles: list[int], io: int, dataflow: bool, timesteps: int, reset: int,
               clock_mhz: float, fill: int = 0) -> dict:
    """The network's interval per timestep, per sample, its latency and samples per second.

    Sequential design: per timestep io + Σ layers, per sample T times that + reset. DATAFLOW:
    per timestep the slowest process (II, the ports' processes included in `io`), per sample
    T · II + reset (samples follow each other through ap_ctrl_chain), latency + `fill`."""
    total, slowest = sum(layer_cycles), max(layer_cycles, default=0)
    per_step = max(io, slowest) if dataflow else io + total
    interval = timesteps * per_step + reset
    latency = interval + (fill if dataflow else 0)
    return {"cycles_per_timestep": per_step, "interval_cycles_per_sample": interval,
            "latency_cycles_per_sample": latency, "latency_us_per_sample": round(latency / clock_mhz, 3),
            "samples_per_second": round(clock_mhz * 1e6 / interval, 1)}


def reset_cycles(project: Project) -> int:
    """The state reset at the start of a sample: the largest Σ over one layer's state arrays of N/PE + D."""
    per_layer = [sum(s.size // s.lanes + PIPELINE_DEPTH for s in layer.states) for layer in project.layers]
    return max(per_layer, default=0)


def fill_cycles(project: Project, cycles: dict[int, int]) -> int:
    """Pipeline fill of the DATAFLOW region: the longest path of frame processes (a frame each) and
    streaming ones (D each)."""
    if project.schedule is None:
        return 0
    depth: dict[int, int] = {}
    for p in project.schedule.processes:                         # in topological order
        start = max((depth.get(id(c.producer), 0) for c in p.ins if c.producer is not None), default=0)
        depth[id(p)] = start + (cycles.get(id(p), 0) if p.kind == "frame" else PIPELINE_DEPTH)
    return max(depth.values(), default=0)


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
    sched = project.schedule
    proc_cycles = {}
    if sched is not None:                 # a process's cycles: its layer's, or its frames' reads and writes
        axis = o.interface == "axis"
        by_layer = {id(la): e["cycles_per_timestep"] for la, e in zip(project.layers, layers)}
        for p in sched.processes:
            proc_cycles[id(p)] = process_cycles(p, by_layer.get(id(p.layer)), axis)
        for p, e in ((p, e) for p in sched.processes for la, e in zip(project.layers, layers) if p.layer is la):
            e["cycles_per_timestep"] = proc_cycles[id(p)]
        converters = [proc_cycles[id(p)] for p in sched.processes if p.kind == "convert"]
    else:
        converters = []
    perf = throughput([e["cycles_per_timestep"] for e in layers] + converters, io, project.dataflow,
                      o.timesteps, reset_cycles(project), o.clock_mhz, fill_cycles(project, proc_cycles))
    total = dict(perf,
                 bram_18k=sum(e["bram_18k_weights"] + e["bram_18k_state"] for e in layers) + buffers["bram_18k"],
                 uram=sum(e["uram"] for e in layers),
                 lut=sum(e["lut"] for e in layers) + buffers["lut"],
                 ff=sum(e["ff"] for e in layers),
                 dsp=sum(e["dsp"] for e in layers))
    util = utilization(total, part)
    slow = max(layers, key=lambda e: e["cycles_per_timestep"])["name"] if layers else None
    if sched is not None and proc_cycles and max(proc_cycles.values()) > max(
            (e["cycles_per_timestep"] for e in layers), default=0):
        slow = max(sched.processes, key=lambda p: proc_cycles[id(p)]).name      # a port or a converter
    return {
        "top": project.top, "clock_mhz": o.clock_mhz, "timesteps": o.timesteps, "interface": o.interface,
        "part": o.part, "part_resources": part.totals() if part else None,
        "dataflow": project.dataflow, "dataflow_note": project.dataflow_note,
        "folding": project.folding_note,
        "layers": layers,
        "buffers": buffers,
        "fifo_depths": dict(project.depths),
        "fifo_note": "beats of each hls::stream channel: 2, or a frame of N beats (N - 1 when the fork writes "
                     "the sibling first) on a skip path whose sibling branch passes a frame process (streams.py); "
                     "never deadlocks (C-simulation checks it)"
                     if sched is not None else None,
        "processes": [{"name": p.name, "kind": p.kind, "cycles_per_timestep": proc_cycles[id(p)]}
                      for p in sched.processes] if sched is not None else None,
        "io_cycles_per_timestep": io,
        "slowest_layer": slow,
        "total": total,
        "utilization": util,
        "binding_resource": binding(util),
        "note": "pre-synthesis estimates (formulas in snnc/backends/hls/estimates.py); "
                "the Vitis HLS csynth report is authoritative",
    }
