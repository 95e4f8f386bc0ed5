"""integerize: a float graph → an all-integer graph (no f32 value, no float parameter).

Every float value v is carried as raw integers r with v ≈ r·σ + β (σ, β per
timestep / channel / element, tracked exactly in float64; value.py). Integer
arithmetic stays exact; approximations happen only where a real number must
become an integer, each recorded in the node's ``meta["integerize"]``:

* weights not already on an integer grid (quantized per channel to weight_bits);
* neuron constants: threshold·2^f/σ, bias·2^f/σ, leak·2^leak_bits (rounded);
* a change of σ (integer gain g and shift s, for an add, a multispike, an output,
  a layer input that needs one σ over its summed axes);
* an f32 input (quantized to input_bits over ±input_range).

Per-op rules: lower.py; neurons and their widths: neurons.py, ranges.py.
Widths are proven for the T timesteps the graph runs for (option T, else the
graph attribute ``timesteps``); a longer run may overflow (the reference
interpreter then raises ExecutionError naming the node) unless states saturate.
Each node's meta also carries an error bound (real units) that holds while the
spikes upstream agree, and each spiking node a tie margin: an integer spike can
differ from the float one only where the float membrane is within it of the
threshold. `report(graph)` lists all of it.

Options (pipeline text ``integerize{frac_bits=8,saturate=true}``):

* frac_bits (12): fraction bits of neuron state below the input's own unit,
  and of the fixed-point input of multispike_int;
* leak_bits (12): fraction bits of the leak multiply (shift), reduced when exact;
* max_state_bits (32): widest neuron state; adapt_frac (true) lowers f for a
  neuron that would not fit before refusing it;
* saturate (false): clamp states that do not fit instead of refusing;
* weight_bits (8): levels for float weights that are not on a grid;
* input_bits (8), input_range (0 = the graph attribute ``input_range``): for f32 inputs;
* T (0 = the graph attribute ``timesteps``): timesteps the range analysis covers;
* gain_bits (16): significant bits of a rescale gain;
* max_value_bits (32): widest value a rescale, add, pool or layer may produce: where the
  requested precision would need more, low bits are dropped (a coarser σ, recorded).

The defaults were measured with ``benchmarks/fidelity.py --sweep`` on the digits models
(benchmarks/results/fidelity.md): frac_bits = 12 is the smallest value at which every
shipped checkpoint keeps ≥ 99.98 % spike agreement — the QSD transformer's multi-bit
spikes, fed by sums of per-channel scaled values, are the most sensitive (98.7 % at 10,
98.0 % at 8, 95.8 % at 6) — with every state within 32 bits; leak_bits = 12 and
gain_bits = 16 are past the point where more bits change any spike (leak_bits = 8 cost
≈ 0.4 % agreement on a ternary CNN and a ResNet, gain_bits = 8 ≈ 0.03 % on a transformer).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from snnc.errors import ConfigError, UnsupportedError
from snnc.ir import MAX_TIMESTEPS, Graph
from snnc.ir.types import param_dtype

from ..base import Pass, register
from .lower import lower_node
from .neurons import StateOverflowError
from .report import report
from .value import Builder, Val


class IntegerizeError(UnsupportedError):
    """A graph integerize cannot turn into integers: a non-finite or out-of-range constant."""


@register
@dataclass(frozen=True)
class Integerize(Pass):
    """Float graph → all-integer graph; see the package docstring."""
    name = "integerize"
    needs_finite = True               # run_pipeline checks the pipeline's input graph before any pass
    frac_bits: int = 12
    leak_bits: int = 12
    max_state_bits: int = 32
    saturate: bool = False
    weight_bits: int = 8
    input_bits: int = 8
    input_range: float = 0.0
    T: int = 0
    gain_bits: int = 16
    adapt_frac: bool = True
    max_value_bits: int = 32

    def __post_init__(self):
        self.check()                      # options are refused when the pipeline is parsed

    def check(self):
        def bad(what):
            raise ConfigError(f"integerize: {what}")
        if not 0 <= self.frac_bits <= 30:
            bad(f"frac_bits={self.frac_bits} must be in 0..30")
        if not 0 <= self.leak_bits <= 30:
            bad(f"leak_bits={self.leak_bits} must be in 0..30")
        if not 2 <= self.max_state_bits <= 64:
            bad(f"max_state_bits={self.max_state_bits} must be in 2..64")
        if not 2 <= self.weight_bits <= 16:
            bad(f"weight_bits={self.weight_bits} must be in 2..16")
        if not 2 <= self.input_bits <= 32:
            bad(f"input_bits={self.input_bits} must be in 2..32")
        if not 8 <= self.max_value_bits <= 64:
            bad(f"max_value_bits={self.max_value_bits} must be in 8..64")
        if not 1 <= self.gain_bits <= 30:
            bad(f"gain_bits={self.gain_bits} must be in 1..30")
        if not 0 <= self.T <= MAX_TIMESTEPS:
            bad(f"T={self.T} must be in 0..{MAX_TIMESTEPS} (0: the graph attribute timesteps)")
        if not math.isfinite(self.input_range) or not 0 <= self.input_range <= 1e30:
            bad(f"input_range={self.input_range} must be a finite number in 0..1e30 (0: the graph attribute "
                "input_range)")

    def timesteps(self, graph: Graph) -> int:
        T = self.T or graph.attrs.get("timesteps")
        if isinstance(T, float) and T.is_integer():
            T = int(T)
        if isinstance(T, int) and not isinstance(T, bool) and T > MAX_TIMESTEPS:
            raise ConfigError(f"integerize: the graph attribute timesteps={T} is more than {MAX_TIMESTEPS}; "
                              "give integerize{T=…} or -T/--timesteps")
        if not isinstance(T, int) or isinstance(T, bool) or T < 1:
            raise ConfigError("the integer network needs the number of timesteps it runs for (its widths are "
                              "proven for them): give -T/--timesteps T (timesteps=T)")
        return T

    def apply(self, graph: Graph) -> Graph:
        return self.lower(graph)[0]

    def lower(self, graph: Graph) -> tuple[Graph, dict[str, Val]]:
        """(integer graph, values): values maps every float node name to its `Val` — the integer
        node holding it and σ, β, err with real ≈ raw·σ + β (for tests and reports)."""
        self.check()
        check_finite(graph)
        b = Builder(graph, self, self.timesteps(graph))
        env = {}
        for node in graph:
            with np.errstate(all="ignore"):           # a non-finite result is refused below, not warned
                try:
                    env[node.name] = lower_node(b, node, [env[o] for o in node.operands])
                except (ValueError, OverflowError, ZeroDivisionError, FloatingPointError) as e:
                    raise IntegerizeError(f"node %{node.name}: cannot integerize its {node.op} "
                                          f"({' '.join(str(e).split())[:200]}): a constant is out of range; "
                                          "check the model's weights, or lower integerize{frac_bits=…}") from None
        for node in b.g:
            if node.type.dtype.is_float or any(param_dtype(b.g.params[k]).is_float for k in node.params.values()):
                raise RuntimeError(f"integerize left a float in %{node.name} (a bug in the pass)")
        return b.g, env


def check_finite(graph: Graph) -> None:
    """Every float parameter and the numeric graph attributes integerize reads must be finite."""
    for key in ("input_range", "timesteps", "input_scale"):
        v = graph.attrs.get(key)
        if isinstance(v, float) and not (math.isfinite(v) and abs(v) <= 1e30):
            raise IntegerizeError(f"the graph attribute {key}={v} is not a finite number up to 1e30; give "
                                  f"integerize{{{'T' if key == 'timesteps' else key}=…}} or fix the source")
    for node in graph:
        for role, key in node.params.items():
            a = graph.params[key]
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                what = "NaN" if np.isnan(a).any() else "infinity"
                raise IntegerizeError(f"node %{node.name}: parameter {role} (@{key}) holds {what}; integerize "
                                      "needs finite numbers (fix the model's weights: a diverged training run, or "
                                      "a quantizer scale such as TaWQ α or an LSQ step that is not finite)")


__all__ = ["Integerize", "IntegerizeError", "StateOverflowError", "Val", "check_finite", "report"]
