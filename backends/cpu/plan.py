"""The plan of a generated C model: buffers, weight arrays and one step per node.

`build_plan(graph, options)` walks the deployable integer graph in order and calls, for each
node, the planner of its op (`PLANNERS`, the target's op table), which adds the node's buffers,
weight arrays and one typed step (`steps.py`) holding what its template
(`templates/cpu/ops/<kind>.c.j2`) needs. Nothing here writes C; `render.py` feeds the plan to
the templates.

Run-time layout: the batch is split into contiguous chunks, one per thread; a thread takes its
chunk `block` samples at a time and walks them through the timesteps t = 0 … T−1, running the
steps in graph order at each t. Every value has a buffer of `block × size` elements (its
storage C type, `cint.py`) holding the current timestep; stateful nodes keep their state in
buffers of their own (zeroed when a block starts). `flatten` / `reshape` alias their operand's
buffer; inputs point into the caller's array. `block` keeps one block's buffers within about
`BLOCK_BYTES` (an L2 cache), so that a layer's output is still cached when the next reads it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from snnc.ir import Graph, Node
from snnc.ir.types import maxabs, size_of

from ..common.names import Namer, comment_text, node_comment, safe_name
from ..target import TargetError
from . import cint, kernels, simd
from .cint import CType
from .options import CpuOptions
from .plan_elementwise import ELEMENTWISE
from .plan_neurons import NEURONS
from .plan_synapses import SYNAPSES
from .steps import Const, Step, Table

BLOCK_BYTES = 2 << 20        # per-sample buffers of one block of samples: about an L2 cache
MAX_BLOCK = 64
IDENT_CHARS = 24             # characters of a node name kept in its C identifier


@dataclass
class Buffer:
    field: str
    ctype: str
    count: int               # elements per sample (per_sample) or per block
    per_sample: bool = True
    alloc: bool = True       # False: points into the caller's input array
    state: bool = False      # neuron state: zeroed at the start of every block of samples

    @property
    def itemsize(self) -> int:
        return {"uint8_t": 1, "int8_t": 1, "uint16_t": 2, "int16_t": 2, "uint32_t": 4, "int32_t": 4,
                "int64_t": 8, "uint64_t": 8}.get(self.ctype, 16)


@dataclass
class CArray:
    name: str
    ctype: str
    values: np.ndarray       # 1-D
    comment: str

    @property
    def count(self) -> int:
        return max(1, int(self.values.size))


@dataclass
class Value:
    field: str
    ctype: CType
    size: int


@dataclass
class IOSpec:
    """A model input or output: its buffer, C type, shape and IR type with the range of its values."""
    name: str
    comment: str             # the name, safe in C comments and string literals
    field: str
    ctype: CType
    size: int
    shape: tuple
    dtype: str
    lo: int
    hi: int

    @property
    def lo_c(self) -> str:
        return cint.int_literal(self.lo)

    @property
    def hi_c(self) -> str:
        return cint.int_literal(self.hi)


@dataclass
class Plan:
    prefix: str
    name: str
    buffers: list[Buffer] = field(default_factory=list)
    arrays: list[CArray] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    inputs: list[IOSpec] = field(default_factory=list)
    outputs: list[IOSpec] = field(default_factory=list)
    block: int = 1           # samples a thread runs through all timesteps at once
    simd: str = "portable"   # the SIMD path the kernel choice assumed (`simd.resolve`)
    choices: dict = field(default_factory=dict)     # node → `kernels.Choice` (linear and conv2d)

    @property
    def bytes_per_sample(self) -> int:
        return sum(b.count * b.itemsize for b in self.buffers if b.alloc and b.per_sample)

    @property
    def kernels(self) -> dict[str, str]:
        """Node name → synaptic kernel chosen for it (linear and conv2d nodes)."""
        return {s.node: s.kernel for s in self.steps if s.kernel}


class Builder:
    """The plan under construction and the helpers the planners share."""

    def __init__(self, graph: Graph, opts: CpuOptions):
        self.g, self.o = graph, opts
        self.plan = Plan(opts.prefix, graph.name)
        self.values: dict[str, Value] = {}
        self.namer = Namer()
        self.ident = ""
        self.plan.simd = simd.resolve(opts.simd_path, opts.march)
        self._density: tuple[dict, str] | None = None

    def density(self, name: str) -> tuple[float, str]:
        """The share of non-zero values of node `name` and its source (`kernels.densities`)."""
        if self._density is None:
            self._density = kernels.densities(self.g, self.o.density, self.o.calibration)
        d, source = self._density
        return d.get(name, 1.0), source

    def fail(self, node: Node, why: str):
        raise TargetError(f"target cpu cannot express node %{node.name} ({node.op}): {why}")

    def buffer(self, fld: str, ctype: str, count: int, per_sample: bool = True, alloc: bool = True,
               state: bool = False) -> str:
        self.plan.buffers.append(Buffer(fld, ctype, max(1, int(count)), per_sample, alloc, state))
        return fld

    def array(self, name: str, values: np.ndarray, ctype: CType, what: str) -> str:
        self.plan.arrays.append(CArray(f"{self.o.prefix}_{name}", ctype.name,
                                       np.ascontiguousarray(values).reshape(-1).astype(ctype.np), what))
        return f"{self.o.prefix}_{name}"

    def value(self, node: Node, alloc: bool = True) -> Value:
        """The node's result buffer (of its storage type), registered; `alloc` False: it points into
        the caller's input array."""
        v = Value(f"v_{self.ident}", cint.storage_ctype(node.type.dtype), size_of(node.type.shape))
        self.values[node.name] = v
        self.buffer(v.field, v.ctype.name, v.size, alloc=alloc)
        return v

    def operand(self, node: Node, i: int = 0) -> Value:
        return self.values[node.operands[i]]

    def int_param(self, node: Node, role: str) -> np.ndarray | None:
        a = self.g.param(node, role)
        if a is None:
            return None
        if a.dtype.kind == "f":
            self.fail(node, f"parameter {role} is float; the cpu target runs integer graphs (run integerize)")
        if a.size and (int(a.max()) > cint.INT64_MAX or int(a.min()) < cint.INT64_MIN):
            self.fail(node, f"parameter {role} has values beyond int64")
        return a

    def bparam(self, node: Node, role: str, shape) -> Const | Table | None:
        """A broadcast parameter (T_p,) + B expanded to [T_p][size]; a constant when uniform."""
        a = self.int_param(node, role)
        if a is None:
            return None
        tp = int(a.shape[0])
        full = np.broadcast_to(a, (tp,) + tuple(shape)).reshape(tp, -1)
        lo, hi = int(full.min()), int(full.max())
        ct = cint.INT32 if cint.INT32.lo <= lo and hi <= cint.INT32.hi else cint.INT64
        if lo == hi:
            return Const(value=cint.int_literal(lo), maxabs=abs(lo), ctype=ct.name)
        arr = self.array(f"{self.ident}_{role}", full, ct,
                         f"{role} of %{safe_name(node.name)}, [{tp}][{full.shape[1]}]")
        return Table(local=f"p_{role}", array=arr, tp=tp, size=int(full.shape[1]), ctype=ct.name,
                     maxabs=max(abs(lo), abs(hi)))

    def acc(self, node: Node, small_ok: bool = True, wide_inputs=None) -> str:
        """Accumulator type: holds the result (and so every partial sum: each term's range
        contains 0) — and, with `wide_inputs`, every input value as well."""
        bound = maxabs(node.type.dtype)
        if wide_inputs is not None:
            bound = max(bound, maxabs(wide_inputs))
        if small_ok and bound <= 127:
            return "int8_t"
        if small_ok and bound <= 32767:
            return "int16_t"
        ct = cint.compute_type(bound)
        if ct is None or ct == "snnc_i128":
            self.fail(node, f"its type {node.type.dtype} is wider than 64 bits")
        return ct

    def step(self, cls: type[Step], node: Node, y: Value, **fields) -> Step:
        s = cls(fn=f"{self.o.prefix}_{self.ident}", node=node.name, comment=node_comment(node),
                y=y.field, yt=y.ctype.name, **fields)
        self.plan.steps.append(s)
        return s

    def build(self) -> Plan:
        for index, node in enumerate(self.g):
            self.ident = self.namer.fresh(f"n{index}_{node.name[:IDENT_CHARS]}")
            if node.type is None or node.type.dtype.is_float:
                self.fail(node, "its value is f32; the cpu target runs the deployable integer graph — compile "
                                "with the default pipeline (integerize) or use target reference for float graphs")
            planner = PLANNERS.get(node.op)
            if planner is None:
                self.fail(node, "the cpu target has no kernel for this op")
            planner(self, node)
        if not self.plan.outputs:
            raise TargetError("target cpu: the graph has no output node")
        fit = BLOCK_BYTES // max(1, self.plan.bytes_per_sample)
        self.plan.block = self.o.block or max(1, min(MAX_BLOCK, fit))
        return self.plan


def _io(node: Node, v: Value) -> IOSpec:
    lo, hi = node.type.dtype.range()
    return IOSpec(node.name, comment_text(node.name), v.field, v.ctype, v.size, tuple(node.type.shape),
                  str(node.type.dtype), lo, min(hi, cint.INT64_MAX))


def plan_input(b: Builder, node: Node) -> None:
    b.plan.inputs.append(_io(node, b.value(node, alloc=False)))


def plan_output(b: Builder, node: Node) -> None:
    b.values[node.name] = b.operand(node)
    b.plan.outputs.append(_io(node, b.operand(node)))


def plan_alias(b: Builder, node: Node) -> None:
    """flatten / reshape: the operand's buffer, unchanged."""
    b.values[node.name] = b.operand(node)


# The op table: op → planner. Its keys are the cpu target's `ops`.
PLANNERS: dict[str, Callable[[Builder, Node], None]] = {
    "input": plan_input, "output": plan_output, "flatten": plan_alias, "reshape": plan_alias,
    **SYNAPSES, **ELEMENTWISE, **NEURONS,
}


def build_plan(graph: Graph, options: CpuOptions) -> Plan:
    """The plan of `graph` (a deployable integer graph) for the cpu target; TargetError if it cannot be."""
    return Builder(graph, options).build()
