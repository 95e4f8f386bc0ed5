"""Model configurations: one dataclass per architecture, validated, JSON-serialisable.

Keys shared by every architecture (`ModelConfig`):

* ``input_shape`` — per-timestep input shape, e.g. [64] or [1, 8, 8]; ``num_classes``; ``T``.
* neuron options: ``neuron`` ("lif" | "plif" | "if" | "cuba" | "ielif"), ``beta`` (LIF / CubaLIF
  decay; PLIF's initial decay), ``alpha`` (CubaLIF current decay), ``threshold``, ``reset``
  ("subtract" | "zero" | "none"), ``v_reset``, ``compare`` ("ge" | "gt"), ``surrogate``
  ("atan" | "sigmoid" | "triangle") and ``surrogate_alpha`` (None = the surrogate's default),
  ``detach_reset``, ``per_channel`` (PLIF decay per channel), ``D`` (IE-LIF levels).
* ``quant`` ("fp" | "tawq" | "mtawq" | "ternary" | "lsq" | "ptq") with ``quant_opts`` (the
  quantizer's constructor options, e.g. {"bits": 2}; T_w is set to T for TaWQ / mTaWQ) and
  ``quant_layers``: which layers get the quantizer — "all" (default), "hidden" (all but the
  first layer and the readout), "conv" (convolutions only), "fc" (dense layers only).
* ``dropout`` (MCDropout probability) and ``dropconnect`` (on every QLinear / QConv2d).

Every value is type-checked and bounded before a module is built (a config read from a
checkpoint is untrusted): sizes ≤ MAX_UNITS, layer counts ≤ MAX_LAYERS, T ≤ MAX_TIMESTEPS,
at most MAX_INPUT elements per timestep, and real numbers finite.
"""
from __future__ import annotations

import dataclasses
import json
import math
import numbers
from dataclasses import dataclass, field

from snnc.errors import ConfigError
from snnc.ir import MAX_TIMESTEPS
from snnc.nn.neurons import COMPARES, RESETS
from snnc.nn.quant import QUANTIZERS
from snnc.nn.surrogate import SURROGATES

NEURONS = ("lif", "plif", "if", "cuba", "ielif")
QUANTS = ("fp",) + tuple(QUANTIZERS)
QUANT_LAYERS = ("all", "hidden", "conv", "fc")
MAX_UNITS = 1 << 20          # widths, channels, classes, embedding sizes
MAX_LAYERS = 1024            # hidden layers, blocks, depth
MAX_INPUT = 1 << 24          # elements of one timestep's input
FLOAT32_MAX = 3.4028234663852886e38   # real parameters become float32 tensors


@dataclass
class ModelConfig:
    input_shape: list = field(default_factory=lambda: [64])
    num_classes: int = 10
    T: int = 4
    neuron: str = "lif"
    beta: float = 0.9
    alpha: float = 0.5
    threshold: float = 1.0
    reset: str = "subtract"
    v_reset: float = 0.0
    compare: str = "ge"
    surrogate: str = "atan"
    surrogate_alpha: float | None = None
    detach_reset: bool = False
    per_channel: bool = False
    D: int = 4
    quant: str = "fp"
    quant_opts: dict = field(default_factory=dict)
    quant_layers: str | None = None      # None: "all", or "hidden" for a paper preset that keeps the ends fp
    dropout: float = 0.0
    dropconnect: float = 0.0

    def __post_init__(self):
        self.input_shape = _ints("input_shape", self.input_shape, max_len=4)
        if math.prod(self.input_shape) > MAX_INPUT:
            raise ConfigError(f"config input_shape={self.input_shape} has more than {MAX_INPUT} elements per "
                              "timestep")
        _choice("neuron", self.neuron, NEURONS)
        _choice("reset", self.reset, RESETS)
        _choice("compare", self.compare, COMPARES)
        _choice("surrogate", self.surrogate, tuple(SURROGATES))
        _choice("quant", self.quant, QUANTS)
        if self.quant_layers is None:
            official = isinstance(self.quant_opts, dict) and self.quant_opts.get("preset") == "official"
            self.quant_layers = "hidden" if official else "all"
        _choice("quant_layers", self.quant_layers, QUANT_LAYERS)
        for name, hi in (("num_classes", MAX_UNITS), ("T", MAX_TIMESTEPS), ("D", 1 << 16)):
            _count(name, getattr(self, name), hi)
        for name in ("beta", "alpha", "threshold", "v_reset", "surrogate_alpha", "dropout", "dropconnect"):
            _real(name, getattr(self, name), optional=name == "surrogate_alpha")
        for name in ("dropout", "dropconnect"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ConfigError(f"config {name} must lie in [0, 1), got {getattr(self, name)!r}")
        for name in ("detach_reset", "per_channel"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"config {name} must be true or false, got {getattr(self, name)!r}")
        if not isinstance(self.quant_opts, dict):
            raise ConfigError(f"config quant_opts must be a dict of quantizer options, got {self.quant_opts!r}")
        if "method" in self.quant_opts:
            raise ConfigError("config quant_opts must not contain 'method': set quant=<method> instead")
        if self.quant in ("tawq", "mtawq") and self.quant_opts.get("T_w", self.T) != self.T:
            raise ConfigError(f"quant_opts T_w={self.quant_opts['T_w']} differs from T={self.T}: TaWQ has one "
                              f"weight matrix per timestep; drop T_w from quant_opts")
        try:
            json.dumps(self.to_dict())
        except (TypeError, ValueError) as e:
            raise ConfigError(f"model config must be JSON-serialisable: {e}") from None

    def to_dict(self) -> dict:
        """A plain JSON-serialisable dict; ``build(arch, **config.to_dict())`` rebuilds the model."""
        return json.loads(json.dumps(dataclasses.asdict(self)))

    def quant_spec(self):
        """The quantizer spec for `QLinear` / `QConv2d` (None for full precision)."""
        if self.quant == "fp":
            return None
        spec = {"method": self.quant, **self.quant_opts}
        if self.quant in ("tawq", "mtawq"):
            spec["T_w"] = self.T
        return spec


def _ints(name, value, max_len: int = MAX_LAYERS, hi: int = MAX_UNITS) -> list:
    if isinstance(value, int):
        value = [value]
    if not isinstance(value, (list, tuple)) or len(value) > max_len:
        raise ConfigError(f"config {name} must be a list of at most {max_len} positive integers, got "
                          f"{_short(value)}")
    if not value or any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= hi for v in value):
        raise ConfigError(f"config {name} must be a non-empty list of integers in 1..{hi}, got {_short(value)}")
    return [int(v) for v in value]


def _count(name, value, hi: int, lo: int = 1) -> int:
    """An integer in lo..hi (a ConfigError naming the key otherwise)."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(f"config {name} must be an integer in {lo}..{hi}, got {_short(value)}")
    return value


def _real(name, value, optional: bool = False):
    """A finite real number (or None when optional)."""
    if optional and value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
            or abs(value) > FLOAT32_MAX:
        raise ConfigError(f"config {name} must be a finite number (within float32), got {_short(value)}")
    return value


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _choice(name, value, choices):
    if value not in choices:
        raise ConfigError(f"config {name}={value!r} is not one of {', '.join(choices)}")


def make_config(cls, arch: str, config: dict):
    """Instantiate the config dataclass `cls`, turning unknown keys into a ConfigError."""
    known = {f.name for f in dataclasses.fields(cls)}
    if any(not isinstance(k, str) for k in config):
        raise ConfigError(f"config keys for arch {arch!r} must be strings")
    unknown = sorted(set(config) - known)
    if unknown:
        raise ConfigError(f"unknown config key(s) for arch {arch!r}: {', '.join(unknown)}; "
                          f"known keys: {', '.join(sorted(known))}")
    return cls(**config)
