"""The streaming architecture: the DATAFLOW region's processes, their hls::stream channels, widths and depths.

With DATAFLOW (the default) the top function is one DATAFLOW region over the whole
sample: one process per input port, per layer, per fork, per width converter and per
output port, each looping over the timesteps itself, connected by ``hls::stream``
FIFOs of beats (`beat<T, W>`: W elements of a value, row-major). Timesteps pipeline
through the network: a process works on timestep t + 1 while the next one still works
on t.

* streaming processes (the elementwise layers, neurons, adds, forks, converters) read
  one beat of each input and write one beat per cycle; their beat width is their PE;
* frame processes (linear, conv2d, spike_matmul, pooling, which read their input out
  of order) read the input frame into a local buffer, run the layer, and write the
  output frame, as a nested DATAFLOW of read → layer → write (ping-pong buffers); their
  channels take the width of the other side;
* where a streaming producer and consumer differ in PE, a converter re-packs the beats
  (one loop over gcd(W_in, W_out)-element pieces);
* a port process packs beats of up to `PORT_BEAT` elements (array ports read and write
  that many per cycle; an AXI4-Stream port carries one element per cycle).

Depths (in beats) come from the schedule: every channel holds 2 beats, except a fork
output whose sibling branch passes through a frame process before the branches meet
again (the skip path of a residual block): a frame process reads a whole frame before
it writes anything, so the fork can only finish the frame, and the join only start,
if the skip path holds the frame: N = size / W beats, or N − 1 when every such sibling
is an earlier output of the fork (a fork writes its outputs in order each cycle, so the
sibling receives the frame's last beat before the skip path must take it). A frame process with several
inputs (spike_matmul) reads them one after the other in C-simulation, so its later
inputs hold a frame too. With these depths no process waits forever (the shim's
blocking FIFOs check it in C-simulation, `hls_stream.h`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .layers import PIPELINE_DEPTH, Buffer, Layer

STREAMING_OPS = frozenset({"lif_int", "cuba_lif_int", "li_int", "add", "scale", "affine", "threshold",
                           "multispike_int", "output", "fork"})
MIN_DEPTH = 2
PORT_BEAT = 16           # the widest beat a port process packs (array ports: elements per cycle)


@dataclass
class Channel:
    name: str
    value: Buffer
    width: int = 1
    depth: int = MIN_DEPTH
    producer: "Process | None" = None
    consumer: "Process | None" = None

    @property
    def beats(self) -> int:
        return self.value.size // self.width

    @property
    def beat_type(self) -> str:
        return f"beat<{self.value.type_name}, {self.width}>"


@dataclass
class Process:
    name: str
    kind: str                        # input | output | stream | frame | convert
    layer: Layer | None = None
    port: Buffer | None = None
    ins: list[Channel] = field(default_factory=list)
    outs: list[Channel] = field(default_factory=list)

    def need(self) -> int | None:
        """The beat width a streaming process needs on all its channels (its PE), else None."""
        return self.layer.lanes if self.kind == "stream" else None


@dataclass
class Schedule:
    processes: list[Process]
    channels: list[Channel]


def schedule(layers: list[Layer], inputs: list[Buffer], outputs: list[Buffer], namer) -> Schedule:
    """Processes and channels of the DATAFLOW region (module docstring); `layers` after `add_forks`."""
    procs: list[Process] = []
    made: dict[str, tuple[Process, int]] = {}
    chans: dict[str, Channel] = {}

    def channel(buf: Buffer) -> Channel:
        if buf.name not in chans:
            chans[buf.name] = Channel(f"s_{buf.ident}" if buf.kind == "buf" else f"s_{buf.name}", buf)
        return chans[buf.name]

    for b in inputs:
        p = Process(f"proc_{b.name}", "input", port=b)
        c = channel(b)
        c.producer = p
        p.outs.append(c)
        procs.append(p)
    for layer in layers:
        p = Process(f"proc_{layer.ident}", "stream" if layer.op in STREAMING_OPS else "frame", layer=layer)
        for b in layer.inputs:
            c = channel(b)
            c.consumer = p
            p.ins.append(c)
        for b in layer.outputs:
            c = channel(b)
            c.producer = p
            p.outs.append(c)
        procs.append(p)
    for b in outputs:
        p = Process(f"proc_{b.name}", "output", port=b)
        c = chans[b.name]
        c.consumer = p
        p.ins.append(c)
        procs.append(p)
    channels = list(chans.values())
    final: list[Channel] = []
    for c in channels:
        final += _widths(c, procs, namer)
    _depths(final)
    return Schedule(procs, final)


def _widths(c: Channel, procs: list[Process], namer) -> list[Channel]:
    """Set the channel's beat width; a converter when both ends need different widths."""
    size = c.value.size
    need_out, need_in = c.producer.need(), c.consumer.need()
    if need_out and need_in and need_out != need_in:
        conv = Process(f"proc_{namer(c.value.node + '.convert')}", "convert")
        tail = Channel(f"{c.name}_w{need_in}", c.value, need_in, MIN_DEPTH, conv, c.consumer)
        c.consumer.ins[c.consumer.ins.index(c)] = tail
        c.consumer, c.width = conv, need_out
        conv.ins, conv.outs = [c], [tail]
        procs.insert(procs.index(tail.consumer), conv)
        return [c, tail]
    if need_out or need_in:
        c.width = need_out or need_in
        return [c]
    options = [p.layer.lanes for p in (c.producer,) if p.layer is not None] + \
              [p.layer.read_lanes for p in (c.consumer,) if p.layer is not None]
    if c.producer.kind == "input" or c.consumer.kind == "output":     # a port: beats of up to PORT_BEAT
        options.append(max(d for d in range(1, PORT_BEAT + 1) if size % d == 0))
    c.width = max([w for w in options if size % w == 0] + [1])
    return [c]


def _reach(p: Process) -> set[int]:
    seen, todo = set(), [p]
    while todo:
        q = todo.pop()
        if id(q) in seen:
            continue
        seen.add(id(q))
        todo += [c.consumer for c in q.outs if c.consumer is not None]
    return seen


def _frames(p: Process) -> set[int]:
    out, todo, seen = set(), [p], set()
    while todo:
        q = todo.pop()
        if id(q) in seen:
            continue
        seen.add(id(q))
        if q.kind == "frame":
            out.add(id(q))
        todo += [c.consumer for c in q.outs if c.consumer is not None]
    return out


def _depths(channels: list[Channel]) -> None:
    """A fork output holds a frame (less one beat when the siblings are written first) when a sibling branch
    passes through a frame process before they meet; so does every input but the first of a frame process with
    several (C-simulation reads them one after the other)."""
    for c in channels:
        if c.consumer is not None and c.consumer.kind == "frame" and c.consumer.ins.index(c) > 0:
            c.depth = max(c.depth, c.beats)
        fork = c.producer
        if fork is None or fork.layer is None or fork.layer.op != "fork":
            continue
        mine = _reach(c.consumer)
        mine_at = fork.outs.index(c)
        for at, other in enumerate(fork.outs):
            if other is c or not (_frames(other.consumer) - mine):
                continue
            # the fork writes its outputs in order each cycle: a sibling written before this channel gets
            # the frame's last beat while this one still holds the N - 1 before it
            c.depth = max(c.depth, c.beats - 1 if at < mine_at else c.beats)


def process_cycles(p: Process, layer_cycles: int | None, axis: bool) -> int:
    """Cycles per timestep of a process (the formulas of estimates.py)."""
    if p.kind == "input":
        return p.port.size if axis else p.outs[0].beats + PIPELINE_DEPTH
    if p.kind == "output":
        return p.port.size if axis else p.ins[0].beats + PIPELINE_DEPTH
    if p.kind == "convert":
        cin, cout = p.ins[0], p.outs[0]
        return cin.value.size // math.gcd(cin.width, cout.width) + PIPELINE_DEPTH
    if p.kind == "stream":
        return layer_cycles
    io = [c.beats + PIPELINE_DEPTH for c in p.ins + p.outs]
    return max([layer_cycles] + io)
