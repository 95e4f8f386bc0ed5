"""The weight blob ``weights.bin``: every constant array of a C model in one binary file beside
the library, loaded (copied into a 64-byte aligned allocation) when the model is opened, instead
of C arrays the compiler has to parse — a 3 M-weight model's build no longer grows with its
weights, and a build of the same architecture with other weights is a cache hit.

Layout (little-endian)::

    offset  size
    0       8     magic b"SNNCWTS1"
    8       4     uint32 number of arrays
    12      4     uint32 header size (64)
    16      8     uint64 payload size in bytes
    24      8     uint64 layout id: CRC-32 of the arrays' names, C types and lengths (and
                  the magic), so that a blob of another model is refused
    32      4     uint32 CRC-32 (zlib's) of the payload
    36      28    zero
    64      …     the payload: each array at an offset that is a multiple of 64, in plan order

The C loader (``<prefix>_load_weights(data, size)``, `templates/cpu/weights.c.j2`) checks every
field against the layout compiled into the library and the checksum before it copies anything;
it reads nothing beyond `size` bytes. Its error codes are `LOAD_ERRORS`.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

import numpy as np

from ..target import TargetError

MAGIC = b"SNNCWTS1"
HEADER = 64
ALIGN = 64
FILE = "weights.bin"
LOAD_ERRORS = {
    1: "it is shorter than its header says (truncated)",
    2: "it is not an snnc weight blob (no SNNCWTS1 magic)",
    3: "it holds the weights of another model (its array layout differs from this library's)",
    4: "its checksum does not match: the file is damaged",
    5: "out of memory",
    6: "it cannot be read",
    7: "it is longer than its header says",
}


@dataclass(frozen=True)
class Slot:
    name: str
    ctype: str
    count: int
    offset: int              # bytes from the start of the payload


def layout(arrays) -> tuple[list[Slot], int]:
    """Each plan array's place in the payload, and the payload size."""
    slots, pos = [], 0
    for a in arrays:
        slots.append(Slot(a.name, a.ctype, a.count, pos))
        pos += -(-a.count * a.values.dtype.itemsize // ALIGN) * ALIGN
    return slots, pos


def layout_id(slots: list[Slot]) -> int:
    text = MAGIC + "".join(f"{s.name}:{s.ctype}:{s.count};" for s in slots).encode()
    return zlib.crc32(text)


def pack(arrays) -> bytes:
    """The blob of the plan's arrays."""
    slots, size = layout(arrays)
    payload = bytearray(size)
    for s, a in zip(slots, arrays):
        raw = np.ascontiguousarray(a.values).astype(a.values.dtype.newbyteorder("<"), copy=False).tobytes()
        payload[s.offset:s.offset + len(raw)] = raw
    head = struct.pack("<8sIIQQI", MAGIC, len(slots), HEADER, size, layout_id(slots), zlib.crc32(payload))
    return head.ljust(HEADER, b"\0") + bytes(payload)


def load_error(code: int, where: str) -> TargetError:
    why = LOAD_ERRORS.get(code, f"error code {code}")
    return TargetError(f"refusing the weight blob {where}: {why}; emit the cpu target again so that weights.bin "
                       "and the library come from the same model")
