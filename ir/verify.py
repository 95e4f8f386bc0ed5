"""verify(graph): generic structure first, then every op's own rules.

Structure: names are identifiers, operands are defined by earlier nodes
(topological order, no dangling values), ops are known, the graph has inputs
and outputs, parameter keys exist. Then each node's op checks its signature
and rules and infers its type, which must equal the node's recorded type.
Errors are `VerifyError`s naming the node.
"""
from __future__ import annotations

import re

from .errors import VerifyError
from .ops import OPS

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def verify(graph) -> None:
    if not NAME_RE.match(graph.name or ""):
        raise VerifyError(f"graph name {graph.name!r} is not an identifier ([A-Za-z_][A-Za-z0-9_.]*)")
    seen: set[str] = set()
    for key in graph.params:
        if not NAME_RE.match(key):
            raise VerifyError(f"parameter key {key!r} is not an identifier")
    for node in graph.nodes.values():
        if not NAME_RE.match(node.name):
            raise VerifyError(f"node name {node.name!r} is not an identifier", node=node.name)
        if node.op not in OPS:
            raise VerifyError(f"unknown op {node.op!r}; known ops: {', '.join(sorted(OPS))}", node=node.name)
        for o in node.operands:
            if o == node.name:
                raise VerifyError("a node cannot use its own result", node=node.name)
            if o not in seen:
                where = "is defined later (nodes must be in topological order)" if o in graph.nodes \
                    else "is not defined"
                raise VerifyError(f"operand %{o} {where}", node=node.name)
        for role, key in node.params.items():
            if key not in graph.params:
                raise VerifyError(f"parameter @{key} (role {role!r}) is not in the parameter store",
                                  node=node.name)
        inferred = node.opdef.infer(node, graph)
        if node.type != inferred:
            raise VerifyError(f"declared type {node.type} but the op gives {inferred}", node=node.name)
        seen.add(node.name)
    if not graph.inputs:
        raise VerifyError("the graph has no input node")
    if not graph.outputs:
        raise VerifyError("the graph has no output node")
