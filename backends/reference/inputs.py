"""Graph inputs: checking the arrays `run` is given, and encoding real-valued data for it.

An input node ``input(shape, dtype, scale)`` takes an array ``[T, B, *shape]``:

* ``f32``: real numbers (bool, integer or float arrays), carried as float32;
* ``spike``: 0/1; ``int<k>`` / ``uint<k>`` / ``fixed<k,f>``: raw integers in the
  type's range (float arrays are accepted when every entry is integer-valued),
  carried as int64.

`encode_inputs` maps real data onto that: the real value of a raw integer r is
``r · 2^-f · scale`` (f = fraction bits, 0 for int/uint), so
``r = clip(round_half_even(x / (2^-f · scale)), lo, hi)``.
"""
from __future__ import annotations

import numpy as np

from snnc.ir import Graph, TimestepsError, check_timesteps, parse_dtype

from .errors import InputError, UnprovenError
from .intmath import INT64_MAX, INT64_MIN


def _by_name(graph: Graph, x, what: str) -> dict:
    """Map input name → array from a single array (single-input graph) or a dict."""
    names = [n.name for n in graph.inputs]
    if not names:
        raise InputError("the graph has no input node")
    if isinstance(x, dict):
        missing = [n for n in names if n not in x]
        extra = [k for k in x if k not in names]
        if missing or extra:
            raise InputError(f"{what} must have exactly the keys {', '.join(names)}"
                             + (f"; missing {', '.join(map(str, missing))}" if missing else "")
                             + (f"; unknown {', '.join(map(str, extra))}" if extra else ""))
        return {n: x[n] for n in names}
    if len(names) != 1:
        raise InputError(f"the graph has {len(names)} inputs ({', '.join(names)}); "
                         f"pass {what} as a dict input name → array")
    return {names[0]: x}


def _array(node, value) -> np.ndarray:
    dtype = parse_dtype(node.attrs["dtype"])
    shape = tuple(node.attrs["shape"])
    want = f"an array [T, B, {', '.join(map(str, shape))}] of {dtype}"
    try:
        a = np.asarray(value)
    except Exception as e:
        raise InputError(f"expects {want}; got {type(value).__name__} ({e})", node=node.name) from None
    if a.dtype.kind not in "biuf":
        raise InputError(f"expects {want}; got an array of {a.dtype}", node=node.name)
    if a.ndim != 2 + len(shape) or tuple(a.shape[2:]) != shape or a.shape[0] < 1 or a.shape[1] < 1:
        raise InputError(f"expects {want}; got shape {list(a.shape)}", node=node.name)
    return a


def bind_inputs(graph: Graph, x) -> dict[str, np.ndarray]:
    """Check every input array against its input node; return name → float32 / int64 array.

    A run longer than the timesteps the graph's integer widths are proven for is refused
    (`UnprovenError`, from `snnc.ir.check_timesteps`) unless its states saturate."""
    out = {}
    for name, value in _by_name(graph, x, "x").items():
        node = graph[name]
        a = _array(node, value)
        dtype = parse_dtype(node.attrs["dtype"])
        if dtype.is_float:
            out[name] = a.astype(np.float32)
            continue
        lo, hi = dtype.range()
        if a.dtype.kind == "f":
            if not np.isfinite(a).all() or (a != np.round(a)).any():
                raise InputError(f"expects integers of {dtype} (raw values; use encode_inputs to convert "
                                 "real data); got non-integer values", node=name)
        if a.size and (a.min() < lo or a.max() > min(hi, INT64_MAX)):
            raise InputError(f"expects {dtype} values in [{lo}, {hi}]; got values in "
                             f"[{a.min()}, {a.max()}] (encode_inputs clips real data to the range)", node=name)
        out[name] = a.astype(np.int64)
    shapes = {n: a.shape[:2] for n, a in out.items()}
    if len(set(shapes.values())) > 1:
        raise InputError("all inputs must share T and B; got "
                         + ", ".join(f"{n}: T={s[0]}, B={s[1]}" for n, s in shapes.items()))
    check_run_length(graph, int(next(iter(shapes.values()))[0]))
    return out


def check_run_length(graph: Graph, T: int) -> None:
    """`UnprovenError` for a run of T timesteps the graph's integer widths are not proven for
    (`snnc.ir.check_timesteps`; saturating states are exempt)."""
    try:
        check_timesteps(graph, T)
    except TimestepsError as e:
        node = graph.nodes.get(e.node)
        raise UnprovenError(e.detail, node=e.node, timestep=e.timestep,
                            op=node.op if node is not None else None) from None


def encode_inputs(graph: Graph, x_real):
    """Real-valued data → what `run` takes (same form: one array, or a dict by input name).

    f32 inputs: unchanged (as float32). spike inputs: must already be 0/1.
    int / uint / fixed inputs: ``clip(round_half_even(x / step), lo, hi)`` with
    ``step = scale · 2^-frac`` (the input's `scale` attribute; frac = 0 for int/uint).
    """
    out = {}
    for name, value in _by_name(graph, x_real, "x_real").items():
        node = graph[name]
        a = _array(node, value)
        dtype = parse_dtype(node.attrs["dtype"])
        if dtype.is_float:
            out[name] = a.astype(np.float32)
        elif dtype.kind == "spike":
            if not np.isin(a, (0, 1)).all():
                raise InputError("spike inputs must already be 0/1 (encode spikes before calling "
                                 "encode_inputs, e.g. rate or threshold coding)", node=name)
            out[name] = a.astype(np.int64)
        else:
            a = a.astype(np.float64)
            if not np.isfinite(a).all():
                raise InputError("real input data contains NaN or infinity", node=name)
            step = node.attrs["scale"] * 2.0 ** -dtype.frac
            lo, hi = dtype.range()
            # float64 bounds that convert back to int64 exactly (2^63 - 1 itself is not a float64)
            flo, fhi = float(max(lo, INT64_MIN)), float(min(hi, INT64_MAX))
            fhi = min(fhi, np.nextafter(2.0 ** 63, 0))
            out[name] = np.clip(np.rint(a / step), flo, fhi).astype(np.int64)
    return next(iter(out.values())) if not isinstance(x_real, dict) else out
