"""The typed steps of a cpu plan: one dataclass per kind of generated C function.

A step's fields are what its template (``templates/cpu/ops/<kind>.c.j2``, read as ``s``)
prints: buffer fields of the workspace (``x``, ``y``, ``accbuf`` …), their C types (``xt``,
``yt`` …), sizes and strides, constants and the broadcast parameters (`Const` or `Table`).
Every step computes one node for one timestep into its result buffer ``y`` of type ``yt``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Const:
    """A broadcast parameter whose values are all one value: a C literal."""
    const: ClassVar[bool] = True
    value: str               # C literal
    maxabs: int
    ctype: str


@dataclass(frozen=True)
class Table:
    """A broadcast parameter (T_p,) + B expanded to the array ``array[T_p][size]``; the template
    binds timestep t's row to the local pointer ``local``."""
    const: ClassVar[bool] = False
    local: str
    array: str
    tp: int
    size: int
    ctype: str
    maxabs: int


Param = Const | Table


@dataclass(frozen=True)
class Ref:
    """One operand of a step with several (add): its buffer field and C type."""
    field: str
    ctype: str


@dataclass(frozen=True, kw_only=True)
class Step:
    kind: ClassVar[str]                   # the template: cpu/ops/<kind>.c.j2
    kernel: ClassVar[str | None] = None   # the synaptic kernel (linear and conv2d steps)
    fn: str                               # the C function
    node: str                             # the IR node
    comment: str                          # the IR node, safe in a C comment
    y: str
    yt: str
    wide: str | None = None               # compute type of the arithmetic (int32_t, int64_t, snnc_i128)

    @property
    def decls(self) -> list[Table]:
        """The array parameters, in field order (the template declares their row for timestep t)."""
        return [v for v in (getattr(self, f.name) for f in dataclasses.fields(self)) if isinstance(v, Table)]


@dataclass(frozen=True, kw_only=True)
class Unary(Step):
    x: str
    xt: str


@dataclass(frozen=True, kw_only=True)
class Elementwise(Unary):
    size: int                             # elements per sample


@dataclass(frozen=True, kw_only=True)
class Window(Unary):
    """A sliding window over [C, H, W] → [·, HO, WO]: kernel KH×KW, stride SH, SW, padding PH, PW."""
    C: int
    H: int
    W: int
    HO: int
    WO: int
    HWO: int
    KH: int
    KW: int
    SH: int
    SW: int
    PH: int
    PW: int


@dataclass(frozen=True, kw_only=True)
class Pool(Window):
    kind = "pool"
    pool: str                             # sum | max
    HW: int
    acc: str
    init: str                             # the max pool's start value


@dataclass(frozen=True, kw_only=True)
class Add(Step):
    kind = "add"
    xs: list[Ref]
    size: int
    acc: str


@dataclass(frozen=True, kw_only=True)
class Gain(Elementwise):
    kind = "gain"
    scale: Param
    bias: Param | None
    shift: int


@dataclass(frozen=True, kw_only=True)
class Threshold(Elementwise):
    kind = "threshold"
    th: Param
    cmp: str


@dataclass(frozen=True, kw_only=True)
class Multispike(Elementwise):
    kind = "multispike"
    F: int
    half_shift: int | None
    D: str


@dataclass(frozen=True, kw_only=True)
class Neuron(Elementwise):
    kind = "neuron"
    v: str                                # membrane state buffer
    i: str | None                         # synaptic current state buffer (cuba)
    st: str                               # state C type
    current: bool
    spiking: bool
    leak: Param | None
    bias: Param | None
    alpha: Param | None
    threshold: Param | None
    shift: int
    in_shift: int
    saturate: bool
    bits: int
    lo: str
    hi: str
    reset: str
    cmp: str
    v_reset: str


@dataclass(frozen=True, kw_only=True)
class Planes:
    """Ternary weights as the +1 / −1 bit-plane arrays P and N (pstride words per bank), times
    nbits input bit planes."""
    P: str
    N: str
    pstride: int
    nbits: int


@dataclass(frozen=True, kw_only=True)
class Dense:
    """Weights as one array w of C type wt (wstride elements per bank), accumulated in acc."""
    w: str
    wt: str
    wstride: int
    acc: str


@dataclass(frozen=True, kw_only=True)
class Linear(Unary):
    lead: int                             # rows per sample (leading axes)
    K: int
    M: int
    tw: int                               # weight banks (T_w)
    bias: Param | None


@dataclass(frozen=True, kw_only=True)
class LinearBitplane(Linear, Planes):
    kind = "linear_bitplane"
    kernel = "bitplane"
    groups: int
    kw: int
    mpad: int
    xbits: str
    accbuf: str


@dataclass(frozen=True, kw_only=True)
class LinearEvent(Linear, Dense):
    kind = "linear_event"
    kernel = "event"
    idxbuf: str
    tile: int
    binary: bool
    active: str
    rowsum: str | None = None             # the runtime's SIMD row summer (binary x, int8 w), else None
    rowbuf: str | None = None             # its M accumulators


@dataclass(frozen=True, kw_only=True)
class Conv(Window):
    O: int                                # noqa: E741
    DH: int
    DW: int
    tw: int
    bias: Param | None
    CHW: int
    OHWO: int


@dataclass(frozen=True, kw_only=True)
class ConvBitplane(Conv, Planes):
    kind = "conv_bitplane"
    kernel = "bitplane"
    kwords: int
    CW: int
    HP: int
    WP: int
    HWO8: int
    ldx: int
    padbuf: str
    colbuf: str
    accbuf: str
    padwords: int


@dataclass(frozen=True, kw_only=True)
class ConvEvent(Conv, Dense):
    kind = "conv_event"
    kernel = "event"
    accbuf: str
    binary: bool


@dataclass(frozen=True, kw_only=True)
class ConvDirect(Conv, Dense):
    kind = "conv_direct"
    kernel = "direct"
    accbuf: str
    padbuf: str
    HP: int
    WP: int
    flat: bool
    pitch: int
    accsize: int
    span: int
    CG: int
    OG: int


@dataclass(frozen=True, kw_only=True)
class SpikeMatmul(Step):
    kind = "spike_matmul"
    a: str
    at: str
    b: str
    bt: str
    lead: int
    SA: int
    SB: int
    SY: int
    M: int
    N: int
    K: int
    am: int
    ak: int
    bk: int
    bn: int
    brow: int          # row stride of op_b as the kernel reads it (N when packed)
    acc: str
    accbuf: str        # one output row of accumulators
    packbuf: str       # op_b packed row-major when it is transposed in memory, else ""
