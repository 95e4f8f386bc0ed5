"""snnc.frontend.nir_import — NIR graphs (the `nir` package's `NIRGraph`, or ``.nir`` files
from any framework) into the float IR: `from_nir(nir_graph_or_path)` and `read(path)`.

* `importer`  — NIR → IR; `structure`: nested graphs, node order; `reading`: a ``.nir`` file
  node by node; `checks`: what is refused before anything is built (names node and field).
* The conversions and the metadata scheme are the exporter's (`snnc.backends.nir.convert`,
  `snnc.backends.nir.params`): one statement of each, used in both directions.

Inside this package ``import nir`` is the external package (absolute import).
"""
from __future__ import annotations

import os

from snnc.ir import Graph, ParseError

from . import reading
from .errors import NIRImportError
from .importer import from_nir

__all__ = ["from_nir", "read", "NIRImportError"]


def read(path: str | os.PathLike) -> Graph:
    """The verified graph of a ``.nir`` file: `ParseError` when the file cannot be read as NIR,
    `NIRImportError` (naming the node and field) for a malformed graph or one the IR cannot express."""
    try:
        nir_graph = reading.read(path)
    except reading.UnreadableFile as e:
        raise ParseError(f"cannot read the NIR file: {e.reason}", source=str(path)) from None
    return from_nir(nir_graph)
