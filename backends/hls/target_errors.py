"""Refusals of the hls target: a `TargetError` that names the node and the way out."""
from __future__ import annotations

from ..target import TargetError


def refuse(node, message: str):
    where = f"node %{node.name} ({node.op}): " if node is not None else ""
    raise TargetError(f"hls target: {where}{message}")
