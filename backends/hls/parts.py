"""FPGA parts the hls target knows the resources of: the `part` option's table and board aliases.

Resource counts are the vendor data sheets' device totals (the numbers Vitis HLS
prints as "available" in its csynth report for the same part):

* xcu250 (Alveo U250) — AMD DS962 "Alveo U200 and U250 Data Center Accelerator Cards",
  Table 1: 1,728K LUTs, 3,456K registers, 2,688 block RAMs (36 Kb) = 5,376 BRAM_18K,
  1,280 UltraRAMs, 12,288 DSP slices.
* xcu55c (Alveo U55C) — AMD DS978 "Alveo U55C Data Center Accelerator Card", Table 1:
  1,304K LUTs, 2,607K registers, 2,016 block RAMs = 4,032 BRAM_18K, 960 UltraRAMs, 9,024 DSPs.
* xczu7ev (ZCU104 board) — AMD DS891 "Zynq UltraScale+ MPSoC Data Sheet: Overview", Table 4
  (EV devices): 230,400 CLB LUTs, 460,800 CLB flip-flops, 312 block RAMs = 624 BRAM_18K,
  96 UltraRAMs, 1,728 DSP slices.
* xck26 (Kria K26 SOM, KV260 kit) — AMD DS987 "Kria K26 SOM Data Sheet", Table 2:
  117,120 LUTs, 234,240 flip-flops, 144 block RAMs = 288 BRAM_18K, 64 UltraRAMs, 1,248 DSPs.
* xc7z020 (PYNQ-Z2, ZedBoard) — AMD DS190 "Zynq-7000 SoC Data Sheet: Overview", Table 3:
  53,200 LUTs, 106,400 flip-flops, 140 block RAMs (36 Kb) = 280 BRAM_18K, no UltraRAM, 220 DSP48E1.

`find_part(text)` accepts a device name (``xcu250``), a full part number starting
with one (``xcu250-figd2104-2L-e``) or a board alias (``u250``, ``zcu104``,
``kv260``, ``pynq-z2`` …) and returns the `Part` with the full part number Vitis
needs; any other part number is passed to Vitis as it is, without resources.
"""
from __future__ import annotations

from dataclasses import dataclass

RESOURCES = ("lut", "ff", "bram_18k", "uram", "dsp")


@dataclass(frozen=True)
class Part:
    device: str          # xcu250
    part: str            # the full part number for Vitis (set_part / part=)
    board: str           # what it sits on, for messages
    lut: int
    ff: int
    bram_18k: int
    uram: int
    dsp: int

    def totals(self) -> dict[str, int]:
        return {r: getattr(self, r) for r in RESOURCES}


PARTS = {p.device: p for p in (
    Part("xcu250", "xcu250-figd2104-2L-e", "Alveo U250", 1_728_000, 3_456_000, 5_376, 1_280, 12_288),
    Part("xcu55c", "xcu55c-fsvh2892-2L-e", "Alveo U55C", 1_304_000, 2_607_000, 4_032, 960, 9_024),
    Part("xczu7ev", "xczu7ev-ffvc1156-2-e", "ZCU104", 230_400, 460_800, 624, 96, 1_728),
    Part("xck26", "xck26-sfvc784-2LV-c", "Kria KV260", 117_120, 234_240, 288, 64, 1_248),
    Part("xc7z020", "xc7z020clg400-1", "PYNQ-Z2", 53_200, 106_400, 280, 0, 220),
)}

ALIASES = {"u250": "xcu250", "alveo-u250": "xcu250", "u55c": "xcu55c", "alveo-u55c": "xcu55c",
           "zcu104": "xczu7ev", "k26": "xck26", "kv260": "xck26", "kria": "xck26",
           "pynq-z2": "xc7z020", "pynq": "xc7z020", "zedboard": "xc7z020"}


def find_part(text: str) -> Part | None:
    """The table's part for a device name, full part number or board alias; None if unknown."""
    key = text.strip().lower()
    key = ALIASES.get(key, key)
    if key in PARTS:
        return PARTS[key]
    for device, part in PARTS.items():
        if key.startswith(device):
            # a full part number of a known device keeps its own package and speed grade
            return Part(device, text.strip(), part.board, part.lut, part.ff, part.bram_18k, part.uram, part.dsp)
    return None


def known_parts() -> str:
    """The table's devices with their aliases, for messages."""
    by = {d: [a for a, t in ALIASES.items() if t == d] for d in PARTS}
    return ", ".join(f"{d} ({'/'.join(a)})" for d, a in by.items())
