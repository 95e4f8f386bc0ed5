"""Small file helpers shared by the CLI and the targets: safe .npy reading and atomic writes."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .errors import ConfigError


MAX_NPY_VALUES = 1 << 30        # elements of one input array


def load_npy(path, want: tuple[int, ...] | None = None, what: str = "the model") -> np.ndarray:
    """Read a .npy array without unpickling; a bad file is a ConfigError naming it.

    The header is checked before any data is allocated: a .npy (not an .npz archive or
    another file), a numeric dtype, a shape whose data the file really holds, at most
    MAX_NPY_VALUES elements, and — with `want` (the per-timestep shape) — the shape
    ``[T, B, *want]`` with 1 ≤ T ≤ MAX_TIMESTEPS."""
    from snnc.ir import MAX_TIMESTEPS

    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(6)
            if head[:2] == b"PK":
                raise ConfigError(f"{path} is an .npz archive; --input takes one .npy array "
                                  "(numpy.save(path, x) with x [T, B, ...])")
            f.seek(0)
            try:
                major, _ = np.lib.format.read_magic(f)
                read_header = {1: np.lib.format.read_array_header_1_0,
                               2: np.lib.format.read_array_header_2_0}.get(major)
                if read_header is None:
                    raise ValueError(f"unsupported .npy format version {major}")
                shape, _, dtype = read_header(f)
            except (ValueError, OSError, EOFError, SyntaxError, TypeError) as e:
                raise ConfigError(f"{path} is not a readable .npy array ({' '.join(str(e).split())[:200]})") from None
            data_bytes = os.fstat(f.fileno()).st_size - f.tell()
    except FileNotFoundError:
        raise ConfigError(f"input file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"input {path} is a folder, not a .npy file") from None
    if dtype.hasobject or dtype.kind not in "biuf":
        raise ConfigError(f"{path} holds {dtype} values; give a numeric array (bool, integer or float)")
    n = int(np.prod(shape, dtype=object)) if shape else 1
    if n > MAX_NPY_VALUES:
        raise ConfigError(f"{path} declares shape {list(shape)} ({n} values), more than {MAX_NPY_VALUES}; "
                          "split the input into smaller batches")
    if n * dtype.itemsize > data_bytes:
        raise ConfigError(f"{path} is truncated: its header declares shape {list(shape)} of {dtype} "
                          f"({n * dtype.itemsize} bytes) but the file holds {data_bytes}")
    if want is not None:
        want = tuple(want)
        if len(shape) != len(want) + 2 or tuple(shape[2:]) != want or 0 in shape[:2]:
            raise ConfigError(f"input {path} has shape {list(shape)}, but {what} needs "
                              f"[T, B, {', '.join(map(str, want))}]")
        if shape[0] > MAX_TIMESTEPS:
            raise ConfigError(f"input {path} has {shape[0]} timesteps, more than {MAX_TIMESTEPS}")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise ConfigError(f"{path} is not a readable .npy array ({' '.join(str(e).split())[:200]})") from None


def atomic_write(path, write) -> Path:
    """Call `write(tmp_path)`, then rename the temporary file onto `path` (no half-written file)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent or ".")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def save_npy(path, outputs: dict[str, np.ndarray]) -> Path:
    """One output → .npy; several → .npz keyed by output name. Written atomically."""
    path = Path(path)
    if len(outputs) == 1:
        (arr,) = outputs.values()
        return atomic_write(path, lambda tmp: np.save(tmp, arr))
    if path.suffix != ".npz":
        raise ConfigError(f"the graph has {len(outputs)} outputs; give an --output ending in .npz")
    return atomic_write(path, lambda tmp: np.savez(tmp, **outputs))
