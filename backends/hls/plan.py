"""The project plan: everything the templates and the estimates need, computed before any file is written.

`plan(graph, options)` walks the deployable integer graph once and returns a
`Project`: the buffers (one per IR value; flatten/reshape share their operand's),
the layers in graph order, the state arrays, array partitions and whether the
layers of a timestep can run as a DATAFLOW region. Any graph or option the target
cannot express raises `TargetError` here, so `emit` fails before writing.

With the `fps` or `fold` option the graph is planned twice: once at the given (or
smallest) folding for the solver (`folding.py`), then at the PE × SIMD it chose.

With DATAFLOW the layers are processes connected by hls::stream FIFOs (`streams.py`:
the `Schedule` of processes and channels, their widths and depths). Every channel
needs one producer and one consumer: a value read by several layers (a residual
branch) gets a fork layer that copies it into one channel per consumer. Without
DATAFLOW the layers of a timestep run one after the other on arrays.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from snnc.ir import Graph

from .cpp import cpp_type
from .layers import ALIASES, BUILDERS, Buffer, BuildContext, Layer, State, add_forks
from ..common.names import Namer, comment_text
from .options import HLSOptions
from .streams import Schedule, schedule
from .target_errors import refuse

SUPPORTED_OPS = frozenset(BUILDERS) | ALIASES | {"input"}


@dataclass
class Project:
    graph: Graph
    options: HLSOptions
    inputs: list[Buffer]
    outputs: list[Buffer]
    buffers: list[Buffer]               # intermediate values (declared in the step function)
    layers: list[Layer]
    dataflow: bool
    dataflow_note: str
    partitions: dict[str, int] = field(default_factory=dict)   # buffer name → cyclic factor
    schedule: Schedule | None = None                           # the DATAFLOW region (streams.py)
    folding_note: str = "as given (options parallelism, simd)"

    @property
    def depths(self) -> dict[str, int]:
        """Channel name → FIFO depth in beats."""
        return {c.name: c.depth for c in self.schedule.channels} if self.schedule else {}

    @property
    def top(self) -> str:
        return self.options.top

    @property
    def ns(self) -> str:
        return f"{self.options.top}_ns"

    @property
    def states(self) -> list[State]:
        return [s for layer in self.layers for s in layer.states]

    @property
    def uses_t(self) -> bool:
        return any(layer.uses_t for layer in self.layers)

    @property
    def all_buffers(self) -> list[Buffer]:
        return self.inputs + self.buffers + self.outputs


def plan(graph: Graph, options: HLSOptions) -> Project:
    """The `Project` of `graph` under `options` (module docstring); raises TargetError on refusal."""
    if options.fps is None and options.fold is None:
        return _plan(graph, options)
    from .folding import solve

    options.require_timesteps()
    choice, note = solve(_plan(graph, options))
    chosen = dataclasses.replace(options, parallelism={k: pe for k, (pe, _) in choice.items()},
                                 simd={k: s for k, (_, s) in choice.items()})
    project = _plan(graph, chosen)
    project.folding_note = note
    return project


def _plan(graph: Graph, options: HLSOptions) -> Project:
    namer = Namer()
    ctx = BuildContext(graph, options, namer)
    inputs, outputs, buffers, layers = [], [], [], []
    for node in graph:
        if node.op not in SUPPORTED_OPS:
            refuse(node, f"op {node.op} has no hls implementation; supported: {', '.join(sorted(SUPPORTED_OPS))}")
        if node.type is None or node.type.dtype.is_float:
            refuse(node, f"its value is {node.type.dtype if node.type else 'untyped'}; the hls target implements "
                         "the integer graph (run the integerize pass, or use the reference target)")
        if node.op in ALIASES:
            ctx.buffers[node.name] = ctx.buffers[node.operands[0]]
            continue
        ident = namer(node.name)
        kind = {"input": "input", "output": "output"}.get(node.op, "buf")
        prefix = {"input": "in", "output": "out", "buf": "buf"}[kind]
        buf = Buffer(node.name, ident, cpp_type(node.type.dtype), f"type_{ident}", node.type.size,
                     node.type.dtype, f"{prefix}_{ident}", kind)
        ctx.buffers[node.name] = buf
        {"input": inputs, "output": outputs, "buf": buffers}[kind].append(buf)
        if node.op != "input":
            layers.append(BUILDERS[node.op](ctx, node))
    if not inputs or not outputs:
        refuse(None, "the graph needs at least one input and one output node")
    if not options.dataflow:
        return Project(graph, options, inputs, outputs, buffers, layers, False, "disabled by the dataflow option",
                       _partitions(layers))
    forks = add_forks(ctx, layers, buffers)
    note = "one DATAFLOW region of processes connected by hls::stream FIFOs, timesteps pipelined" + (
        comment_text(f"; {forks} fork(s) give each consumer of a shared value its own channel") if forks else "")
    sched = schedule(layers, inputs, outputs, namer)
    parts = _partitions(layers)
    for c in sched.channels:            # an array port is read or written one beat per cycle
        if c.value.kind != "buf" and c.width > 1:
            parts[c.value.name] = max(parts.get(c.value.name, 1), c.width)
    return Project(graph, options, inputs, outputs, buffers, layers, True, note, parts, sched)


def _partitions(layers: list[Layer]) -> dict[str, int]:
    """Cyclic partition factor of each buffer: the most elements a producer writes or a consumer reads per cycle."""
    factor: dict[str, int] = {}
    for layer in layers:
        for out in (b.name for b in layer.outputs):
            factor[out] = max(factor.get(out, 1), layer.lanes)
        for b in layer.inputs:
            factor[b.name] = max(factor.get(b.name, 1), layer.read_lanes)
    return {k: v for k, v in factor.items() if v > 1}
