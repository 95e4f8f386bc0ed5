"""print_graph: a Graph as snnir text (one declaration or node a line).

    snnir 1
    graph <name> {<graph attributes>}
    param @<key> : <storage type>[<shape>]                      (one per stored array)
    %<name> = <op>(%<operand>, …) {<attributes>} [<role> = @<key>, …] : <result type>

Attributes are printed in the op's declared order, all of them (canonical form);
parameter bindings in the op's declared role order; `{}` / `[]` are left out when a
node has no attributes / parameters. Parameters are printed in store order, nodes in
graph order, so printing a parsed file gives back the same text.
"""
from __future__ import annotations

from ..errors import VerifyError
from ..ops import OPS
from ..types import param_dtype
from .literals import format_dict, format_value, is_name

VERSION = 1


def _need_name(what: str, name, node: str | None = None) -> str:
    if not is_name(name):
        raise VerifyError(f"{what} {name!r} is not an identifier ([A-Za-z_][A-Za-z0-9_.]*), "
                          "so it has no text form; rename it", node=node)
    return name


def _ordered(items: dict, order: list[str]) -> list:
    """`items` in the declared `order` first, then any others in their own order."""
    head = [k for k in order if k in items]
    return head + [k for k in items if k not in head]


def format_node(node) -> str:
    name = _need_name("node name", node.name, node.name)
    _need_name("op name", node.op, node.name)
    opdef = OPS.get(node.op)
    operands = ", ".join("%" + _need_name("operand", o, node.name) for o in node.operands)
    text = f"%{name} = {node.op}({operands})"
    if node.attrs:
        order = [a.name for a in opdef.attrs] if opdef else []
        parts = []
        for k in _ordered(node.attrs, order):
            _need_name("attribute name", k, node.name)
            try:
                parts.append(f"{k} = {format_value(node.attrs[k])}")
            except TypeError as e:
                raise VerifyError(f"attribute {k}: {e}", node=node.name) from None
        text += " {" + ", ".join(parts) + "}"
    if node.params:
        order = [p.role for p in opdef.params] if opdef else []
        text += " [" + ", ".join(
            f"{_need_name('parameter role', r, node.name)} = @{_need_name('parameter key', node.params[r], node.name)}"
            for r in _ordered(node.params, order)) + "]"
    if node.type is None:
        raise VerifyError("the node has no result type; run graph.infer_types() before printing", node=node.name)
    return f"{text} : {node.type}"


def format_param(key: str, array) -> str:
    _need_name("parameter key", key)
    try:
        dtype = param_dtype(array)
    except ValueError as e:
        raise VerifyError(f"parameter @{key}: {e}") from None
    return f"param @{key} : {dtype}[{','.join(str(d) for d in array.shape)}]"


def print_graph(graph) -> str:
    """The text form of `graph` (ends with a newline). Does not verify the graph, so an
    invalid graph can be printed for inspection; names that are not identifiers and
    values without a text form raise `VerifyError`."""
    head = f"graph {_need_name('graph name', graph.name)}"
    if graph.attrs:
        try:
            head += " " + format_dict(graph.attrs)
        except TypeError as e:
            raise VerifyError(f"graph attribute: {e}") from None
    lines = [f"snnir {VERSION}", head]
    lines += [format_param(k, a) for k, a in graph.params.items()]
    lines += [format_node(n) for n in graph.nodes.values()]
    return "\n".join(lines) + "\n"
