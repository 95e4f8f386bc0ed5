"""Reading a ``.nir`` file node by node, so that a bad node is refused by name.

`nir.read` builds the whole graph in one call, and NIR's node constructors fail with
bare `AssertionError`, `ZeroDivisionError` or `OverflowError` on malformed data
(a 1-D Affine weight, a stride of 0 …) without saying which node. Here the HDF5 tree
is read with NIR's own `hdf2dict`, each node's fields are checked first
(`checks.fields`) and built with `nir.dict2NIRNode`; any failure names the node.
"""
from __future__ import annotations

import os

import h5py
import nir
from nir.serialization import hdf2dict

from . import checks
from .errors import NIRImportError


class UnreadableFile(NIRImportError):
    """The file is not a NIR (HDF5) file at all; `reason` says why."""

    def __init__(self, name: str, reason: str):
        self.reason = reason
        super().__init__(f"cannot read NIR file {name!r}: {reason}")


def read(path) -> nir.NIRGraph:
    name = os.fspath(path)
    try:
        with h5py.File(name, "r") as f:
            data = hdf2dict(f["node"])
    except RecursionError:
        raise UnreadableFile(name, "its groups are nested too deep") from None
    except (OSError, KeyError, ValueError, TypeError) as e:
        raise UnreadableFile(name, str(e)) from None
    return build(data, "")


def _str(v) -> str:
    return v.decode("utf8", "replace") if isinstance(v, bytes) else str(v)


def build(data, prefix: str):
    """A node (or graph) from its dict; `prefix` names nested nodes (``sub.node``)."""
    if not isinstance(data, dict) or "type" not in data:
        raise NIRImportError("the entry is not a NIR node (no 'type')", prefix.rstrip(".") or None)
    kind = _str(data["type"])
    key = prefix.rstrip(".") or None
    if kind == "NIRGraph":
        nodes = data.get("nodes", {})
        if not isinstance(nodes, dict):
            raise NIRImportError("the graph's 'nodes' is not a group of nodes", key)
        built = {_str(k): build(v, f"{prefix}{_str(k)}.") for k, v in nodes.items()}
        try:
            edges = [(_str(a), _str(b)) for a, b in data.get("edges", [])]
        except (TypeError, ValueError):
            raise NIRImportError("the graph's 'edges' are not pairs of node names", key) from None
        meta = data.get("metadata", {})
        try:
            return nir.NIRGraph(nodes=built, edges=edges, metadata=meta if isinstance(meta, dict) else {},
                                type_check=False)
        except Exception as e:   # NIR's own checks (edges naming unknown nodes …)
            raise NIRImportError(f"NIR refuses the graph: {e}", key) from None
    checks.fields(key, kind, data.get)
    try:
        return nir.dict2NIRNode(dict(data))
    except Exception as e:   # the constructors' assertions and arithmetic on bad fields
        raise NIRImportError(f"NIR cannot build this {kind} node: {type(e).__name__}: {e}", key) from None
