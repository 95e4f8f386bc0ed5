"""snnc.backends.nir — NIR export and the `nir` target: the float graph as a NIR file.

* `convert`  — discrete ↔ continuous neuron parameters (β = 1 − dt/τ, gains r·dt/τ …) and
  `params` — IR broadcast parameters ↔ NIR per-neuron arrays and the metadata scheme that
  makes snnc → NIR → snnc lossless. Both directions use them: the exporter here and the
  importer (`snnc.frontend.nir_import`).
* `exporter` — `to_nir(graph) -> nir.NIRGraph`; `errors` — `NIRError`, `NIRExportError`.
* `target`   — `NirTarget` (registered as "nir"): ``model.nir`` via `nir.write`; its runner
  checks the file read back against the graph and runs the graph on the reference interpreter.
"""
from .errors import NIRError, NIRExportError
from .exporter import to_nir
from .target import NirOptions, NirRunner, NirTarget, export

__all__ = ["to_nir", "NIRError", "NIRExportError", "NirOptions", "NirRunner", "NirTarget",
           "export"]
