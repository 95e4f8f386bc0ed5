"""`NIRImportError`: a NIR graph (or one node of it) that the IR cannot express, or a malformed one."""
from snnc.backends.nir.errors import NIRError


class NIRImportError(NIRError):
    """`node` is the NIR node key at fault (None for the graph as a whole)."""

    @staticmethod
    def format(message, node):
        return f"cannot import NIR node {node!r}: {message}" if node else f"cannot import NIR graph: {message}"
