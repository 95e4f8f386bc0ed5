"""Quantizer names and `make_quantizer`, which turns a quantizer spec into an instance.

A spec is one of

* ``None`` — full precision (no quantizer);
* a name: ``"ternary"``, ``"lsq"``, ``"ptq"`` (static quantizers with default options);
* a dict: ``{"method": "tawq", "T_w": 4, "lam": 1.0, ...}`` — the method name and
  the constructor options of its class (``T_w`` is required for "tawq" / "mtawq");
  ``"preset": "official"`` picks the authors' variant (`PRESETS`, e.g. `tawq_official.py`);
* a `Quantizer` instance (used as is; one instance per layer).
"""
from __future__ import annotations

import inspect

from snnc.errors import ConfigError

from .base import Quantizer
from .lsq import LSQ
from .static import PTQQuant
from .tawq import MTaWQ, TaWQ
from .tawq_official import TaWQOfficial
from .ternary import TernaryQuant

QUANTIZERS: dict[str, type[Quantizer]] = {
    "tawq": TaWQ,
    "mtawq": MTaWQ,
    "ternary": TernaryQuant,
    "lsq": LSQ,
    "ptq": PTQQuant,
}
# (method, preset) → a class computing the method as a paper's own code does
PRESETS: dict[tuple[str, str], type[Quantizer]] = {("tawq", "official"): TaWQOfficial}


def make_quantizer(spec) -> Quantizer | None:
    """Build a quantizer from a spec (see the module docstring); None stays None."""
    if spec is None or isinstance(spec, Quantizer):
        return spec
    if isinstance(spec, str):
        spec = {"method": spec}
    if not isinstance(spec, dict) or "method" not in spec:
        raise ConfigError(f"a quantizer spec is None, a method name, a dict with 'method', or a Quantizer; "
                          f"got {spec!r}")
    options = dict(spec)
    method = options.pop("method")
    preset = options.pop("preset", None)
    if preset is not None:
        if (method, preset) not in PRESETS:
            raise ConfigError(f"quantizer {method!r} has no preset {preset!r}; presets: "
                              + ", ".join(f"{m} preset={p}" for m, p in PRESETS))
        cls = PRESETS[(method, preset)]
        unknown = sorted(set(options) - set(_options(cls)))
        if unknown:
            raise ConfigError(f"unknown option(s) {', '.join(unknown)} for quantizer {method!r} preset {preset!r}; "
                              f"it accepts {', '.join(_options(cls))}")
        return cls(**options)
    if method not in QUANTIZERS:
        raise ConfigError(f"unknown quantizer {method!r}; choose one of {', '.join(QUANTIZERS)} (or None for "
                          f"full precision)")
    cls = QUANTIZERS[method]
    accepted = _options(cls)
    if "T_w" in accepted and "T_w" not in options:
        raise ConfigError(f"quantizer {method!r} is time-varying and needs T_w (the number of timesteps): "
                          f"{{'method': {method!r}, 'T_w': T, ...}}")
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ConfigError(f"unknown option(s) {', '.join(unknown)} for quantizer {method!r}; "
                          f"it accepts {', '.join(accepted)}")
    return cls(**options)


def _options(cls) -> list[str]:
    """The keyword options of a quantizer class's constructor (following **options to its bases)."""
    names: list[str] = []
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        params = list(inspect.signature(klass.__init__).parameters.values())[1:]
        names += [p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name not in names]
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return names
