"""snnc.backends.nir — the `nir` target: the float graph as a NIR file.

* `lowering` — `lower_for_nir`: exact rewrites into what NIR can hold (max pooling of
  spikes as sum pooling + threshold).
* `target`   — `NirTarget` (registered as "nir"): ``model.nir`` via `nir.write` and
  `snnc.ir.to_nir`; its runner reads the file back and runs it on the reference interpreter.
"""
from .lowering import lower_for_nir
from .target import NirRunner, NirTarget, export, read_back

__all__ = ["lower_for_nir", "NirRunner", "NirTarget", "export", "read_back"]
