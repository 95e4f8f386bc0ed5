"""Options of the loihi target (`snnc.compile(..., target="loihi", **options)`, CLI ``-O key=value``).

* ``temporal_weights`` ("keep") — what to do with time-varying weights (TaWQ weight banks)
  and per-timestep scales, which Loihi cannot express: "keep" them (the target then refuses
  the model with a `TargetError` that spells out the ways out) or "collapse" (CLI
  ``--temporal-weights=collapse``): the pipeline starts with ``ptq{collapse=true}``, which
  replaces each time-varying effective weight by the ternary quantization of its mean over
  time (static ternary weights; it costs accuracy — measure it with `fidelity.compare`).
* ``subtract_reset`` ("approximate") — Loihi's CUBA compartment resets v to 0 after a spike;
  a neuron with reset = "subtract" is mapped with the zero reset ("approximate", the
  difference shows in `fidelity.compare`) or refused ("refuse").
* ``timesteps`` (int or None) — steps over which the state ranges are bounded when choosing
  each layer's scale; default: the graph's ``timesteps`` attribute (one of the two is required).
* Core limits for the mapping report (Loihi 1 defaults): ``compartments_per_core`` (1024),
  ``input_axons_per_core`` (4096), ``output_axons_per_core`` (4096),
  ``synapse_bits_per_core`` (2^20, 1 Mbit), ``cores_per_chip`` (128), ``chips`` (1).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..target import TargetError

COLLAPSE_PASS = "ptq{collapse=true}"
LIMITS = ("compartments_per_core", "input_axons_per_core", "output_axons_per_core",
          "synapse_bits_per_core", "cores_per_chip", "chips")


@dataclass(frozen=True)
class LoihiOptions:
    temporal_weights: Literal["keep", "collapse"] = "keep"
    subtract_reset: Literal["approximate", "refuse"] = "approximate"
    timesteps: int | None = None
    compartments_per_core: int = 1024
    input_axons_per_core: int = 4096
    output_axons_per_core: int = 4096
    synapse_bits_per_core: int = 1 << 20
    cores_per_chip: int = 128
    chips: int = 1

    def __post_init__(self):
        for name in LIMITS + ("timesteps",):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise TargetError(f"loihi option {name}={value!r}; expected a positive integer")

    def limits(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in LIMITS}
