"""snnc.ir.nir — the bridge between the IR and NIR (the Neuromorphic Intermediate
Representation, the `nir` package): `to_nir(graph)` and `from_nir(nir_graph_or_path)`.

* `convert`  — discrete ↔ continuous neuron parameters (β = 1 − dt/τ, gains r·dt/τ …).
* `params`   — IR broadcast parameters ↔ NIR per-neuron arrays, and the metadata scheme
  that makes snnc → NIR → snnc lossless.
* `exporter` — IR → NIR; `importer` — NIR → IR (`structure`: reading, nested graphs, node order).

Inside this package ``import nir`` is the external package (absolute import).
"""
from .errors import NIRError, NIRExportError, NIRImportError
from .exporter import to_nir
from .importer import from_nir

__all__ = ["to_nir", "from_nir", "NIRError", "NIRExportError", "NIRImportError"]
