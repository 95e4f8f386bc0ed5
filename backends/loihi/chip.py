"""Loihi CUBA compartment constants (Lava's bit-accurate model, `PyLifModelBitAcc`).

Fixed-point conventions of the compartment, in "state units" (the integers the
hardware holds) and "weight units" (WU, one unit of synaptic input ``a``):

* the synaptic input enters the current shifted left by ``ACT_SHIFT`` = 6:
  ``u += a << 6`` — one WU is 64 state units;
* the threshold is ``vThMant << VTH_SHIFT`` (6), the bias ``bias_mant << BIAS_EXP`` (6, as
  lava-dl netx sets ``bias_exp = 6``) — both in WU as well;
* decays are 12-bit fractions of ``DECAY_UNITY`` = 4096: ``x ← x·(4096 − d) >> 12`` applied
  to the magnitude (the sign is kept), so ``d = 0`` keeps the state and ``d = 4096`` clears it;
* ``u`` and ``v`` are 24-bit: ``u`` wraps once (Lava: ``u > 2^23`` → ``u − 2^24``,
  ``u ≤ −2^23`` → ``u + 2^24``), ``v`` saturates to ``[−(2^23 − 1), 2^23 − 1]``.
"""
STATE_BITS = 24
STATE_LIMIT = 1 << (STATE_BITS - 1)          # 2^23
V_MAX = STATE_LIMIT - 1                       # v saturates to ±(2^23 − 1)
ACT_SHIFT = 6                                 # synaptic input → current
VTH_SHIFT = 6                                 # vThMant → threshold in state units
BIAS_EXP = 6                                  # netx: bias_mant << 6
DECAY_BITS = 12
DECAY_UNITY = 1 << DECAY_BITS                 # 4096

#: largest |state| in WU that the 24-bit registers hold: 2^23 / 2^6 = 2^17 (kept strictly below)
WU_LIMIT = (STATE_LIMIT >> ACT_SHIFT) - 1     # 131071
VTH_MANT_MAX = (1 << 17) - 1                  # 17-bit unsigned threshold mantissa
BIAS_MANT_MIN, BIAS_MANT_MAX = -(1 << 12), (1 << 12) - 1    # 13-bit signed bias mantissa
MANTISSA_MIN, MANTISSA_MAX = -128, 127        # 8-bit signed weight mantissa
#: largest shared weight exponent e (w = m · 2^e): dense layers up to 1 (netx stores w ∈ [-256, 254] and
#: derives the hardware exponent itself); conv layers 0 (Lava's conv synapse uses 8-bit weights as they are)
WEIGHT_EXP_MAX = {"dense": 1, "conv": 0, "pool": 0}
NETX_WEIGHT_MIN, NETX_WEIGHT_MAX = -256, 254  # what lava-dl netx accepts without clipping (mixed sign)
REF_DELAY = 1                                 # refractory delay written to netx (1: may fire every step)
