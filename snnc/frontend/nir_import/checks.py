"""Checks of NIR data on import, before anything is built: each refusal names the node and the field.

* `fields(key, kind, get)` — a node's array fields, from a file (before NIR's own constructors,
  which fail with bare `AssertionError` / `ZeroDivisionError` on bad data) or from a node
  object: numeric dtypes, finite values, weight ranks, strides and dilations ≥ 1, kernel
  sizes ≥ 1, sizes within `MAX_ELEMENTS`;
* `neuron(key, kind, node, dt, foreign)` — τ > 0 and not NaN, and for graphs from other
  tools τ ≥ dt (β = 1 − dt/τ in [0, 1]), r ≥ 0, v_threshold > 0;
* `json_field(key, field, text, expect)` — metadata JSON: text, at most `MAX_DEPTH` deep,
  of the expected kind (dict / list).
"""
from __future__ import annotations

import json

import numpy as np

from .errors import NIRImportError

MAX_DEPTH = 32
MAX_ELEMENTS = 1 << 28
FINITE = ("weight", "bias", "scale", "threshold", "v_threshold", "v_leak", "v_reset")
POSITIVE_INTS = ("stride", "dilation", "kernel_size", "groups")
TAUS = ("tau", "tau_mem", "tau_syn")
RANK = {"Linear": (2, None), "Affine": (2, None), "Conv2d": (4, 4), "Conv1d": (3, 3)}
NEURONS = ("LIF", "LI", "CubaLIF", "CubaLI", "IF", "I")


def _fail(key, field, why):
    raise NIRImportError(f"field {field!r} {why}", key)


def array(key, field: str, value) -> np.ndarray:
    """`value` as a numeric array (bool, integer or float), else a refusal naming the field."""
    try:
        a = np.asarray(value)
    except (ValueError, TypeError):
        _fail(key, field, "is not an array of numbers")
    if a.dtype.kind not in "biuf":
        _fail(key, field, f"has dtype {a.dtype} ({a.dtype.kind!r}); NIR fields are numbers")
    if a.size > MAX_ELEMENTS:
        _fail(key, field, f"has {a.size} elements, more than the {MAX_ELEMENTS} snnc imports")
    return a


def fields(key, kind: str, get) -> None:
    """Check a node's fields; `get(name)` gives a field's value or None when the node has none."""
    for f in FINITE + POSITIVE_INTS + TAUS + ("r", "w_in", "padding", "input_type", "output_type", "delay"):
        v = get(f)
        if v is None or isinstance(v, (str, bytes, dict)):
            continue
        a = array(key, f, v)
        if f in FINITE and a.dtype.kind == "f" and not np.all(np.isfinite(a)):
            _fail(key, f, "has NaN or infinite values; give finite numbers")
        if f in TAUS and np.any(np.isnan(a.astype(np.float64))):
            _fail(key, f, "has NaN values; give time constants in seconds (τ > 0)")
        if f in POSITIVE_INTS + ("padding",):
            a64 = a.astype(np.float64)
            if not np.all(np.isfinite(a64)) or not np.all(a64 == np.round(a64)):
                _fail(key, f, f"is {a.tolist()}; expected whole numbers")
            low = 0 if f == "padding" else 1
            if a.size and a64.min() < low:
                _fail(key, f, f"is {a.tolist()}; it must be ≥ {low}")
    if kind in NEURONS:
        present = [(f, np.shape(get(f))) for f in TAUS + ("r", "v_leak", "v_reset", "v_threshold", "w_in")
                   if get(f) is not None]
        for f, shape in present[1:]:
            if shape != present[0][1]:
                _fail(key, f, f"has shape {list(shape)} but {present[0][0]!r} has {list(present[0][1])}; a {kind} "
                              f"node's parameters have one shape, one value per neuron")
    w = get("weight")
    if kind in RANK and w is not None:
        lo, hi = RANK[kind]
        nd = np.ndim(w)
        if nd < lo or (hi is not None and nd > hi):
            want = f"{lo}-D" if lo == hi else f"at least {lo}-D"
            article = "an" if kind[0] in "AEIOU" else "a"
            _fail(key, "weight", f"has shape {list(np.shape(w))}; {article} {kind} weight is {want}")
        if 0 in np.shape(w):
            _fail(key, "weight", f"has an empty shape {list(np.shape(w))}")


def neuron(key, kind: str, node, dt: float, foreign: bool) -> None:
    """Time constants and, for graphs from other tools, their range and the signs of r and v_threshold."""
    if kind not in NEURONS:
        return
    for f in TAUS:
        if not hasattr(node, f):
            continue
        tau = np.asarray(getattr(node, f), np.float64)
        if np.any(np.isnan(tau)) or np.any(tau == 0):
            _fail(key, f, "has NaN or zero values; give time constants in seconds (τ > 0, ∞ for no leak)")
        if foreign and np.any(tau < dt):
            bad = float(tau[tau < dt].reshape(-1)[0])
            _fail(key, f, f"= {bad:g} s is below the timestep dt = {dt:g} s, so β = 1 − dt/τ = {1 - dt / bad:.4g} "
                          f"is outside [0, 1]; if the file was written for another timestep (Norse writes "
                          f"τ = dt/τ_inv), give that dt (graph metadata 'dt', or from_nir(path, dt=…))")
    # a gain's resistance may be ∞ only where its time constant is ∞ too (β = 1: snnc writes r = τ/dt)
    for f, tau_f in (("r", "tau_mem" if hasattr(node, "tau_mem") else "tau"), ("w_in", "tau_syn")):
        r = getattr(node, f, None)
        if r is None:
            continue
        r = np.asarray(r, np.float64)
        tau = np.asarray(getattr(node, tau_f, np.nan), np.float64)
        inf_ok = np.isinf(np.broadcast_to(tau, np.broadcast_shapes(r.shape, tau.shape)))
        if np.any(np.isnan(r)) or np.any(np.isinf(np.broadcast_to(r, inf_ok.shape)) & ~inf_ok):
            _fail(key, f, f"has NaN or infinite values (∞ only where {tau_f} is ∞ too); give finite values")
        if foreign and np.any(r < 0):
            _fail(key, f, "is negative; a negative input resistance inverts the input — fold the sign into "
                          "the weights of the layer in front")
    th = getattr(node, "v_threshold", None)
    if foreign and th is not None and np.any(np.asarray(th, np.float64) <= 0):
        _fail(key, "v_threshold", "is ≤ 0, so the neuron fires at rest; give positive thresholds")


def _depth(text: str) -> int:
    """Deepest nesting of [ and { in JSON text (strings skipped)."""
    depth = best = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


def json_field(key, field: str, text, expect: type):
    """Metadata JSON `text` parsed (lists as tuples, see `params.loads`), checked to be an `expect`."""
    from snnc.backends.nir import params as P
    if isinstance(text, bytes):
        text = text.decode("utf8", "replace")
    if not isinstance(text, str):
        raise NIRImportError(f"metadata {field!r} is a {type(text).__name__}, not JSON text", key)
    if _depth(text) > MAX_DEPTH:
        raise NIRImportError(f"metadata {field!r} is nested more than {MAX_DEPTH} deep; remove it or write it "
                             f"again with snnc", key)
    try:
        value = P.loads(text)
    except (ValueError, RecursionError) as e:
        raise NIRImportError(f"metadata {field!r} is not valid JSON ({e}); remove it or write it again with snnc",
                             key) from None
    kinds = {dict: "an object", tuple: "a list", str: "a string", int: "a number", float: "a number",
             bool: "a boolean", type(None): "null"}
    if not isinstance(value, expect):
        raise NIRImportError(f"metadata {field!r} is {kinds.get(type(value), 'other')} JSON; expected "
                             f"{kinds[expect]}", key)
    return value
