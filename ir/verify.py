"""verify(graph): generic structure first, then every op's own rules.

Structure: names are identifiers, operands are defined by earlier nodes
(topological order, no dangling values), ops are known, the graph has inputs
and outputs, parameter keys exist. Then each node's op checks its signature
and rules and infers its type, which must equal the node's recorded type.
Errors are `VerifyError`s naming the node.

Widths: every integer neuron that does not saturate is proven (`IntNeuron.prove`, the
range analysis) to keep every intermediate inside int<state_bits> for the graph's
stated ``timesteps`` (1..MAX_TIMESTEPS; 1 when the graph states none) and inputs of
its operand's type; a graph where a state can leave its type is refused, naming the
node and the ways out. `check_timesteps(graph, T)` is the same proof for a run of T
timesteps: every runner calls it before running.
"""
from __future__ import annotations

import re

from .errors import TimestepsError, VerifyError
from .limits import MAX_TIMESTEPS
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
    check_widths(graph)


def check_widths(graph) -> None:
    """The width rules alone (every target runs them, even on graphs it does not verify): the
    stated timesteps are bounded, shifts fit their types, and no non-saturating integer neuron
    can leave its state type within the stated timesteps (1 when none is stated)."""
    T = stated_timesteps(graph)
    for node in graph.nodes.values():
        op = node.opdef
        if getattr(op, "check_shifts", None) is not None:
            op.check_shifts(node)
    for node, r in unproven(graph, T or 1):
        raise VerifyError(_overflow_message(node, graph, r, T), node=node.name)


def stated_timesteps(graph) -> int | None:
    """The graph attribute ``timesteps`` (None when absent); VerifyError unless 1..MAX_TIMESTEPS."""
    T = graph.attrs.get("timesteps")
    if T is None:
        return None
    if isinstance(T, float) and T.is_integer():
        T = int(T)
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= MAX_TIMESTEPS:
        raise VerifyError(f"graph attribute timesteps={T!r} must be a whole number from 1 to {MAX_TIMESTEPS}")
    return T


def unproven(graph, T: int):
    """(node, analysis) for every non-saturating integer neuron whose state can leave its type
    within T timesteps."""
    for node in graph.nodes.values():
        op = node.opdef
        if getattr(op, "prove", None) is None or node.attrs.get("saturate", False):
            continue
        r = op.prove(node, graph, T)
        if r.overflow_at is not None:
            yield node, r


def _widths(node, graph) -> str:
    x = graph[node.operands[0]].type.dtype
    return f"int<{node.attrs['state_bits']}> state for inputs of type {x} (in_shift={node.attrs['in_shift']})"


def _overflow_message(node, graph, r, T) -> str:
    t = r.overflow_at
    over = f"over the graph's timesteps={T}" if T else "(the graph states no timesteps; proven for 1)"
    fewer = f", or run at most {t} timesteps (timesteps={t})" if t > 0 else \
        ", or narrow the input / lower in_shift"
    return (f"{node.op}: the range analysis {over} shows its {_widths(node, graph)} can overflow at "
            f"timestep {t}; set saturate=true, widen state_bits{fewer}")


def check_timesteps(graph, T: int) -> None:
    """Refuse a run of T timesteps that the graph's integer widths are not proven for
    (`TimestepsError` naming the node and --timesteps), unless the states saturate."""
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= MAX_TIMESTEPS:
        raise TimestepsError(f"an input of {T} timesteps: runs take 1 to {MAX_TIMESTEPS} timesteps", T=T)
    for node, r in unproven(graph, T):
        t = r.overflow_at
        stated = stated_timesteps(graph)
        why = f" (compiled for timesteps={stated})" if stated else ""
        raise TimestepsError(
            f"the input has {T} timesteps, but the integer widths of this graph are proven "
            f"for {t}{why}: its {_widths(node, graph)} can overflow at timestep {t}; run at most {t} timesteps, "
            f"compile again for this length (--timesteps {T}, integerize{{T={T}}}), or with saturate=true",
            node=node.name, timestep=t, T=T)
