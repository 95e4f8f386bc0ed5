"""Bounds on sizes every stage shares, so that hostile input is refused before anything allocates.

MAX_TIMESTEPS bounds T wherever it is stated or given: the graph attribute ``timesteps``
(verify), ``integerize{T=…}``, ``-T/--timesteps``, the hls testbench and the runners' inputs.
"""
MAX_TIMESTEPS = 1 << 20
