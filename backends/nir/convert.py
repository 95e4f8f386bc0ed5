"""Discrete-time IR neurons ↔ NIR's continuous-time neurons (DESIGN §5).

NIR states its neurons as differential equations; snnc's IR steps them with a
fixed timestep ``dt`` (graph attribute ``dt``, `DEFAULT_DT` when absent). The
bridge uses the forward-Euler reading that snnTorch's exporter and importer use:

    LI / LIF   τ·dv/dt = (v_leak − v) + r·I
               v[t] = β·v[t-1] + g·I[t] + b,    β = 1 − dt/τ,  g = r·dt/τ,  b = v_leak·dt/τ
    CubaLIF    τ_syn·di/dt = −i + w_in·S,  τ_mem·dv/dt = (v_leak − v) + r·i
               i[t] = α·i[t-1] + g_in·S[t],    α = 1 − dt/τ_syn,  g_in = w_in·dt/τ_syn
               v[t] = β·v[t-1] + g_r·i[t] + b, β = 1 − dt/τ_mem,  g_r = r·dt/τ_mem,  b = v_leak·dt/τ_mem
    IF / I     dv/dt = r·I  →  v[t] = v[t-1] + g·I[t],  g = r
               (NIR's IF has no τ; snnTorch and Sinabs read r = 1 as a unit input gain.)

Export writes τ = dt/(1−β) and, like snnTorch, r = g·τ/dt (a unit gain is r = τ/dt),
v_leak = b·τ/dt, w_in = g_in·τ_syn/dt. β = 1 gives τ = r = ∞; the pair (τ, r) = (∞, ∞)
reads back as the unit gain (the limit of r = τ/dt).

All of it is computed in float64 and rounded once to float32 at the end, which
gives every float32 β, α, gain and bias back bit for bit (tested over many
magnitudes and dt values; only |β| below ~1e-8, where 1 − β itself rounds, is lossy).
"""
from __future__ import annotations

import numpy as np

DEFAULT_DT = 1e-4

# A gain within this distance of 1 is 1: snnTorch writes τ and r = τ/dt in float32,
# so r·dt/τ comes back as 1 ± a few float32 ulps.
UNIT_GAIN_TOL = 2.0 ** -20


def _f64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def tau_from_beta(beta, dt: float) -> np.ndarray:
    """τ = dt / (1 − β)   (β = 1 → τ = ∞)."""
    with np.errstate(divide="ignore"):
        return dt / (1.0 - _f64(beta))


def beta_from_tau(tau, dt: float) -> np.ndarray:
    """β = 1 − dt/τ as float32 (τ = ∞ → β = 1)."""
    return (1.0 - dt / _f64(tau)).astype(np.float32)


def r_from_gain(gain, tau, dt: float) -> np.ndarray:
    """r = g·τ/dt (the unit gain gives snnTorch's r = τ/dt)."""
    return _f64(gain) * _f64(tau) / dt


def gain_from_r(r, tau, dt: float) -> np.ndarray:
    """g = r·dt/τ as float32, with (r, τ) = (∞, ∞) read as g = 1."""
    r, tau = np.broadcast_arrays(_f64(r), _f64(tau))
    both_inf = np.isinf(tau) & np.isinf(r) & (np.sign(tau) == np.sign(r))
    with np.errstate(invalid="ignore"):
        return np.where(both_inf, 1.0, r * dt / tau).astype(np.float32)


def v_leak_from_bias(bias, tau, dt: float) -> np.ndarray:
    """v_leak = b·τ/dt."""
    return _f64(bias) * _f64(tau) / dt


def bias_from_v_leak(v_leak, tau, dt: float) -> np.ndarray:
    """b = v_leak·dt/τ as float32 (τ = ∞ → b = 0 for a finite v_leak)."""
    return (_f64(v_leak) * dt / _f64(tau)).astype(np.float32)


def is_unit(gain) -> bool:
    """True when every gain is 1 up to `UNIT_GAIN_TOL` (float32 noise of the r = τ/dt encoding)."""
    return bool(np.all(np.abs(_f64(gain) - 1.0) <= UNIT_GAIN_TOL))


def is_zero(bias) -> bool:
    return bool(np.all(_f64(bias) == 0.0))
