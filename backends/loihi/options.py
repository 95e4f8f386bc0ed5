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
* ``chip`` ("loihi1") — the chip generation whose limits the mapping uses by default:

  =========================  ==========  ==========  ================================================
  limit                      loihi1      loihi2      source
  =========================  ==========  ==========  ================================================
  compartments_per_core      1024        8192        Loihi: 128 k neurons / 128 cores (Davies et al.,
                                                     IEEE Micro 2018); Loihi 2: 1 M / 128 (Intel
                                                     Loihi 2 technology brief, 2021)
  synapse_bits_per_core      2^20        937,500     128 M (Loihi) / 120 M (Loihi 2) one-bit synapses
                                                     per chip over 128 cores
  input_axons_per_core       4096        4096        Loihi's fan-in; Intel publishes none for Loihi 2:
  output_axons_per_core      4096        4096        the Loihi values are kept (override them)
  cores_per_chip             128         128         neuro cores per chip
  =========================  ==========  ==========  ================================================

  Any limit option given explicitly overrides the chip's value. ``chips`` (1) — how many chips
  the network may use; a network that needs more is refused naming the layer that overflows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..target import TargetError

COLLAPSE_PASS = "ptq{collapse=true}"
LIMITS = ("compartments_per_core", "input_axons_per_core", "output_axons_per_core",
          "synapse_bits_per_core", "cores_per_chip", "chips")


CHIPS = {
    "loihi1": {"compartments_per_core": 1024, "input_axons_per_core": 4096, "output_axons_per_core": 4096,
               "synapse_bits_per_core": 1 << 20, "cores_per_chip": 128},
    "loihi2": {"compartments_per_core": 8192, "input_axons_per_core": 4096, "output_axons_per_core": 4096,
               "synapse_bits_per_core": 120_000_000 // 128, "cores_per_chip": 128},
}


@dataclass(frozen=True)
class LoihiOptions:
    temporal_weights: Literal["keep", "collapse"] = "keep"
    subtract_reset: Literal["approximate", "refuse"] = "approximate"
    timesteps: int | None = None
    chip: Literal["loihi1", "loihi2"] = "loihi1"
    compartments_per_core: int | None = None        # None: the chip's value (CHIPS)
    input_axons_per_core: int | None = None
    output_axons_per_core: int | None = None
    synapse_bits_per_core: int | None = None
    cores_per_chip: int | None = None
    chips: int = 1

    def __post_init__(self):
        for name in LIMITS + ("timesteps",):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise TargetError(f"loihi option {name}={value!r}; expected a positive integer")

    def limits(self) -> dict[str, int]:
        """The mapping's limits: the chip's, with the limit options given explicitly in their place."""
        chip = {**CHIPS[self.chip], "chips": self.chips}
        return {name: chip[name] if getattr(self, name) is None else getattr(self, name) for name in LIMITS}
