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
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from snnc.errors import ConfigError
from snnc.nn.neurons import COMPARES, RESETS
from snnc.nn.quant import QUANTIZERS
from snnc.nn.surrogate import SURROGATES

NEURONS = ("lif", "plif", "if", "cuba", "ielif")
QUANTS = ("fp",) + tuple(QUANTIZERS)
QUANT_LAYERS = ("all", "hidden", "conv", "fc")


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
    quant_layers: str = "all"
    dropout: float = 0.0
    dropconnect: float = 0.0

    def __post_init__(self):
        self.input_shape = _ints("input_shape", self.input_shape)
        _choice("neuron", self.neuron, NEURONS)
        _choice("reset", self.reset, RESETS)
        _choice("compare", self.compare, COMPARES)
        _choice("surrogate", self.surrogate, tuple(SURROGATES))
        _choice("quant", self.quant, QUANTS)
        _choice("quant_layers", self.quant_layers, QUANT_LAYERS)
        for name in ("num_classes", "T", "D"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ConfigError(f"config {name} must be an integer >= 1, got {getattr(self, name)!r}")
        for name in ("dropout", "dropconnect"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ConfigError(f"config {name} must lie in [0, 1), got {getattr(self, name)!r}")
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


def _ints(name, value) -> list:
    if isinstance(value, int):
        value = [value]
    try:
        out = [int(v) for v in value]
    except (TypeError, ValueError):
        raise ConfigError(f"config {name} must be a list of positive integers, got {value!r}") from None
    if not out or any(v < 1 or v != w for v, w in zip(out, value)):
        raise ConfigError(f"config {name} must be a non-empty list of positive integers, got {value!r}")
    return out


def _choice(name, value, choices):
    if value not in choices:
        raise ConfigError(f"config {name}={value!r} is not one of {', '.join(choices)}")


def make_config(cls, arch: str, config: dict):
    """Instantiate the config dataclass `cls`, turning unknown keys into a ConfigError."""
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(config) - known)
    if unknown:
        raise ConfigError(f"unknown config key(s) for arch {arch!r}: {', '.join(unknown)}; "
                          f"known keys: {', '.join(sorted(known))}")
    return cls(**config)
