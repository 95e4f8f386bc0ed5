"""The 45 nm energy model (Horowitz, ISSCC 2014, as used throughout the SNN literature)."""
E_AC_PJ = 0.9      # one 32-bit accumulate
E_MAC_PJ = 4.6     # one 32-bit multiply-accumulate


def snn_energy_pj(acs: float, macs: float) -> float:
    return E_AC_PJ * acs + E_MAC_PJ * macs


def ann_energy_pj(dense_ops: float) -> float:
    """The same network as a full-precision ANN: every connection is one MAC, once per sample."""
    return E_MAC_PJ * dense_ops
