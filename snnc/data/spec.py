"""Dataset specs: one string names a dataset on disk, for `snnc train --data`, `verify --dataset` and
`report --dataset` alike (and `snnc.train(data=…)`, which also takes a `Frames` or a torch `Dataset`).

    digits                 scikit-learn's 8×8 digits (the default, embedded)
    npz:PATH               arrays x [N, ...], y [N] (optionally x_test, y_test)     images.py
    folder:PATH            PATH/<class>/<image> or PATH/train|test/<class>/<image>  images.py
    cifar10:ROOT           CIFAR-10 binary or Python version under ROOT             standard.py
    cifar100:ROOT          CIFAR-100 likewise
    mnist:ROOT             MNIST IDX files under ROOT                                standard.py
    fashion-mnist:ROOT     Fashion-MNIST IDX files likewise
    events:PATH            event recordings PATH/<class>/<sample>.npz (t, x, y, p)   events.py
    shd:PATH               Spiking Heidelberg Digits shd_train.h5 / shd_test.h5      events.py

Image datasets take the encodings direct (the frame at every step, 8-bit levels: the compiler types
the input uint<8> with scale 1/255) and rate (Bernoulli spikes); the spike datasets take events. Nothing
is ever downloaded: a missing file is an error naming it and the layout expected.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from snnc.errors import DataError

from . import events, images, standard
from .frames import Frames, from_arrays
from .split import check_split

KINDS = ("digits", "npz", "folder", "cifar10", "cifar100", "mnist", "fashion-mnist", "events", "shd")
SPIKE_KINDS = ("events", "shd")


def parse(spec: str) -> tuple[str, Path | None]:
    """`kind:PATH` → (kind, path); `digits` → ("digits", None)."""
    if not isinstance(spec, str) or not spec.strip():
        raise DataError(f"a dataset spec is a string such as digits or npz:PATH; got {spec!r}")
    kind, sep, rest = spec.strip().partition(":")
    kind = kind.lower()
    if kind not in KINDS:
        raise DataError(f"unknown dataset {kind!r} in {spec!r}; give one of: digits, "
                        + ", ".join(f"{k}:PATH" for k in KINDS[1:]))
    if kind == "digits":
        if sep:
            raise DataError("the digits dataset is embedded: give digits, without a path")
        return kind, None
    if not rest.strip():
        raise DataError(f"the {kind} dataset needs a path: {kind}:PATH")
    return kind, Path(rest.strip()).expanduser()


def default_encoding(spec: str) -> str:
    return "events" if parse(spec)[0] in SPIKE_KINDS else "direct"


def load(spec: str, split: str = "train", T: int = 4, encoding: str | None = None, seed: int = 0):
    """One split of the dataset `spec`, encoded for `T` steps: a `Frames` (digits: `snnc.data.Digits`)."""
    kind, path = parse(spec)
    check_split(split)
    if not isinstance(T, (int, np.integer)) or isinstance(T, bool) or not 1 <= T <= 1_000_000:
        raise DataError(f"T must be a positive integer number of timesteps, got {T!r}")
    encoding = encoding or default_encoding(spec)
    if kind == "digits":
        from .digits import digits
        return digits(split, encoding, T=int(T), seed=seed)
    meta = {"dataset": f"{kind}:{path}", "split": split, "encoding": encoding, "T": int(T), "seed": int(seed)}
    if kind in SPIKE_KINDS:
        return _spikes(kind, path, split, int(T), encoding, seed, meta)
    if kind == "npz":
        x, y = images.read_npz(path, split)
        classes = int(y.max()) + 1 if len(y) else 0
    elif kind == "folder":
        x, y, names = images.read_folder(path, split)
        classes, meta["classes"] = len(names), names
    elif kind in standard.CIFAR:
        x, y = standard.read_cifar(kind, path, split)
        classes = standard.CIFAR[kind]["classes"]
    else:
        x, y = standard.read_mnist(kind, path, split)
        classes = 10
    if not len(y):
        raise DataError(f"the {split} split of {spec} holds no samples")
    meta.update(n=len(y), num_classes=classes, input_shape=list(x.shape[1:]), temporal=False,
                input_scale=1.0 / 255 if encoding == "direct" else 1.0, input_bits=8 if encoding == "direct" else 1)
    return from_arrays(x, y, T=int(T), encoding=encoding, levels=255, meta=meta, seed=seed)


def _spikes(kind, path, split, T, encoding, seed, meta) -> Frames:
    import torch

    if kind == "events":
        paths, y, names = events.event_files(path, split)
        size = _sensor_size(path)
        get = lambda idx: torch.from_numpy(np.stack(  # noqa: E731
            [events.bin_events(events.read_events(paths[i]), T, size) for i in idx]))
        meta.update(classes=names, num_classes=len(names), input_shape=[2, *size])
    else:
        times, units, y, t_max = events.read_shd(path, split)
        get = lambda idx: torch.from_numpy(np.stack(  # noqa: E731
            [events.bin_shd(times[i], units[i], T, t_max) for i in idx]))
        meta.update(num_classes=20, input_shape=[events.SHD_UNITS], t_max=t_max)
    if not len(y):
        raise DataError(f"the {split} split of {kind}:{path} holds no samples")
    meta.update(n=len(y), temporal=True, input_scale=1.0, input_bits=1)
    return Frames(get=get, y=torch.from_numpy(np.asarray(y, np.int64)), T=T, encoding=encoding, levels=1,
                  meta=meta, seed=seed)


@functools.lru_cache(maxsize=8)
def _sensor_size(path: Path) -> tuple[int, int]:
    """H, W over both splits, so that train and test frames have one shape."""
    files = []
    for split in ("train", "test"):
        files += events.event_files(path, split)[0]
    return events.sensor_size(sorted(set(files)))
