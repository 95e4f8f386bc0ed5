"""Image datasets held as arrays of 8-bit levels: `npz:PATH` and `folder:PATH`.

* ``npz:PATH`` — arrays ``x`` ``[N, *shape]`` and ``y`` ``[N]`` (integer class labels), and optionally
  ``x_test`` / ``y_test``; without them the fixed stratified split (`split.py`) is used. ``x`` holds
  integers 0 … 255 (uint8 images: step 1/255), or 0/1, or floats in [0, 1], which are rounded to
  8-bit levels (the data the compiled model sees is then exactly what it was trained on).
* ``folder:PATH`` — ``PATH/<class>/<image>`` (or ``PATH/train/<class>/…`` and ``PATH/test/<class>/…``),
  classes in sorted order; images of one size, read with Pillow as 8-bit grayscale when every image
  is grayscale, else RGB: ``[1, H, W]`` or ``[3, H, W]``.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from snnc.errors import DataError

from .split import stratified

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".ppm", ".pgm")
MAX_SAMPLES = 50_000_000


def levels8(x: np.ndarray, path: Path, key: str) -> np.ndarray:
    """Integer images 0 … 255 as they are; floats in [0, 1] rounded to 8-bit levels."""
    if x.dtype.kind == "b":
        return x.astype(np.uint8) * 255
    if x.dtype.kind in "iu":
        if x.size and (int(x.min()) < 0 or int(x.max()) > 255):
            raise DataError(f"{path}: {key} holds integers in [{int(x.min())}, {int(x.max())}]; expected 8-bit "
                            f"images 0 … 255 (or floats in [0, 1])")
        return x.astype(np.uint8)
    if x.dtype.kind == "f":
        if not np.isfinite(x).all() or (x.size and (float(x.min()) < 0 or float(x.max()) > 1)):
            raise DataError(f"{path}: {key} holds floats outside [0, 1] (or NaN); scale the images to [0, 1] "
                            f"or store them as uint8")
        return np.rint(x.astype(np.float64) * 255).astype(np.uint8)
    raise DataError(f"{path}: {key} has dtype {x.dtype}; expected uint8 images or floats in [0, 1]")


def labels_of(y: np.ndarray, n: int, path: Path, key: str) -> np.ndarray:
    if y.ndim != 1 or len(y) != n or y.dtype.kind not in "iu":
        raise DataError(f"{path}: {key} must be [N] integer class labels for the N = {n} samples, got "
                        f"{y.dtype} {list(y.shape)}")
    if n and int(y.min()) < 0:
        raise DataError(f"{path}: {key} has negative labels; expected classes 0 … C-1")
    return y.astype(np.int64)


def read_npz(path: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    if not path.is_file():
        raise DataError(f"{path} does not exist; npz:PATH takes an .npz file with arrays x and y")
    try:
        with np.load(path, allow_pickle=False) as f:
            keys = set(f.files)
            if not {"x", "y"} <= keys:
                raise DataError(f"{path} holds arrays {sorted(keys)}; npz:PATH needs x [N, ...] and y [N] "
                                f"(optionally x_test, y_test)")
            if split == "test" and {"x_test", "y_test"} <= keys:
                return _checked(path, f["x_test"], f["y_test"], "x_test", "y_test")
            x, y = _checked(path, f["x"], f["y"], "x", "y")
            if {"x_test", "y_test"} <= keys:
                return x, y
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise DataError(f"cannot read {path} as an .npz of arrays: {e}") from None
    idx = stratified(y, split)
    return x[idx], y[idx]


def _checked(path, x, y, kx, ky):
    if x.ndim < 2 or len(x) > MAX_SAMPLES:
        raise DataError(f"{path}: {kx} must be [N, ...] samples, got shape {list(x.shape)}")
    return levels8(x, path, kx), labels_of(y, len(x), path, ky)


def read_folder(path: Path, split: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    if not path.is_dir():
        raise DataError(f"{path} is not a folder; folder:PATH takes PATH/<class>/<image> "
                        f"(or PATH/train/… and PATH/test/…)")
    root = path / split if (path / "train").is_dir() and (path / "test").is_dir() else path
    classes = sorted(d.name for d in root.iterdir() if d.is_dir())
    files = [(f, c) for c, name in enumerate(classes) for f in sorted((root / name).iterdir())
             if f.suffix.lower() in IMAGE_SUFFIXES]
    if not files:
        raise DataError(f"{root} holds no images in class folders ({', '.join(IMAGE_SUFFIXES)} under "
                        f"{root}/<class>/)")
    from PIL import Image, UnidentifiedImageError

    images, size, modes = [], None, set()
    for f, _ in files:
        try:
            with Image.open(f) as im:
                modes.add("L" if im.mode in ("1", "L", "I;16", "I", "F") else "RGB")
                im.load()
                images.append(im.copy())
        except (OSError, UnidentifiedImageError) as e:
            raise DataError(f"cannot read the image {f}: {e}") from None
        if size is None:
            size = images[-1].size
        elif images[-1].size != size:
            raise DataError(f"{f} is {images[-1].size[0]}×{images[-1].size[1]} but the first image is "
                            f"{size[0]}×{size[1]}; every image of a folder dataset must have one size")
    mode = "L" if modes == {"L"} else "RGB"
    arrays = [np.asarray(im.convert(mode), dtype=np.uint8) for im in images]
    x = np.stack(arrays)
    x = x[:, None] if mode == "L" else x.transpose(0, 3, 1, 2)
    y = np.array([c for _, c in files], np.int64)
    if root == path:
        idx = stratified(y, split)
        x, y = x[idx], y[idx]
    return x, y, classes
