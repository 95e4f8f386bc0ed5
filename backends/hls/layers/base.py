"""What a layer builder produces: buffers, state, constant arrays, the template data and its cost.

Every IR value lives in a flat, row-major C++ array (`Buffer`) of its per-timestep
size; `flatten` and `reshape` therefore generate no code (the consumer reads the
producer's buffer). Each other node becomes one `Layer`: a ``static void
layer_<id>(...)`` function that computes one timestep, rendered from
``templates/hls/<template>`` with `data`. State that persists across timesteps
(membranes, synaptic currents) is a `State` array owned by the top function and
reset at the start of every sample.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from snnc.ir import DType, Graph, Node

from ..cpp import BParam, ConstArray, broadcast_param
from ...common.names import Namer
from ..options import HLSOptions
from ..parallelism import check_lanes

PIPELINE_DEPTH = 3   # assumed iteration latency of a pipelined loop (cycles), for the estimates


def map_fold(size: int, what: str, lut: int, ff: int, dsp: int = 0, params=(), states=()) -> Fold:
    """The fold of an elementwise layer of `size` elements with its per-lane datapath."""
    return Fold("map", 1, size, what, lut_lane=lut, ff_lane=ff, dsp_lane=dsp,
                params=tuple((a.length, a.bits) for a in params), states=tuple(states))


@dataclass
class Buffer:
    node: str           # the IR node whose value this is
    ident: str
    ctype: str          # e.g. ap_uint<1>
    type_name: str      # the typedef: type_<ident>
    size: int
    dtype: DType
    name: str           # the variable in the step function (buf_<id>, in_<id>, out_<id>)
    kind: str = "buf"   # buf | input | output


@dataclass
class State:
    name: str           # vstate_<id> / istate_<id> (top-level arrays)
    arg: str            # the parameter name inside the layer function
    bits: int
    size: int
    lanes: int

    @property
    def ctype(self) -> str:
        return f"ap_int<{self.bits}>"


@dataclass(frozen=True)
class Fold:
    """A layer's folding space and what its cost depends on (the formulas are in `estimates.py`).

    A synaptic layer (``kind="mvu"``) computes `outer` × (pe_size / PE) × (simd_size / SIMD)
    cycles of PE × SIMD synapses; any other layer (``kind="map"``) pe_size / PE cycles of PE
    elements. `mode` is the synapse datapath (popcount, ternary, select, multiply; ``map``
    for the others) with its operand widths; `lut_lane`/`ff_lane`/`dsp_lane` are a map
    layer's per-lane datapath; `weights` = (codes, bits per code) of the weight memory,
    `params` the other constant arrays (length, bits), `states` the state arrays (size, bits).
    """
    kind: str
    outer: int
    pe_size: int
    pe_what: str
    simd_size: int = 1
    simd_what: str = ""
    mode: str = "map"
    acc_bits: int = 0
    xbits: int = 0
    wbits: int = 0
    lut_lane: int = 0
    ff_lane: int = 0
    dsp_lane: int = 0
    weights: tuple[int, int] | None = None
    params: tuple[tuple[int, int], ...] = ()
    states: tuple[tuple[int, int], ...] = ()
    synapses: int = 0           # synaptic operations (weights read) per timestep
    ternary: bool = False


@dataclass
class Layer:
    node: str
    ident: str
    op: str
    template: str
    data: dict
    inputs: list[Buffer]
    output: Buffer
    fold: Fold
    lanes: int                      # PE
    read_lanes: int                 # consecutive input elements read per cycle (buffer partitioning)
    states: list[State] = field(default_factory=list)
    roms: list[ConstArray] = field(default_factory=list)
    uses_t: bool = False
    simd: int = 1                   # SIMD (synaptic layers)
    extra_outputs: list[Buffer] = field(default_factory=list)    # a fork's further copies (y1, y2, …)

    @property
    def outputs(self) -> list[Buffer]:
        return [self.output] + self.extra_outputs

    @property
    def fn(self) -> str:
        return f"layer_{self.ident}"

    def signature(self) -> list[str]:
        args = [f"const {b.type_name} x{k}[{b.size}]" for k, b in enumerate(self.inputs)]
        args.append(f"{self.output.type_name} y[{self.output.size}]")
        args += [f"{b.type_name} y{k + 1}[{b.size}]" for k, b in enumerate(self.extra_outputs)]
        args += [f"{s.ctype} {s.arg}[{s.size}]" for s in self.states]
        return args + (["int t"] if self.uses_t else [])

    def call_args(self) -> list[str]:
        args = [b.name for b in self.inputs + self.outputs] + [s.name for s in self.states]
        return args + (["t"] if self.uses_t else [])


class BuildContext:
    """What a layer builder can see: the graph, the options, identifiers and the buffers so far."""

    def __init__(self, graph: Graph, options: HLSOptions, namer: Namer):
        self.graph, self.options, self.ident = graph, options, namer
        self.buffers: dict[str, Buffer] = {}

    def operands(self, node: Node) -> list[Buffer]:
        return [self.buffers[o] for o in node.operands]

    def output_buffer(self, node: Node) -> Buffer:
        return self.buffers[node.name]

    def lanes(self, node: Node, size: int, what: str) -> int:
        return check_lanes(node.name, self.options.lanes(node.name), size, what)

    def simd(self, node: Node, size: int, what: str) -> int:
        return check_lanes(node.name, self.options.simd_lanes(node.name), size, what, option="simd")

    def bparam(self, node: Node, role: str, shape) -> BParam | None:
        arr = self.graph.param(node, role)
        if arr is None:
            return None
        return broadcast_param(arr, tuple(shape), f"p_{self.ident(node.name)}_{role}", role, node.name)



def roms_of(*params: BParam | None) -> list[ConstArray]:
    return [a for a in (p.array() for p in params if p is not None) if a is not None]


def periodic(*params: BParam | None) -> bool:
    return any(p is not None and p.periodic for p in params)
