"""Datasets for training and evaluating spiking networks.

The only dataset is scikit-learn's bundled handwritten digits (1797 8×8
images, no download), split once and for all into a fixed stratified 80/20
train/test partition. `digits(...)` returns time-major tensors
`x [T, N, *shape]` and labels `y [N]` together with the metadata the compiler
needs to type the input (`input_scale = 1/16`, `input_bits = 5`).
"""
from .digits import ENCODINGS, SPLITS, Digits, digits, split_indices

__all__ = ["ENCODINGS", "SPLITS", "Digits", "digits", "split_indices"]
