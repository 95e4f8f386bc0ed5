"""Resource and latency estimates of an HLS project, before synthesis (`estimates.json`, README table).

These are planning numbers, not Vitis' report (run csynth for that). The formulas:

Cycles per timestep of a layer with P lanes (one pipelined loop at II = 1, each
loop adding `PIPELINE_DEPTH` = 3 cycles of iteration latency):
* linear  [R rows, IN → OUT]:           R · (OUT/P) · (IN + 3)
* conv2d  [C → O, Ho × Wo, K = C/g·kh·kw]: Ho · Wo · (O/P) · (K + 3)
* spike_matmul [H × (M×K)·(K×N)]:       H · M · (N/P) · (K + 3)
* every other layer of N elements:      N/P + 3
* reading the AXI streams (axis interface): one element per cycle, Σ input sizes,
  and the same for the outputs.
A layer's latency per sample of T timesteps is T times its cycles per timestep. A
timestep costs the sum over layers (layers in sequence), or with DATAFLOW the
slowest layer (its initiation interval), so per sample:
latency = T · (I/O + Σ layers) cycles, or T · (I/O + max layer) + (Σ − max) with
DATAFLOW; latency_us = latency / clock_MHz. The state reset adds max(N/P) cycles.

Memory (BRAM_18K): an array of `depth × width` bits split into `banks` (its
partition: P lanes for state, the words of a packed weight row for weights) costs,
per bank, min over the BRAM_18K shapes (16K×1, 8K×2, 4K×4, 2K×9, 1K×18, 512×36) of
⌈width / w⌉ · ⌈depth / d⌉, unless the bank holds at most 1024 bits, which HLS keeps
in LUTs (⌈bits / 64⌉ LUTRAM LUTs). Buffers between layers count twice with DATAFLOW
(ping-pong).

Logic: each layer costs 150 LUT and 200 FF of control (loop counters, FSM,
address generation) plus, per lane, its datapath: an accumulator of A bits costs
≈ A LUT + the weight decode; ternary weights and spike inputs need no multiplier;
a multiplier whose operands both exceed 4 bits maps to DSP48E2 slices
(⌈a/18⌉ · ⌈b/27⌉ each), a narrower one to ≈ a·b LUTs. So ternary layers use 0 DSPs.
"""
from __future__ import annotations

from .layers import PIPELINE_DEPTH
from .plan import Project

BRAM_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))
LUTRAM_BITS = 1024
CONTROL_LUT, CONTROL_FF = 150, 200


def bram18(depth: int, width: int) -> int:
    return min(-(-width // w) * -(-depth // d) for d, w in BRAM_SHAPES)


def memory(length: int, width: int, banks: int = 1) -> tuple[int, int]:
    """(BRAM_18K, LUT) of an array of `length` elements of `width` bits in `banks` partitions."""
    depth = -(-length // max(banks, 1))
    if depth * width <= LUTRAM_BITS:
        return 0, banks * -(-(depth * width) // 64)
    return banks * bram18(depth, width), 0


def estimate(project: Project) -> dict:
    o = project.options
    layers = []
    for layer in project.layers:
        c = layer.cost
        w_bram = w_lut = 0
        for rom in layer.roms:
            banks = layer.data.get("nw", 1) if rom.name == layer.data.get("w_name") else 1
            b, lut = memory(rom.length, rom.bits, banks)
            w_bram, w_lut = w_bram + b, w_lut + lut
        s_bram = s_lut = 0
        for s in layer.states:
            b, lut = memory(s.size, s.bits, s.lanes)
            s_bram, s_lut = s_bram + b, s_lut + lut
        layers.append({
            "name": layer.node, "op": layer.op, "lanes": c.lanes,
            "cycles_per_timestep": c.cycles,
            "latency_cycles_per_sample": o.timesteps * c.cycles,
            "latency_us_per_sample": round(o.timesteps * c.cycles / o.clock_mhz, 3),
            "bram_18k_weights": w_bram, "bram_18k_state": s_bram,
            "lut": CONTROL_LUT + c.lanes * c.lut_per_lane + w_lut + s_lut,
            "ff": CONTROL_FF + c.lanes * c.ff_per_lane,
            "dsp": c.lanes * c.dsp_per_lane,
            "ternary": c.ternary, "synaptic_ops_per_timestep": c.synapses,
        })
    buf_bram = buf_lut = 0
    copies = 2 if project.dataflow else 1
    for b in project.buffers:
        bram, lut = memory(b.size, b.dtype.width, project.partitions.get(b.name, 1))
        buf_bram, buf_lut = buf_bram + copies * bram, buf_lut + copies * lut
    io = sum(b.size for b in project.inputs + project.outputs) if o.interface == "axis" else 0
    cycles = [entry["cycles_per_timestep"] for entry in layers]
    total_layers, slowest = sum(cycles), max(cycles, default=0)
    per_step = io + (slowest if project.dataflow else total_layers)
    reset = max((s.size // s.lanes for s in project.states), default=0) + (PIPELINE_DEPTH if project.states else 0)
    latency = o.timesteps * per_step + (total_layers - slowest if project.dataflow else 0) + reset
    return {
        "top": project.top, "clock_mhz": o.clock_mhz, "timesteps": o.timesteps, "interface": o.interface,
        "dataflow": project.dataflow, "dataflow_note": project.dataflow_note,
        "layers": layers,
        "buffers": {"bram_18k": buf_bram, "lut": buf_lut},
        "io_cycles_per_timestep": io,
        "total": {
            "cycles_per_timestep": per_step,
            "latency_cycles_per_sample": latency,
            "latency_us_per_sample": round(latency / o.clock_mhz, 3),
            "bram_18k": sum(e["bram_18k_weights"] + e["bram_18k_state"] for e in layers) + buf_bram,
            "lut": sum(e["lut"] for e in layers) + buf_lut,
            "ff": sum(e["ff"] for e in layers),
            "dsp": sum(e["dsp"] for e in layers),
        },
        "note": "pre-synthesis estimates (formulas in snnc/backends/hls/estimates.py); "
                "the Vitis HLS csynth report is authoritative",
    }
