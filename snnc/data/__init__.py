"""Datasets for training and evaluating spiking networks, time-major: `x [T, N, *shape]`, `y [N]`.

The embedded default is scikit-learn's handwritten digits (1797 8×8 images, no download) with a
fixed stratified 80/20 split (`digits(...)`). Datasets on disk are named by a spec string
(`spec.py`: ``npz:PATH``, ``folder:PATH``, ``cifar10:ROOT``, ``mnist:ROOT``, ``events:PATH``,
``shd:PATH`` …) and loaded with `load(spec, split, T, encoding)` as `Frames`, encoded batch by batch.
Both carry the metadata the compiler needs to type the input (`input_scale`, `input_bits`).
"""
from .digits import ENCODINGS, SPLITS, Digits, digits, split_indices
from .frames import Frames, from_arrays
from .spec import KINDS, default_encoding, load, parse

__all__ = ["ENCODINGS", "SPLITS", "Digits", "digits", "split_indices", "Frames", "from_arrays", "KINDS",
           "default_encoding", "load", "parse"]
