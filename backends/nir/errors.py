"""Errors of the NIR bridge (both directions): `IRError`s that name the node at fault.

`NIRExportError` is raised here (export); the importer's `NIRImportError`
(`snnc.frontend.nir_import`) derives from the same `NIRError`.
"""
from snnc.ir import IRError


class NIRError(IRError):
    """Base class: `node` is the IR node (export) or the NIR node key (import)."""

    def __init__(self, message: str, node: str | None = None):
        self.node = node
        self.detail = message
        super().__init__(self.format(message, node))

    @staticmethod
    def format(message: str, node: str | None) -> str:
        return message


class NIRExportError(NIRError):
    """An IR graph (or one node of it) that NIR cannot express."""

    @staticmethod
    def format(message, node):
        return f"cannot export node %{node} to NIR: {message}" if node else f"cannot export to NIR: {message}"
