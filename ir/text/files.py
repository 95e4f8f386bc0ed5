"""save / load: a graph as a `.snnir` text file plus its parameter arrays in a `.npz`
beside it (same stem). `.nir` files are the frontend's (`snnc.frontend.load_source`).

`save` is atomic: both files are written to temporary files in the target folder
and renamed into place only once both are complete (the `.npz` first, the text
last, so a reader never sees a new text with old arrays unless the process dies
between the two renames — and then `load` notices any declared shape or type
that no longer matches). On any failure the temporaries are removed and existing
files are left as they were.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..errors import ParseError
from .printer import print_graph
from .reader import decode, parse


def npz_path(path: str | os.PathLike) -> Path:
    """The `.npz` that holds the arrays of the text file `path`."""
    return Path(path).with_suffix(".npz")


def _temp_beside(target: Path, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix + ".tmp", dir=target.parent)
    os.close(fd)
    return Path(name)


def save(graph, path: str | os.PathLike) -> Path:
    """Write `graph` to `path` (text) and `path.with_suffix('.npz')` (arrays), atomically.

    The graph is not verified (an invalid graph can be saved for inspection), but it
    must be printable. Returns the text file's path.
    """
    path = Path(path)
    if path.suffix == ".npz":
        raise ParseError(f"{path}: the text form needs its own file name (model.snnir); the arrays go to "
                         "the .npz beside it", source=str(path))
    arrays = npz_path(path)
    text = print_graph(graph)             # fails before anything is written
    tmp_text = tmp_npz = None
    try:
        tmp_npz = _temp_beside(arrays, ".npz")
        with open(tmp_npz, "wb") as f:
            np.savez_compressed(f, **{k: np.ascontiguousarray(v) for k, v in graph.params.items()})
            f.flush()
            os.fsync(f.fileno())
        tmp_text = _temp_beside(path, ".snnir")
        with open(tmp_text, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_npz, arrays)
        tmp_npz = None
        os.replace(tmp_text, path)
        tmp_text = None
    finally:
        for tmp in (tmp_npz, tmp_text):
            if tmp is not None:
                tmp.unlink(missing_ok=True)
    return path


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as e:
        raise ParseError(f"cannot read the parameter arrays: {e} (the .npz is damaged or not written by "
                         "snnc; save the graph again)", source=str(path)) from None


def load(path: str | os.PathLike, *, verify: bool = True):
    """Read a graph from a `.snnir` file (arrays from the `.npz` beside it).

    Raises `ParseError` for anything wrong with the files (a `.nir` file included: NIR is
    read by the frontend) and `VerifyError` for a graph that parses but breaks a rule.
    """
    path = Path(path)
    if path.suffix.lower() == ".nir":
        raise ParseError("a NIR file is read by the frontend, not by snnc.ir.load: use snnc.compile(path) or "
                         "snnc.frontend.load_source(path) (CLI: snnc compile FILE.nir)", source=str(path))
    if path.suffix == ".npz":
        raise ParseError("this is the parameter file; load the .snnir text file beside it", source=str(path))
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ParseError(f"cannot read the file: {e.strerror or e}", source=str(path)) from None
    text = decode(data, str(path))
    arrays = npz_path(path)
    params = _read_npz(arrays) if arrays.exists() else {}
    return parse(text, params, verify=verify, source=str(path), params_source=arrays.name)

