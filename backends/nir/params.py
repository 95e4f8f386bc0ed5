"""Parameters and metadata shared by export and import.

NIR stores one full array per node field (the node's shape); the IR stores
broadcast parameters ``(T_p,) + B`` (see `ir.ops.base`). Export broadcasts the
single time slice (``T_p`` must be 1: NIR parameters are static) to the value's
shape; it records the IR's own shape, dtype and parameter key in the node's
metadata (``snnc_params``) so that import can fold the full array back to
exactly the stored parameter. Arrays from other tools import at full shape, as
float32.

Metadata keys snnc writes (all flat, so that ``nir.write``/``nir.read`` keep them):

* graph: ``dt``, ``snnc_format`` (version of this scheme), ``snnc_graph`` (graph
  name), ``snnc_attrs`` (the graph attributes, JSON);
* every node: ``snnc_op``, ``snnc_index`` (position in the IR graph), ``snnc_params``
  (JSON: role → key, dtype, shape), and each IR attribute that no NIR field carries,
  under its own name (``reset``, ``compare``, ``v_reset``, ``dtype``, ``scale`` …);
  neurons also carry ``dt``;
* ``snnc_operands`` (add: operand order), ``snnc_scale`` (linear/conv2d: the scale
  folded into the weight), ``snnc_in`` (a neuron: the affine folded into r/v_leak).
"""
from __future__ import annotations

import json
import re

import numpy as np

FORMAT_VERSION = 1
_NAME_RE = re.compile(r"[^A-Za-z0-9_.]")


def dumps(obj) -> str:
    """JSON text of plain data (tuples become lists; NumPy scalars become numbers)."""
    def default(v):
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, np.ndarray):
            return v.tolist()
        raise TypeError(f"{type(v).__name__} is not plain data")
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=default)


def loads(text):
    """Inverse of `dumps`, with lists turned back into tuples (the IR's attribute form)."""
    def tuples(v):
        if isinstance(v, list):
            return tuple(tuples(x) for x in v)
        if isinstance(v, dict):
            return {k: tuples(x) for k, x in v.items()}
        return v
    if isinstance(text, bytes):
        text = text.decode("utf8")
    return tuples(json.loads(str(text)))


def meta_value(value):
    """A metadata value with scalars as plain Python (h5py gives back NumPy scalars and
    bytes); arrays stay arrays."""
    if isinstance(value, bytes):
        return value.decode("utf8")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def identifier(name: str) -> str:
    """An IR identifier ([A-Za-z_][A-Za-z0-9_.]*) made from a NIR node key."""
    s = _NAME_RE.sub("_", str(name))
    return s if s and (s[0].isalpha() or s[0] == "_") else "n_" + s


def info(graph, node, role: str) -> dict:
    """What import needs to rebuild an IR parameter: its key, dtype and shape."""
    arr = graph.param(node, role)
    return {"key": node.params[role], "dtype": str(arr.dtype), "shape": list(arr.shape)}


def nir_array(a: np.ndarray) -> np.ndarray:
    """A parameter as NIR stores it: float32 stays, integers become float64 (exact below 2^53)."""
    a = np.asarray(a)
    if a.dtype == np.float32 or a.dtype == np.float64:
        return np.array(a)
    out = a.astype(np.float64)
    if not np.array_equal(out.astype(a.dtype), a):
        raise NotRepresentable("integer values beyond 2^53 have no exact float form in NIR")
    return out


def static_slice(graph, node, role: str) -> np.ndarray | None:
    """The parameter's one time slice, or None when absent; `TimeVarying` if T_p > 1."""
    arr = graph.param(node, role)
    if arr is None:
        return None
    if arr.shape[0] != 1:
        raise TimeVarying(role, arr.shape[0])
    return arr[0]


class NotRepresentable(Exception):
    """A parameter NIR cannot hold; the exporter turns it into a `NIRExportError` naming the node."""


class TimeVarying(NotRepresentable):
    """Raised by `static_slice` for a parameter with T_p > 1."""

    def __init__(self, role, steps):
        super().__init__(f"parameter {role!r} varies over time (T_p = {steps}); NIR parameters are "
                         f"static — fold the per-timestep factors first or use the cpu/hls target")


def full(graph, node, role: str, shape: tuple[int, ...]) -> np.ndarray | None:
    """The static parameter broadcast to the value's shape (a NIR per-neuron array)."""
    s = static_slice(graph, node, role)
    return None if s is None else nir_array(np.broadcast_to(s, shape))


def cast_like(values: np.ndarray, dtype: str | None) -> np.ndarray:
    """`values` in the recorded dtype when that is exact (integral, in range), else float32."""
    values = np.asarray(values)
    if dtype is None or np.dtype(dtype).kind == "f":
        return values.astype(np.float32)
    dt = np.dtype(dtype)
    v = values.astype(np.float64)
    lim = np.iinfo(dt)
    if v.size and (not np.all(np.isfinite(v)) or not np.all(v == np.round(v))
                   or v.min() < lim.min or v.max() > lim.max):
        return values.astype(np.float32)
    return v.astype(dt)


def restore(values, value_shape: tuple[int, ...], rec: dict | None = None) -> np.ndarray:
    """IR broadcast parameter ``(1,) + B`` from a NIR per-neuron array.

    With a record from `info`, B is the recorded shape when the array is constant
    along the dims B broadcasts (otherwise the full shape) and the dtype is the
    recorded one when exact. Without one, B is the value's full shape, float32.
    `values` must broadcast to `value_shape` (ValueError otherwise).
    """
    full_arr = np.broadcast_to(np.asarray(values), value_shape)
    out = full_arr
    if rec is not None:
        shape = tuple(rec["shape"])
        if (len(shape) == len(value_shape) + 1 and shape[0] == 1
                and all(b in (1, v) for b, v in zip(shape[1:], value_shape))):
            idx = tuple(slice(0, 1) if b == 1 else slice(None) for b in shape[1:])
            reduced = full_arr[idx]
            if np.array_equal(np.broadcast_to(reduced, value_shape), full_arr, equal_nan=True):
                out = reduced
    return cast_like(np.ascontiguousarray(out)[None], rec.get("dtype") if rec else None)


# ---------------------------------------------------------------- scale folded into a weight
# NIR's Linear/Affine/Conv2d have no output scale, so W' = s ⊙ W is stored (s per output,
# broadcast over the weight's last axes). Splitting it again divides by s: exact for integer
# levels (rounded), within an ulp or two for float weights, whose per-element ulp steps are
# recorded (``snnc_weight_ulps``, int8) so that the split is exact too.

def fold_scale(weight: np.ndarray, s_out: np.ndarray) -> np.ndarray:
    """W' = s ⊙ W as a float32 product."""
    return s_out.astype(np.float32) * weight.astype(np.float32)


def unfold_scale(folded: np.ndarray, s_out: np.ndarray, dtype: str | None) -> np.ndarray:
    """W ≈ W' / s, rounded to integers for an integer dtype, in `dtype` when exact."""
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.asarray(folded, np.float64) / s_out.astype(np.float64)
    if dtype is not None and np.dtype(dtype).kind != "f":
        w = np.round(w)
    return cast_like(w, dtype)


def _ordinal(x: np.ndarray) -> np.ndarray:
    """float32 → integers in the same order, adjacent floats one apart (±0 both map to 0)."""
    i = np.ascontiguousarray(x, dtype=np.float32).view(np.int32).astype(np.int64)
    return np.where(i < 0, -(i & 0x7FFFFFFF), i)


def ulp_steps(target: np.ndarray, approx: np.ndarray) -> np.ndarray | None:
    """int8 ulp steps from `approx` to `target` (float32), or None when they do not fit."""
    if not (np.all(np.isfinite(target)) and np.all(np.isfinite(approx))):
        return None
    steps = _ordinal(target) - _ordinal(approx)
    return steps.astype(np.int8) if np.all(np.abs(steps) <= 127) else None


def apply_ulps(approx: np.ndarray, steps: np.ndarray) -> np.ndarray:
    o = _ordinal(approx) + steps.astype(np.int64)
    bits = np.where(o < 0, (-o) | 0x80000000, o).astype(np.uint32)
    return bits.view(np.float32).reshape(np.shape(approx))
