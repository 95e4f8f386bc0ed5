"""Standard image datasets from the files their publishers distribute, read from disk (never
downloaded): CIFAR-10 / CIFAR-100 and MNIST / Fashion-MNIST.

* ``cifar10:ROOT`` / ``cifar100:ROOT`` — the binary version (``cifar-10-batches-bin/data_batch_1.bin``
  … ``test_batch.bin``; ``cifar-100-binary/train.bin``, ``test.bin``: one label byte, or coarse and
  fine label bytes, then 3072 pixel bytes) or the Python version (``cifar-10-batches-py/data_batch_1``
  …, ``cifar-100-python/train``), whose pickles are read with an unpickler that builds only NumPy
  arrays, dicts, lists and strings (no other callable is reached). Images ``[3, 32, 32]``.
* ``mnist:ROOT`` / ``fashion-mnist:ROOT`` — the IDX files ``train-images-idx3-ubyte``,
  ``train-labels-idx1-ubyte``, ``t10k-…`` (optionally ``.gz``) in ROOT, ``ROOT/raw`` or torchvision's
  ``ROOT/MNIST/raw`` / ``ROOT/FashionMNIST/raw``. Images ``[1, 28, 28]``.
"""
from __future__ import annotations

import gzip
import io
import pickle
from pathlib import Path

import numpy as np

from snnc.errors import DataError

CIFAR = {
    "cifar10": {"bin": ("cifar-10-batches-bin", [f"data_batch_{i}.bin" for i in range(1, 6)], ["test_batch.bin"], 1),
                "py": ("cifar-10-batches-py", [f"data_batch_{i}" for i in range(1, 6)], ["test_batch"], b"labels"),
                "classes": 10},
    "cifar100": {"bin": ("cifar-100-binary", ["train.bin"], ["test.bin"], 2),
                 "py": ("cifar-100-python", ["train"], ["test"], b"fine_labels"), "classes": 100},
}
PIXELS = 3 * 32 * 32


class _ArraysOnly(pickle.Unpickler):
    """Builds the few globals a CIFAR pickle needs (NumPy arrays), refuses every other one."""
    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}   # bytes of protocol < 3

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        if module == "numpy":
            return getattr(np, name)
        if module == "_codecs":
            import codecs
            return codecs.encode
        try:
            from numpy._core import multiarray
        except ImportError:                    # NumPy < 2
            from numpy.core import multiarray
        return multiarray._reconstruct


def _cifar_dir(root: Path, kind: str, fmt: str) -> Path | None:
    name = CIFAR[kind][fmt][0]
    for d in (root / name, root):
        if (d / CIFAR[kind][fmt][1][0]).is_file():
            return d
    return None


def read_cifar(kind: str, root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    spec = CIFAR[kind]
    d = _cifar_dir(root, kind, "bin")
    if d is not None:
        name, train, test, label_bytes = spec["bin"]
        xs, ys = [], []
        for f in train if split == "train" else test:
            raw = _read(d / f)
            rec = PIXELS + label_bytes
            if len(raw) % rec:
                raise DataError(f"{d / f} has {len(raw)} bytes, not a whole number of {rec}-byte CIFAR records")
            a = np.frombuffer(raw, np.uint8).reshape(-1, rec)
            xs.append(a[:, label_bytes:].reshape(-1, 3, 32, 32))
            ys.append(a[:, label_bytes - 1].astype(np.int64))
        return _labels_ok(np.concatenate(xs), np.concatenate(ys), spec["classes"], d)
    d = _cifar_dir(root, kind, "py")
    if d is None:
        raise DataError(f"no {kind} files under {root}: expected {spec['bin'][0]}/{spec['bin'][1][0]} (binary "
                        f"version) or {spec['py'][0]}/{spec['py'][1][0]} (Python version) from the dataset's site")
    name, train, test, key = spec["py"]
    xs, ys = [], []
    for f in train if split == "train" else test:
        try:
            batch = _ArraysOnly(io.BytesIO(_read(d / f)), encoding="bytes").load()
            data, labels = np.asarray(batch[b"data"], np.uint8), np.asarray(batch[key], np.int64)
        except (pickle.UnpicklingError, KeyError, TypeError, ValueError, EOFError) as e:
            raise DataError(f"{d / f} is not a CIFAR Python batch (a dict with data and {key.decode()}): {e}") from None
        if data.ndim != 2 or data.shape[1] != PIXELS or len(labels) != len(data):
            raise DataError(f"{d / f}: data must be [N, {PIXELS}] with N labels, got {list(data.shape)}")
        xs.append(data.reshape(-1, 3, 32, 32))
        ys.append(labels)
    return _labels_ok(np.concatenate(xs), np.concatenate(ys), spec["classes"], d)


def _labels_ok(x, y, classes, where):
    if y.size and (int(y.min()) < 0 or int(y.max()) >= classes):
        raise DataError(f"{where}: labels outside 0 … {classes - 1}")
    return x, y


MNIST_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
               "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
MNIST_DIRS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}


def read_mnist(kind: str, root: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    images, labels = MNIST_FILES[split]
    for d in (root, root / "raw", root / MNIST_DIRS[kind] / "raw"):
        found = [next((d / (n + s) for s in ("", ".gz") if (d / (n + s)).is_file()), None) for n in (images, labels)]
        if all(found):
            x = idx_array(found[0], 3)
            y = idx_array(found[1], 1).astype(np.int64)
            if len(x) != len(y):
                raise DataError(f"{found[0]} holds {len(x)} images but {found[1]} {len(y)} labels")
            return _labels_ok(x[:, None], y, 10, d)
    raise DataError(f"no {kind} IDX files under {root}: expected {images}[.gz] and {labels}[.gz] in it, in "
                    f"{root / 'raw'} or in {root / MNIST_DIRS[kind] / 'raw'}")


def idx_array(path: Path, ndim: int) -> np.ndarray:
    """An IDX file of unsigned bytes with `ndim` dimensions, header checked against the file size."""
    raw = _read(path)
    if len(raw) < 4 + 4 * ndim or raw[:2] != b"\0\0" or raw[2] != 0x08 or raw[3] != ndim:
        raise DataError(f"{path} is not an IDX file of {ndim}-D unsigned bytes (magic {raw[:4].hex()})")
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    body = raw[4 + 4 * ndim:]
    if int(np.prod(dims, dtype=np.int64)) != len(body):
        raise DataError(f"{path}: the header says {dims} but the file holds {len(body)} data bytes")
    return np.frombuffer(body, np.uint8).reshape(dims)


def _read(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except (OSError, EOFError) as e:
        raise DataError(f"cannot read {path}: {e}") from None
