"""The array file format of the standalone runner (`main.c`), read and written from Python.

All integers little-endian::

    8 bytes    magic b"SNNCARR1"
    uint32     number of arrays
    per array: uint32 ndim, ndim × uint32 dims, prod(dims) × int64 values (row-major)

The runner reads the model's inputs in the order of `model.h` (graph order) and writes its
outputs the same way; values are the raw integers of the IR types.
"""
from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from ..target import TargetError

MAGIC = b"SNNCARR1"


def write_arrays(path, arrays) -> Path:
    """Write integer arrays (a list, or a dict whose values are taken in order)."""
    arrays = list(arrays.values()) if isinstance(arrays, dict) else list(arrays)
    parts = [MAGIC, struct.pack("<I", len(arrays))]
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind not in "biu":
            raise TargetError(f"snnc array files hold integers; got an array of {a.dtype}")
        parts.append(struct.pack(f"<I{a.ndim}I", a.ndim, *a.shape))
        parts.append(np.ascontiguousarray(a, dtype="<i8").tobytes())
    path = Path(path)
    path.write_bytes(b"".join(parts))
    return path


def read_arrays(path) -> list[np.ndarray]:
    """Read every array of an snnc array file as int64 arrays."""
    data = Path(path).read_bytes()
    if data[:8] != MAGIC:
        raise TargetError(f"{path} is not an snnc array file (no SNNCARR1 magic)")
    (count,), pos, out = struct.unpack_from("<I", data, 8), 12, []
    for _ in range(count):
        (ndim,) = struct.unpack_from("<I", data, pos)
        dims = struct.unpack_from(f"<{ndim}I", data, pos + 4)
        pos += 4 + 4 * ndim
        n = int(np.prod(dims, dtype=np.int64))
        if pos + 8 * n > len(data):
            raise TargetError(f"{path} is truncated")
        out.append(np.frombuffer(data, "<i8", n, pos).astype(np.int64).reshape(dims))
        pos += 8 * n
    return out
