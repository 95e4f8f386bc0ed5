"""The NIR bridge: `to_nir(graph) -> nir.NIRGraph` and `from_nir(nir_graph | path) -> Graph`.

The implementation lives in `ir/nir/` (conversion rules in `ir/nir/convert.py`,
metadata scheme in `ir/nir/params.py`); this module is the stable entry point
that `snnc.ir` re-exports.
"""
from .nir import NIRError, NIRExportError, NIRImportError, from_nir, to_nir

__all__ = ["to_nir", "from_nir", "NIRError", "NIRExportError", "NIRImportError"]
