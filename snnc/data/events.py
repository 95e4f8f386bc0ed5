"""Spike datasets: event-camera recordings (`events:PATH`) and the Spiking Heidelberg Digits (`shd:PATH`),
binned into T frames of 0/1 spikes when a batch asks for them.

* ``events:PATH`` — ``PATH/train/<class>/<sample>.npz`` and ``PATH/test/<class>/<sample>.npz`` (or
  ``PATH/<class>/…`` with the fixed stratified split), each with arrays ``t``, ``x``, ``y``, ``p``
  (time, column, row, polarity 0/1), as CIFAR10-DVS, DVS128 Gesture and N-MNIST are usually
  distributed after conversion (SpikingJelly's ``events_np`` layout). A sample's events are split
  into T slices of equal event count (the first ``n mod T`` slices one event longer); frame t is
  ``[2, H, W]``: 1 where the slice has an event of that polarity at that pixel. H and W are the largest
  row and column over the dataset, plus one.
* ``shd:PATH`` — ``shd_train.h5`` / ``shd_test.h5`` (``spikes/times`` in seconds, ``spikes/units`` in
  0 … 699, ``labels``): times binned into T equal bins over [0, the largest time of the file], frame t
  ``[700]``: 1 where the unit fired in the bin.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from snnc.errors import DataError

from .split import stratified

SHD_UNITS = 700


def event_files(path: Path, split: str) -> tuple[list[Path], np.ndarray, list[str]]:
    if not path.is_dir():
        raise DataError(f"{path} is not a folder; events:PATH takes PATH/<class>/<sample>.npz (or "
                        f"PATH/train/… and PATH/test/…) with arrays t, x, y, p")
    root = path / split if (path / "train").is_dir() and (path / "test").is_dir() else path
    classes = sorted(d.name for d in root.iterdir() if d.is_dir())
    files = [(f, c) for c, name in enumerate(classes) for f in sorted((root / name).glob("*.npz"))]
    if not files:
        raise DataError(f"{root} holds no event files (<class>/<sample>.npz with arrays t, x, y, p)")
    y = np.array([c for _, c in files], np.int64)
    paths = [f for f, _ in files]
    if root == path:
        idx = stratified(y, split)
        paths, y = [paths[i] for i in idx], y[idx]
    return paths, y, classes


def read_events(f: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(f, allow_pickle=False) as d:
            missing = {"t", "x", "y", "p"} - set(d.files)
            if missing:
                raise DataError(f"{f} lacks the event arrays {sorted(missing)} (it needs t, x, y, p)")
            ev = {k: np.asarray(d[k]).reshape(-1) for k in ("t", "x", "y", "p")}
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise DataError(f"cannot read the event file {f}: {e}") from None
    n = len(ev["t"])
    if any(len(v) != n for v in ev.values()) or any(v.dtype.kind not in "iuf" for v in ev.values()):
        raise DataError(f"{f}: t, x, y, p must be numeric arrays of one length")
    if n and (ev["x"].min() < 0 or ev["y"].min() < 0 or not np.isin(ev["p"], (0, 1)).all()):
        raise DataError(f"{f}: x and y must be ≥ 0 and p 0 or 1")
    return ev


def sensor_size(paths: list[Path]) -> tuple[int, int]:
    h = w = 0
    for f in paths:
        ev = read_events(f)
        if len(ev["x"]):
            h, w = max(h, int(ev["y"].max()) + 1), max(w, int(ev["x"].max()) + 1)
    if not h:
        raise DataError(f"the event files ({paths[0].parent.parent}) hold no events")
    return h, w


def bin_events(ev: dict, T: int, size: tuple[int, int]) -> np.ndarray:
    """[T, 2, H, W] uint8 spikes: T slices of equal event count (module docstring)."""
    H, W = size
    out = np.zeros((T, 2, H, W), np.uint8)
    order = np.argsort(ev["t"], kind="stable")
    n = len(order)
    bounds = [(n // T) * k + min(k, n % T) for k in range(T + 1)]
    x, y, p = (ev[k][order].astype(np.int64) for k in ("x", "y", "p"))
    inside = (x < W) & (y < H)
    for t in range(T):
        s = slice(bounds[t], bounds[t + 1])
        keep = inside[s]
        out[t, p[s][keep], y[s][keep], x[s][keep]] = 1
    return out


def read_shd(path: Path, split: str) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, float]:
    f = path / f"shd_{split}.h5" if path.is_dir() else path
    if not f.is_file():
        raise DataError(f"{f} does not exist; shd:PATH takes the folder holding shd_train.h5 and shd_test.h5")
    import h5py

    try:
        with h5py.File(f, "r") as h:
            times = [np.asarray(v, np.float64) for v in h["spikes"]["times"]]
            units = [np.asarray(v, np.int64) for v in h["spikes"]["units"]]
            labels = np.asarray(h["labels"], np.int64)
    except (OSError, KeyError, TypeError, ValueError) as e:
        raise DataError(f"{f} is not an SHD file (spikes/times, spikes/units, labels): {e}") from None
    if not len(times) == len(units) == len(labels):
        raise DataError(f"{f}: spikes/times, spikes/units and labels differ in length")
    for i, (t, u) in enumerate(zip(times, units)):
        if len(t) != len(u) or (len(u) and (u.min() < 0 or u.max() >= SHD_UNITS)) or not np.isfinite(t).all():
            raise DataError(f"{f}: sample {i} has mismatched times/units or units outside 0 … {SHD_UNITS - 1}")
    t_max = max((float(t.max()) for t in times if len(t)), default=0.0)
    return times, units, labels, t_max


def bin_shd(times: np.ndarray, units: np.ndarray, T: int, t_max: float) -> np.ndarray:
    out = np.zeros((T, SHD_UNITS), np.uint8)
    if len(times):
        step = np.minimum((times / (t_max or 1.0) * T).astype(np.int64), T - 1)
        out[np.clip(step, 0, T - 1), units] = 1
    return out
