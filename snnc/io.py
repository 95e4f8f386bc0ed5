"""Small file helpers shared by the CLI and the targets: safe .npy reading and atomic writes."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .errors import ConfigError


def load_npy(path) -> np.ndarray:
    """Read a .npy array without unpickling; a bad file is a ConfigError naming it."""
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise ConfigError(f"input file {path} does not exist") from None
    except (ValueError, OSError, EOFError) as e:
        raise ConfigError(f"{path} is not a readable .npy array ({' '.join(str(e).split())})") from None


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
