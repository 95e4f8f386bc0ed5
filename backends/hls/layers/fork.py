"""Fork layers: a value read by several layers, copied into one buffer per consumer for DATAFLOW.

A DATAFLOW region needs one producer and one consumer per channel; the skip path of
a residual block reads a value that the block's first layer also reads. `add_forks`
gives each such value a fork layer (``y[i] = y1[i] = … = x[i]``, PE lanes per cycle, PE
the widest lanes of its producer and consumers that divide the size) and points each
consumer at its own copy.
"""
from __future__ import annotations

import dataclasses

from .base import Buffer, BuildContext, Layer, map_fold


def add_forks(ctx: BuildContext, layers: list[Layer], buffers: list[Buffer]) -> int:
    """Insert a fork after the producer of every value with several consumers (in place); returns how many."""
    readers: dict[str, list[tuple[int, int]]] = {}
    for li, layer in enumerate(layers):
        for k, b in enumerate(layer.inputs):
            readers.setdefault(b.name, []).append((li, k))
    made = {b.name: li for li, layer in enumerate(layers) for b in layer.outputs}
    inserts = []
    for name, uses in readers.items():
        if len(uses) < 2:
            continue
        src = layers[uses[0][0]].inputs[uses[0][1]]
        copies = []
        for j in range(len(uses)):
            ident = ctx.ident(f"{src.node}.fork{j}")
            copies.append(dataclasses.replace(src, ident=ident, name=f"buf_{ident}", kind="buf"))
        for (li, k), copy in zip(uses, copies):
            layers[li].inputs[k] = copy
        widths = [layers[made[name]].lanes] if name in made else []
        widths += [layers[li].read_lanes for li, _ in uses]
        lanes = max(w for w in widths + [1] if src.size % w == 0)
        ident = ctx.ident(f"{src.node}.fork")
        exprs = [f"y{k or ''}[i] = x0[i];" for k in range(len(copies))]
        fold = map_fold(src.size, "elements", 0, 0)
        layer = Layer(f"{src.node}.fork", ident, "fork", "fork.j2",
                      dict(groups=src.size // lanes, lanes=lanes, copies=exprs), [src], copies[0], fold, lanes,
                      lanes, extra_outputs=copies[1:])
        inserts.append((made.get(name, -1) + 1, layer, copies))
    for at, layer, copies in sorted(inserts, key=lambda item: -item[0]):
        layers.insert(at, layer)
        buffers.extend(copies)
    return len(inserts)
