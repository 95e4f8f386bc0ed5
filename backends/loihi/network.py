"""The Loihi network: what the netx file holds and the simulator runs.

A `Network` is a chain of `Layer`s fed by the input (binary spikes, or graded spikes
whose payload is the raw integer input). Every layer is a synapse (dense, conv, or a
max-pool expressed as a grouped conv) followed by a population of CUBA compartments
(`Neuron`). Integers throughout, in weight units (WU: one unit of synaptic input).
Shapes are the IR's (``[N]`` or ``[C, H, W]``); `netx.py` converts to netx's order.

A multi-bit spike (IE-LIF) is held as `Layer.planes` binary planes stacked on the first
axis (plane-major); its value is their sum. A layer without spiking (`Neuron.spiking` False)
is a readout: the host reads its current ``u`` (or voltage ``v``) every step and computes
``y = gain ⊙ probe / 2^6 + bias`` (`Readout`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

KINDS = ("dense", "conv", "pool")
PROBES = ("u", "v", "s")


@dataclass
class Neuron:
    """CUBA compartment parameters as netx names them (shared by the whole layer).

    i_decay (netx ``iDecay``) and v_decay (``vDecay``): 0..4096, the effective decays
    (``u ← u·(4096 − i_decay) >> 12``); vth_mant (``vThMant``): spike when v > vth_mant·2^6.
    """
    i_decay: int
    v_decay: int
    vth_mant: int
    ref_delay: int = 1
    graded: bool = False
    spiking: bool = True


@dataclass
class Readout:
    """Host-side output of a layer: ``y = gain ⊙ probe / 64 + bias`` (probe "u" or "v"), or the
    spikes (summed over planes) times `gain` (probe "s"). gain and bias have the layer's value shape."""
    probe: str
    gain: np.ndarray
    bias: np.ndarray


@dataclass
class Layer:
    name: str                      # the IR value this layer produces (the neuron, or the readout synapse)
    kind: str                      # dense | conv | pool
    shape: tuple[int, ...]         # per-timestep output shape (IR order)
    in_shape: tuple[int, ...]      # per-timestep input shape (IR order, before flattening)
    weight: np.ndarray             # int64: [out, in] or [O, C/groups, kh, kw]
    neuron: Neuron
    bias: np.ndarray | None = None  # int64 bias mantissas, shape = `shape` (dense) or [O] (conv)
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    flatten: bool = False          # the input is flattened first (a netx "flatten" layer)
    weight_exp: int = 0            # weight = mantissa · 2^weight_exp
    unit: float = 1.0              # real value of one WU (after threshold normalization)
    readout: Readout | None = None
    sources: tuple[str, ...] = ()  # the IR nodes folded into this layer
    notes: list[str] = field(default_factory=list)
    planes: int = 1                # >1: the compartments are binary planes of a multi-bit spike (multispike)

    @property
    def value_shape(self) -> tuple[int, ...]:
        """The shape of the IR value the layer produces (its planes summed)."""
        return (self.shape[0] // self.planes,) + tuple(self.shape[1:])

    @property
    def neurons(self) -> int:
        return int(np.prod(self.shape))

    @property
    def fan_in(self) -> int:
        """Synapses per neuron (before padding is taken off)."""
        return int(np.prod(self.weight.shape[1:]))

    @property
    def weight_bits(self) -> int:
        """Bits of the signed weight mantissa that the layer needs (sign included), ≥ 1."""
        m = np.abs(self.weight) >> self.weight_exp
        top = int(m.max()) if m.size else 0
        signed = bool(self.weight.size and self.weight.min() < 0 and self.weight.max() > 0)
        return max(1, top.bit_length() + (1 if signed else 0))


@dataclass
class Network:
    name: str
    input_name: str
    input_shape: tuple[int, ...]
    input_dtype: str               # spike | uint<k> | int<k>
    input_message_bits: int        # 0: binary spikes; k: graded spikes with a k-bit payload
    layers: list[Layer]
    output_name: str
    output_shape: tuple[int, ...]
    timesteps: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def delay(self) -> int:
        """Steps from an input to the last layer's response: one per layer (each synapse buffers a step)."""
        return len(self.layers)

    @property
    def output_layer(self) -> Layer:
        return self.layers[-1]
