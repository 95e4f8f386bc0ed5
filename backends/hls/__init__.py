"""snnc.backends.hls — the `hls` target: Vitis HLS C++ projects that C-simulate bit-exactly.

The deployable integer graph becomes a project (see `target.py` for its files): a
top function that is one DATAFLOW region of processes on hls::stream FIFOs (or, with
dataflow=false, an explicit time loop over the layers), one PE × SIMD function per
layer, packed weight headers (ternary synapses as 2-bit codes: popcounts and adder
trees, no multipliers), a testbench on reference data, Tcl / v++ flows and estimates.

* `options.py` — `HLSOptions`, the target's `Options`; `target.py` — the target (render, open).
* `plan.py` — graph + options → `Project` (buffers, layers, state, partitions); refusals.
* `layers/` — one builder per op (template data, widths, its `Fold`); forks for shared values.
* `streams.py` — the DATAFLOW region: processes, channels, beat widths, FIFO depths.
* `parts.py` — FPGA parts and their resources; `folding.py` — the PE × SIMD solver (fps, fold).
* `cpp.py`, `packing.py` — C++ types, constant arrays, broadcast parameters, packed weights.
* `render.py` — the strings `templates/hls/*.j2` need; `estimates.py` — cycles, FPS, memories, LUT/FF, DSP, utilization.
* `runner.py`, `toolchain.py` — local C-simulation with g++ through ctypes (the common
  toolchain plus the HLS headers and warning flags).
* `include/` — snnc's minimal `ap_int.h` / `hls_stream.h` for g++ without Vitis.
"""
from .options import HLSOptions
from .target import HLSTarget

__all__ = ["HLSTarget", "HLSOptions"]
