"""TaWQ and mTaWQ: temporal-adaptive weight quantization (Zhang et al.).

Full-precision weights become time-varying integer levels, one matrix per
timestep t = 0 … T_w−1, by a calcium-like state per weight (C[−1] = 0):

    I_n    = W / s                              normalized stimulus; s = per-layer magnitude
    C_s[t] = lam · C[t−1] + I_n                 calcium state
    W_q[t] = clip(trunc(C_s[t] / C_th), −L, L)  L = 2^(bits−1) − 1
           = sign(C_s[t]) · [|C_s[t]| ≥ C_th]   for ternary TaWQ (bits = 2, L = 1)
    C[t]   = C_s[t] − W_q[t] · C_th             reset = "soft" (subtract what was emitted)
           = 0 where W_q[t] ≠ 0, else C_s[t]    reset = "hard"

    effective weight at t:  alpha_t · s · W_q[t]   (use_magnitude=True)
                            alpha_t · W_q[t]        (use_magnitude=False)

with ``alpha_t`` one learned scalar per layer and timestep (the shared temporal
scale). The layer's ``scale[t]`` is ``alpha_t · s`` (or ``alpha_t``), the same
for every output channel.

Why it approximates W (sigma-delta modulation): with lam = 1, soft reset and
``|I_n| ≤ L · C_th`` the state stays in (−C_th, C_th) (it is the remainder of
the truncation), so ``Σ_{t<T} W_q[t] · C_th = T · I_n − C[T−1]`` and, with
``alpha_t = C_th`` (the initial value),
``|(1/T) Σ_t alpha_t · s · W_q[t] − W| < s · C_th / T``.
Weights with ``|I_n| > L · C_th`` saturate at ``±L`` every step: their
average is ``clip(W, ±s·L·C_th)``.

Options (constructor arguments):

* ``T_w``: the number of timesteps (the input's T must equal it).
* ``bits``: 2 = ternary TaWQ; k > 2 = mTaWQ with levels −(2^(k−1)−1) … 2^(k−1)−1.
* ``lam`` (λ, default 1.0): the calcium leak; 1 = perfect integrator.
* ``c_th`` (C_th, default 1.0): the modulation threshold.
* ``reset``: "soft" (default) or "hard" (see above).
* ``magnitude``: how s is obtained — "dynamic" (default: mean|W| / L recomputed
  at every call, differentiable; keeps I_n normalized while W trains, so the
  weight-state entropy stays near its maximum), "learned" (a parameter
  initialised to mean|W| / L) or "fixed" (a buffer, mean|W| / L at initialisation).
* ``use_magnitude`` (default True): whether s multiplies the effective weight.
* ``sg_width`` (default 1.0): half-width of the surrogate gradient of the
  staircase in units of C_th (a triangle of unit area around each step ±j·C_th).
* ``detach_reset`` (default False): stop the gradient through the reset term.
"""
from __future__ import annotations

import torch
from torch import nn

from snnc.errors import ConfigError

from .base import QuantizedWeight, Quantizer
from .ste import staircase

MAGNITUDES = ("learned", "fixed", "dynamic")


class TaWQ(Quantizer):
    """Temporal-adaptive weight quantization (ternary for bits = 2); equations in the module docstring."""

    method = "tawq"

    def __init__(self, T_w: int, bits: int = 2, lam: float = 1.0, c_th: float = 1.0, reset: str = "soft",
                 magnitude: str = "dynamic", use_magnitude: bool = True, sg_width: float = 1.0,
                 detach_reset: bool = False):
        if int(bits) != bits or not 2 <= bits <= 8:
            raise ConfigError(f"{type(self).__name__}: bits must be an integer in 2..8, got {bits}")
        L = 2 ** (int(bits) - 1) - 1
        super().__init__(bits, (-L, L), T_w)
        if reset not in ("soft", "hard"):
            raise ConfigError(f"TaWQ reset must be 'soft' or 'hard', got {reset!r}")
        if magnitude not in MAGNITUDES:
            raise ConfigError(f"TaWQ magnitude must be one of {', '.join(MAGNITUDES)}, got {magnitude!r}")
        if not 0.0 <= lam <= 1.0:
            raise ConfigError(f"TaWQ lam must lie in [0, 1], got {lam}")
        if not c_th > 0 or not sg_width > 0:
            raise ConfigError(f"TaWQ c_th and sg_width must be > 0, got {c_th} and {sg_width}")
        self.L = L
        self.lam, self.c_th, self.reset = float(lam), float(c_th), reset
        self.magnitude, self.use_magnitude = magnitude, bool(use_magnitude)
        self.sg_width, self.detach_reset = float(sg_width), bool(detach_reset)
        self.alpha = nn.Parameter(torch.full((self.T_w,), self.c_th))
        if magnitude == "learned":
            self.s = nn.Parameter(torch.ones(()))
        elif magnitude == "fixed":
            self.register_buffer("s", torch.ones(()))

    def _mean_magnitude(self, weight: torch.Tensor) -> torch.Tensor:
        return weight.abs().mean().clamp(min=1e-8) / self.L

    def init_from(self, weight: torch.Tensor) -> None:
        with torch.no_grad():
            s = self._mean_magnitude(weight)
            if self.magnitude != "dynamic":
                self.s.copy_(s)
            if not self.use_magnitude:
                self.alpha.fill_(self.c_th * float(s))

    def magnitude_value(self, weight: torch.Tensor) -> torch.Tensor:
        """The per-layer magnitude s used for this weight (0-dim tensor)."""
        if self.magnitude == "dynamic":
            return self._mean_magnitude(weight)
        return self.s.clamp(min=1e-8)

    def levels_over_time(self, weight: torch.Tensor) -> torch.Tensor:
        """The integer levels W_q[t] for t < T_w: shape [T_w, *weight.shape]."""
        i_n = weight / self.magnitude_value(weight)
        c = torch.zeros_like(i_n)
        levels = []
        for _ in range(self.T_w):
            c_s = self.lam * c + i_n
            q = staircase(c_s, self.c_th, self.L, self.sg_width)
            levels.append(q)
            if self.reset == "soft":
                c = c_s - (q.detach() if self.detach_reset else q) * self.c_th
            else:
                c = torch.where(q == 0, c_s, torch.zeros_like(c_s))
        return torch.stack(levels)

    def forward(self, weight: torch.Tensor) -> QuantizedWeight:
        w_int = self.levels_over_time(weight)
        scale = self.alpha * self.magnitude_value(weight) if self.use_magnitude else self.alpha
        return QuantizedWeight(w_int, scale[:, None].expand(self.T_w, weight.shape[0]))

    def extra_repr(self) -> str:
        return (super().extra_repr() + f", lam={self.lam}, c_th={self.c_th}, reset={self.reset!r}, "
                f"magnitude={self.magnitude!r}, use_magnitude={self.use_magnitude}")


class MTaWQ(TaWQ):
    """mTaWQ: TaWQ with k-bit levels −(2^(k−1)−1) … 2^(k−1)−1 (default k = 3); k = 2 is ternary TaWQ."""

    method = "mtawq"

    def __init__(self, T_w: int, bits: int = 3, **options):
        super().__init__(T_w, bits=bits, **options)
