"""The plan of a generated C model: buffers, weight arrays and one step per node.

`build_plan(graph, options)` walks the deployable integer graph in order and, for each node,
records what its template (`templates/cpu/ops/<kind>.c.j2`) needs: buffer fields, C types,
sizes, constants and parameter arrays. Nothing here writes C; `render.py` feeds the plan to
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

from dataclasses import dataclass, field

import numpy as np

from snnc.ir import Graph

from ..target import TargetError
from . import cint
from .cint import CType, size_of
from .naming import comment, node_ident
from .options import CpuOptions
from .ops_support import SUPPORTED_OPS
from .plan_elementwise import ElementwiseSteps
from .plan_neurons import NeuronSteps
from .plan_synapses import SynapseSteps


BLOCK_BYTES = 2 << 20        # per-sample buffers of one block of samples: about an L2 cache
MAX_BLOCK = 64


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

    @property
    def body(self) -> str:
        return cint.c_array_body(self.values)


@dataclass
class Value:
    field: str
    ctype: CType
    size: int


@dataclass
class IOSpec:
    name: str
    comment: str
    field: str
    ctype: CType
    size: int
    shape: tuple
    dtype: str
    lo: int
    hi: int


@dataclass
class Plan:
    prefix: str
    name: str
    buffers: list[Buffer] = field(default_factory=list)
    arrays: list[CArray] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    inputs: list[IOSpec] = field(default_factory=list)
    outputs: list[IOSpec] = field(default_factory=list)
    block: int = 1           # samples a thread runs through all timesteps at once

    @property
    def bytes_per_sample(self) -> int:
        return sum(b.count * b.itemsize for b in self.buffers if b.alloc and b.per_sample)

    @property
    def kernels(self) -> dict[str, str]:
        """Node name → synaptic kernel chosen for it (linear and conv2d nodes)."""
        return {s["node"]: s["kernel"] for s in self.steps if "kernel" in s}


class _Builder(SynapseSteps, ElementwiseSteps, NeuronSteps):
    def __init__(self, graph: Graph, opts: CpuOptions):
        self.g, self.o = graph, opts
        self.plan = Plan(opts.prefix, graph.name)
        self.values: dict[str, Value] = {}

    # ------------------------------------------------------------------ helpers
    def fail(self, node, why: str):
        raise TargetError(f"target cpu cannot express node %{node.name} ({node.op}): {why}")

    def buffer(self, fld: str, ctype: str, count: int, per_sample: bool = True, alloc: bool = True,
               state: bool = False) -> str:
        self.plan.buffers.append(Buffer(fld, ctype, max(1, int(count)), per_sample, alloc, state))
        return fld

    def array(self, name: str, values: np.ndarray, ctype: CType, what: str) -> str:
        self.plan.arrays.append(CArray(f"{self.o.prefix}_{name}", ctype.name,
                                       np.ascontiguousarray(values).reshape(-1).astype(ctype.np), what))
        return f"{self.o.prefix}_{name}"

    def value(self, node, fld: str | None = None) -> Value:
        """Allocate the node's result buffer (its storage type) and register it."""
        ct = cint.storage_ctype(node.type.dtype)
        v = Value(fld or f"v_{self.ident}", ct, size_of(node.type.shape))
        self.values[node.name] = v
        return v

    def int_param(self, node, role: str) -> np.ndarray | None:
        a = self.g.param(node, role)
        if a is None:
            return None
        if a.dtype.kind == "f":
            self.fail(node, f"parameter {role} is float; the cpu target runs integer graphs (run integerize)")
        if a.size and (int(a.max()) > cint.INT64_MAX or int(a.min()) < cint.INT64_MIN):
            self.fail(node, f"parameter {role} has values beyond int64")
        return a

    def bparam(self, node, role: str, shape) -> dict | None:
        """A broadcast parameter (T_p,) + B expanded to [T_p][size]; a constant when uniform."""
        a = self.int_param(node, role)
        if a is None:
            return None
        tp = int(a.shape[0])
        full = np.broadcast_to(a, (tp,) + tuple(shape)).reshape(tp, -1)
        lo, hi = int(full.min()), int(full.max())
        ct = cint.INT32 if cint.INT32.lo <= lo and hi <= cint.INT32.hi else cint.INT64
        if lo == hi:
            return {"const": True, "value": cint.c_int(lo), "maxabs": abs(lo), "ctype": ct.name}
        arr = self.array(f"{self.ident}_{role}", full, ct, f"{role} of %{comment(node.name)}, [{tp}][{full.shape[1]}]")
        return {"const": False, "local": f"p_{role}", "array": arr, "tp": tp, "size": int(full.shape[1]),
                "ctype": ct.name, "maxabs": max(abs(lo), abs(hi))}

    def step(self, node, kind: str, **data) -> dict:
        t = node.type
        s = {"kind": kind, "fn": f"{self.o.prefix}_{self.ident}", "node": node.name,
             "comment": comment(f"%{node.name} = {node.op}({', '.join('%' + o for o in node.operands)}) : {t}"),
             **data}
        s["decls"] = [v for v in data.values() if isinstance(v, dict) and v.get("const") is False]
        self.plan.steps.append(s)
        return s

    def operand(self, node, i: int = 0) -> Value:
        return self.values[node.operands[i]]

    # ------------------------------------------------------------------ walk
    def build(self) -> Plan:
        bad = [n for n in self.g if n.op not in SUPPORTED_OPS]
        if bad:
            more = f" (and {len(bad) - 1} more nodes)" if len(bad) > 1 else ""
            raise TargetError(f"target cpu cannot express node %{bad[0].name} (op {bad[0].op}){more}; it supports: "
                              f"{', '.join(sorted(SUPPORTED_OPS))} — compile with the default pipeline (integerize, "
                              "lower-multispike) or use target reference")
        for index, node in enumerate(self.g):
            self.ident = node_ident(index, node.name)
            if node.type is None or node.type.dtype.is_float:
                self.fail(node, "its value is f32; the cpu target runs the deployable integer graph — compile "
                                "with the default pipeline (integerize) or use target reference for float graphs")
            getattr(self, "op_" + node.op)(node)
        if not self.plan.outputs:
            raise TargetError("target cpu: the graph has no output node")
        fit = BLOCK_BYTES // max(1, self.plan.bytes_per_sample)
        self.plan.block = self.o.block or max(1, min(MAX_BLOCK, fit))
        return self.plan

    # ------------------------------------------------------------------ boundary and shape
    def op_input(self, node):
        v = self.value(node)
        self.buffer(v.field, v.ctype.name, v.size, alloc=False)
        lo, hi = node.type.dtype.range()
        self.plan.inputs.append(IOSpec(node.name, comment(node.name), v.field, v.ctype, v.size,
                                       tuple(node.type.shape), str(node.type.dtype), lo, min(hi, cint.INT64_MAX)))

    def op_output(self, node):
        x = self.operand(node)
        self.values[node.name] = x
        lo, hi = node.type.dtype.range()
        self.plan.outputs.append(IOSpec(node.name, comment(node.name), x.field, x.ctype, x.size,
                                        tuple(node.type.shape), str(node.type.dtype), lo, min(hi, cint.INT64_MAX)))

    def op_flatten(self, node):
        self.values[node.name] = self.operand(node)

    op_reshape = op_flatten


def build_plan(graph: Graph, options: CpuOptions) -> Plan:
    """The plan of `graph` (a deployable integer graph) for the cpu target; TargetError if it cannot be."""
    return _Builder(graph, options).build()
