"""Loihi quantization of one layer: real weights, bias and neuron constants → Loihi integers.

A spiking layer arrives normalized to a unit threshold (`build.py` divides each
neuron's weights and bias by its threshold θ, which changes no spike of a neuron that
resets to zero):

    h = β·v + Σ_i E_i·x_i + b,   spike when h > 1   (real units)

One weight unit (WU) stands for the real value λ, chosen per layer:

    weight  w = m · 2^e ≈ E / λ    m: 8-bit signed mantissa, e the layer's shared exponent
    vThMant   = round(1 / λ)                    (17 bits)
    bias_mant = round(b / λ)                    (13 bits, netx bias_exp = 6)
    vDecay    = round((1 − β) · 4096),  iDecay = round((1 − α) · 4096)  (4096: memoryless current)

e ≤ 1 for dense layers (netx stores w ∈ [−256, 254] and finds the hardware exponent itself)
and e = 0 for convolutions (Lava's conv synapse holds 8-bit weights as they are).

λ is the smallest value for which every mantissa, the threshold and the bias fit their
fields and the 24-bit current cannot wrap (bounded over `steps` timesteps from the actual
integer weights and the largest input payload):

    |u| ≤ A · Σ_{k<steps} α_q^k ≤ 2^17 − 1 WU      A = max over neurons of Σ_i |w_i| · x_max

A smaller λ gives a finer threshold relative to the weights, so the weights use the full
8-bit mantissa unless the current's range forbids it. When the weights are integer levels
times one gain for the whole layer (a per-tensor scale), λ = gain / 2^k keeps them exact
(`exact_levels`) and only the threshold and bias are rounded. The voltage saturates (it
does not wrap): above the threshold a saturated v still spikes (vThMant·2^6 < 2^23 − 1), so
only a voltage below −(2^23 − 1) state units — beyond the bound
``−v ≤ (|u|max + |bias|max)·Σ_{k<steps} β_q^k`` — can differ; `v_bound` reports that bound
so that the caller can note it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import chip

MAX_TRIES = 200
GROWTH = 1.02
TINY = np.finfo(np.float64).tiny


class RangeError(ValueError):
    """No unit λ keeps the layer's state within 24 bits (the caller names the layer)."""


@dataclass
class QuantizedLayer:
    weight: np.ndarray      # int64, w = m · 2^e
    weight_exp: int
    vth_mant: int
    bias: np.ndarray | None
    i_decay: int
    v_decay: int
    unit: float             # λ
    u_bound: int            # bounds (WU) proven for the chosen integers
    v_bound: int


def decay_field(keep: float) -> int:
    """The 12-bit decay of a state multiplied by `keep` ∈ [0, 1] each step: round((1 − keep)·4096)."""
    return int(np.clip(np.rint((1.0 - keep) * chip.DECAY_UNITY), 0, chip.DECAY_UNITY))


def kept_fraction(decay: int) -> float:
    return (chip.DECAY_UNITY - decay) / chip.DECAY_UNITY


def geometric(r: float, steps: int) -> float:
    """Σ_{k<steps} r^k for 0 ≤ r ≤ 1."""
    return float(steps) if r >= 1.0 else (1.0 - r ** steps) / (1.0 - r)


def row_abs_sums(w: np.ndarray) -> np.ndarray:
    return np.abs(w).reshape(w.shape[0], -1).sum(axis=1)


def _max_abs(a: np.ndarray | None) -> float:
    return float(np.abs(a).max()) if a is not None and a.size else 0.0


def weight_limit(max_exp: int) -> int:
    """The largest |w| = 127 · 2^max_exp."""
    return chip.MANTISSA_MAX << max_exp


def mantissas(E: np.ndarray, unit: float, max_exp: int) -> tuple[np.ndarray, int]:
    """w = m·2^e ≈ E/unit with m ∈ [-128, 127]; e ≤ max_exp, the smallest that holds the largest |E|/unit."""
    top = _max_abs(E) / unit
    e = 0
    while e < max_exp and top > (chip.MANTISSA_MAX + 0.5) * (1 << e):
        e += 1
    m = np.clip(np.rint(E / (unit * (1 << e))), chip.MANTISSA_MIN, chip.MANTISSA_MAX).astype(np.int64)
    return m << e, e


def bias_mantissas(b: np.ndarray | None, unit: float) -> np.ndarray | None:
    if b is None:
        return None
    return np.clip(np.rint(b / unit), chip.BIAS_MANT_MIN, chip.BIAS_MANT_MAX).astype(np.int64)


def state_bounds(w: np.ndarray, x_max: int, vth: int, bias: np.ndarray | None, i_decay: int, v_decay: int,
                 steps: int) -> tuple[int, int]:
    """Bounds (WU) of |u| and of v (above: vth + |u| + |bias|; below: the decayed sum) over `steps`."""
    bias_max = int(_max_abs(bias))
    a = int(row_abs_sums(w).max(initial=0)) * int(x_max)
    u = a * geometric(kept_fraction(i_decay), steps)
    v = max(vth + u + bias_max, (u + bias_max) * geometric(kept_fraction(v_decay), steps))
    return int(np.ceil(u)), int(np.ceil(v))


def exact_levels(levels: np.ndarray, gain: float, b: np.ndarray | None, x_max: int, i_decay: int, steps: int,
                 max_exp: int) -> tuple[np.ndarray, int, float] | None:
    """Weights that keep integer levels exact: w = levels · 2^k and λ = gain / 2^k, with the largest
    k ≥ 0 that fits (mantissa, 17-bit threshold, 13-bit bias, current range); None when none does."""
    lv = levels.astype(np.int64)
    top = int(np.abs(lv).max(initial=0))
    if top == 0 or not gain > 0:
        return None
    a = int(row_abs_sums(lv).max(initial=0)) * x_max * geometric(kept_fraction(i_decay), steps)
    b_max = _max_abs(b)
    for k in range(8, -1, -1):
        unit = gain / (1 << k)
        e = next((e for e in range(max_exp + 1) if (top << k) <= chip.MANTISSA_MAX << e), None)
        if e is None or e > k or a * (1 << k) > chip.WU_LIMIT or 1.0 / unit > chip.VTH_MANT_MAX \
                or b_max / unit > chip.BIAS_MANT_MAX:
            continue
        return lv << k, e, unit
    return None


def level_values(levels: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """The distinct nonzero |weights| of each row, gain_c · |level|, with their row's largest: [n, 2]."""
    lv = np.abs(levels.astype(np.int64)).reshape(levels.shape[0], -1)
    rows, values = [], []
    for c in range(lv.shape[0]):
        ls = np.unique(lv[c][lv[c] > 0])
        if ls.size:
            g = abs(float(gains[c]))
            values.append(g * ls)
            rows.append(np.full(ls.size, g * ls.max()))
    if not values:
        return np.zeros((0, 2))
    return np.stack([np.concatenate(values), np.concatenate(rows)], axis=1)


def best_unit(unit: float, values: np.ndarray, max_exp: int, candidates: int = 512) -> float:
    """Among λ in [unit, 2·unit) the one whose rounded weights are closest to the real ones: it minimises
    the largest error of a weight relative to the largest weight of its row (`values` from `level_values`).
    A larger λ never breaks a range that `unit` meets."""
    if not values.size:
        return unit
    best, best_err = unit, np.inf
    for lam in unit * (1.0 + np.arange(candidates) / candidates):
        e = 0
        while e < max_exp and values[:, 0].max() / lam > (chip.MANTISSA_MAX + 0.5) * (1 << e):
            e += 1
        step = lam * (1 << e)
        m = np.clip(np.rint(values[:, 0] / step), chip.MANTISSA_MIN, chip.MANTISSA_MAX)
        err = float(np.max(np.abs(m * step - values[:, 0]) / values[:, 1]))
        if err < best_err - 1e-12:
            best, best_err = lam, err
    return best


def quantize_spiking(E: np.ndarray, b: np.ndarray | None, beta: float, alpha: float | None, x_max: int,
                     steps: int, max_exp: int, levels: np.ndarray | None = None,
                     gains: np.ndarray | None = None) -> QuantizedLayer:
    """Integers of a spiking layer normalized to threshold 1 (module docstring). alpha None: LIF
    (the current holds only this step's input, iDecay = 4096). `levels` and `gains`: E = gains_c ·
    levels (integer levels, one real gain per output channel): with one gain for the whole layer the
    levels are kept exact when possible; with several, λ is chosen among [λ_min, 2·λ_min) to round
    the per-channel magnitudes best (`best_unit`)."""
    i_decay = chip.DECAY_UNITY if alpha is None else decay_field(alpha)
    v_decay = decay_field(beta)

    def layer(w, e, unit):
        vth = int(min(np.rint(1.0 / unit), chip.VTH_MANT_MAX))
        bias = bias_mantissas(b, unit)
        u, v = state_bounds(w, x_max, vth, bias, i_decay, v_decay, steps)
        return QuantizedLayer(w, e, vth, bias, i_decay, v_decay, unit, u, v)

    structured = levels is not None and gains is not None
    if structured and np.all(gains == gains[0]) and gains[0] != 0:
        lv = levels if gains[0] > 0 else -levels.astype(np.int64)
        exact = exact_levels(lv, abs(float(gains[0])), b, x_max, i_decay, steps, max_exp)
        if exact is not None:
            return layer(*exact)
    u_real = float(row_abs_sums(E).max(initial=0.0)) * x_max * geometric(kept_fraction(i_decay), steps)
    unit = max(_max_abs(E) / weight_limit(max_exp), 1.0 / chip.VTH_MANT_MAX, _max_abs(b) / chip.BIAS_MANT_MAX,
               u_real / chip.WU_LIMIT, TINY)
    if structured:
        unit = best_unit(unit, level_values(levels, gains), max_exp)
    for _ in range(MAX_TRIES):
        q = layer(*mantissas(E, unit, max_exp), unit)
        if q.u_bound <= chip.WU_LIMIT:
            return q
        unit *= GROWTH
    raise RangeError(f"its current needs more than the 24-bit range over {steps} steps "
                     f"(|u| ≤ {q.u_bound} weight units; the limit is {chip.WU_LIMIT})")


def quantize_readout(E: np.ndarray, x_max: int, max_exp: int) -> tuple[np.ndarray, int, float]:
    """Weights of a readout whose current the host reads: w ≈ E/unit with |Σ w·x| ≤ 2^17 − 1."""
    a_real = float(row_abs_sums(E).max(initial=0.0)) * x_max
    unit = max(_max_abs(E) / weight_limit(max_exp), a_real / chip.WU_LIMIT, TINY)
    for _ in range(MAX_TRIES):
        w, e = mantissas(E, unit, max_exp)
        if int(row_abs_sums(w).max(initial=0)) * x_max <= chip.WU_LIMIT:
            return w, e, unit
        unit *= GROWTH
    raise RangeError("its synaptic input does not fit the 24-bit current")


def quantize_leaky(E: np.ndarray, b: np.ndarray | None, beta: float, x_max: int, steps: int,
                   max_exp: int) -> QuantizedLayer:
    """Integers of a leaky readout (`li`: v = β·v + Σ E·x + b, no spike) read from v by the host."""
    v_decay = decay_field(beta)
    a_real = float(row_abs_sums(E).max(initial=0.0)) * x_max
    unit = max(_max_abs(E) / weight_limit(max_exp), _max_abs(b) / chip.BIAS_MANT_MAX,
               (a_real + _max_abs(b)) * geometric(beta, steps) / chip.WU_LIMIT, TINY)
    for _ in range(MAX_TRIES):
        w, e = mantissas(E, unit, max_exp)
        bias = bias_mantissas(b, unit)
        u, v = state_bounds(w, x_max, 0, bias, chip.DECAY_UNITY, v_decay, steps)
        if u <= chip.WU_LIMIT and v <= chip.WU_LIMIT:
            return QuantizedLayer(w, e, chip.VTH_MANT_MAX, bias, chip.DECAY_UNITY, v_decay, unit, u, v)
        unit *= GROWTH
    raise RangeError(f"its voltage needs more than the 24-bit range over {steps} steps")
