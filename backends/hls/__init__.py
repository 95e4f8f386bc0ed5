"""snnc.backends.hls — the `hls` target: Vitis HLS C++ projects that C-simulate bit-exactly.

The deployable integer graph becomes a project (see `target.py` for its files): a
top function with an explicit time loop and per-sample state reset, one function per
layer, packed weight headers (ternary synapses as 2-bit codes, additions and
subtractions only), a testbench on reference data, Tcl / v++ flows and estimates.

* `options.py` — `HLSOptions`, the target's `Options`; `target.py` — the target (render, open).
* `plan.py` — graph + options → `Project` (buffers, layers, state, partitions); refusals.
* `layers/` — one builder per op (template data, widths, cost).
* `cpp.py`, `packing.py` — C++ types, constant arrays, broadcast parameters, packed weights.
* `render.py` — the strings `templates/hls/*.j2` need; `estimates.py` — cycles, BRAM, LUT/FF, DSP.
* `runner.py`, `toolchain.py` — local C-simulation with g++ through ctypes (the common
  toolchain plus the HLS headers and warning flags).
* `include/` — snnc's minimal `ap_int.h` / `hls_stream.h` for g++ without Vitis.
"""
from .options import HLSOptions
from .target import HLSTarget

__all__ = ["HLSTarget", "HLSOptions"]
