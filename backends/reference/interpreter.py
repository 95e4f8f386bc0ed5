"""The interpreter loop: evaluate a graph node by node over all timesteps.

The IR is feed-forward (an operand is always an earlier node), so evaluating
each node for every timestep before the next node gives the same values as a
timestep-major loop, and lets stateless ops work on the whole ``[T, B, ...]``
block at once; stateful ops loop over t internally. Values are float32 arrays
for f32 types and int64 arrays of raw integers for every integer type.

Every node's result is checked against its declared type: an integer outside
the type's range raises `ExecutionError` naming the node, the first timestep at
fault and the range. Any other failure inside a kernel is re-raised as an
`ExecutionError` naming the node.
"""
from __future__ import annotations

import numpy as np

from snnc.ir import Graph, IRError

from .errors import ExecutionError, InputError
from .inputs import bind_inputs
from .intmath import INT64_MAX, INT64_MIN, first_violation, to_int64
from .kernels import KERNELS


class Context:
    """What a kernel sees besides its operands: the graph, T and B, and the trace."""

    def __init__(self, graph: Graph, T: int, B: int, trace: dict | None):
        self.graph, self.T, self.B, self.trace = graph, T, B, trace
        self.inputs: dict[str, np.ndarray] = {}

    def tparam(self, node, role: str, dtype=np.float32):
        """Broadcast parameter expanded over time: ``p[t % T_p]`` for t = 0..T-1, shaped
        ``[T, 1, *B]`` so that it broadcasts against a value ``[T, B, *shape]``; None if absent."""
        p = self.graph.param(node, role)
        if p is None:
            return None
        if p.dtype == np.uint64 and p.size and int(p.max()) > INT64_MAX:
            raise ExecutionError(f"parameter {role} has values above 2^63-1, which the reference "
                                 "interpreter cannot hold; store it as int64")
        return p[np.arange(self.T) % p.shape[0]].astype(dtype)[:, None]

    def record(self, node, state: str, value: np.ndarray):
        """Keep a state sequence ``[T, B, *shape]`` in the trace as ``"<node>#<state>"``."""
        if self.trace is not None:
            self.trace[f"{node.name}#{state}"] = value


def run(graph: Graph, x, trace: bool = False):
    """Run `graph` on `x` and return its output(s); see the package docstring."""
    inputs = bind_inputs(graph, x)
    T, B = next(iter(inputs.values())).shape[:2]
    tr: dict | None = {} if trace else None
    ctx = Context(graph, T, B, tr)
    ctx.inputs = inputs
    last_use = {}
    for i, node in enumerate(graph.nodes.values()):
        for o in node.operands:
            last_use[o] = i
    env: dict[str, np.ndarray] = {}
    outputs: dict[str, np.ndarray] = {}
    for i, node in enumerate(graph.nodes.values()):
        missing = [o for o in node.operands if o not in env]
        if missing:
            raise ExecutionError(f"operand %{missing[0]} is not computed before this node (nodes must be in "
                                 "topological order; run verify())", node=node.name, op=node.op)
        value = _eval(ctx, node, [env[o] for o in node.operands])
        env[node.name] = value
        if tr is not None:
            tr[node.name] = value
        if node.op == "output":
            outputs[node.name] = value
        if tr is None:
            for o in set(node.operands):
                if last_use[o] == i:
                    del env[o]
    if not outputs:
        raise ExecutionError("the graph has no output node")
    result = next(iter(outputs.values())) if len(outputs) == 1 else outputs
    return (result, tr) if trace else result


def _eval(ctx: Context, node, operands: list[np.ndarray]) -> np.ndarray:
    where = dict(node=node.name, op=node.op)
    fn = KERNELS.get(node.op)
    if fn is None:
        raise ExecutionError(f"the reference interpreter has no kernel for op {node.op!r}", **where)
    if node.type is None:
        raise ExecutionError("the node has no result type; build it with Graph.add or run verify()", **where)
    try:
        value = fn(ctx, node, *operands)
    except InputError:
        raise
    except ExecutionError as e:
        raise ExecutionError(e.detail, timestep=e.timestep, **where) from e
    except IRError as e:
        raise ExecutionError(str(e), **where) from e
    except Exception as e:  # a malformed node: tag it with its name
        raise ExecutionError(f"{type(e).__name__}: {e}", **where) from e
    return _checked(ctx, node, value, where)


def _checked(ctx: Context, node, value: np.ndarray, where: dict) -> np.ndarray:
    """The result as carried between nodes: float32, or int64 within the node's declared type."""
    want = (ctx.T, ctx.B) + tuple(node.type.shape)
    if value.shape != want:
        raise ExecutionError(f"result has shape {list(value.shape)} but the node's type {node.type} "
                             f"means {list(want)}", **where)
    dtype = node.type.dtype
    if dtype.is_float:
        return value.astype(np.float32, copy=False)
    if value.dtype.kind == "f":
        raise ExecutionError(f"kernel produced floats for the integer type {dtype}", **where)
    lo, hi = dtype.range()
    bad = first_violation(value, lo, hi)
    if bad is not None:
        t, v = bad
        raise ExecutionError(f"value {v} leaves the range of its type {dtype}, [{lo}, {hi}]; the graph's "
                             "integer widths are too narrow (an integerize bug), widen the type or saturate",
                             timestep=t, **where)
    bad = first_violation(value, INT64_MIN, INT64_MAX) if value.dtype == object else None
    if bad is not None:
        raise ExecutionError(f"value {bad[1]} does not fit int64, the widest integer the reference "
                             "interpreter carries between nodes", timestep=bad[0], **where)
    return to_int64(value)
