"""Equality of two NIR graphs as `nir.read` gives them back: the same node keys and types, equal
fields and metadata (arrays by value, text whether stored as str or bytes), the same edges."""
from __future__ import annotations

import dataclasses

import nir
import numpy as np

from .params import meta_value


def same_value(a, b) -> bool:
    a, b = meta_value(a), meta_value(b)
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same_value(a[k], b[k]) for k in a))
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return a == b
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == b.dtype.kind == "f")


def same_node(a: nir.NIRNode, b: nir.NIRNode) -> bool:
    return type(a) is type(b) and all(same_value(getattr(a, f.name), getattr(b, f.name))
                                      for f in dataclasses.fields(a))


def same_nir_graph(a: nir.NIRGraph, b: nir.NIRGraph) -> bool:
    return (a.nodes.keys() == b.nodes.keys() and sorted(map(tuple, a.edges)) == sorted(map(tuple, b.edges))
            and same_value(a.metadata, b.metadata) and all(same_node(a.nodes[k], b.nodes[k]) for k in a.nodes))
