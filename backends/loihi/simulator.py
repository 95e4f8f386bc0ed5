"""A bit-accurate simulator of Loihi's CUBA compartments and synapses (the loihi target's run()).

It follows Lava's bit-accurate process models (`PyLifModelBitAcc` with lava-dl netx's
parameter mapping, and the bit-accurate Dense / Conv synapses). Per step, for every layer:

    a[t]  = buffer;  buffer = W · s_in[t]                   (the synapse delivers one step late;
                                                             a conv result wraps to 24 bits)
    u     = sm(u · (4096 − iDecay)) >> 12  +  (a << 6)       then wrapped once into 24 bits
    v     = sm(v · (4096 − vDecay)) >> 12  +  u  +  (bias << 6)   saturated to ±(2^23 − 1)
    s     = v > (vThMant << 6);   v = 0 where s

where ``sm(p) >> 12`` shifts the magnitude and keeps the sign (``sign(p)·(|p| >> 12)``:
rounding toward zero, as Lava does for negative states). The input layer's spikes carry the
raw integer input as their payload (graded) or are binary. Conv synapses compute
PyTorch's cross-correlation (netx flips the stored kernel for Lava's true convolution).

Every layer adds one step of delay, so layer k (1-based) answers graph step t at
simulator step t + k. Its compartments are reset (u = v = 0, before integrating) at step k,
when the sample's first input reaches them — lava-dl netx's staggered reset, ``LIFReset``
with ``reset_offset`` growing by one per layer (``Network(..., reset_interval=T,
reset_offset=1)``); without it a layer would integrate its bias during the steps before its
input arrives. `simulate` runs T + L steps (zeros after the input ends) and returns every
layer's spikes and the readout aligned to the graph's steps 0 … T−1.

The chip's own state saturates (v) and wraps (u, conv results) as Loihi does, so a run of
any length up to MAX_TIMESTEPS is this model's semantics; inputs of another shape or
length are refused (`InputError`) before anything is allocated.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snnc.ir import MAX_TIMESTEPS

from ..reference.errors import InputError
from ..reference.kernels.conv import correlate
from . import chip
from .network import Layer, Network


@dataclass
class SimResult:
    output: np.ndarray                    # [T, B, *output_shape]: float32 readout, or int64 spikes
    spikes: dict[str, np.ndarray]         # layer name → int64 spikes [T, B, *value shape] (spiking layers;
                                          # binary planes of a multi-bit spike summed into counts)
    probes: dict[str, np.ndarray]         # layer name → the probed u or v [T, B, *shape] (readouts)


def decay(x: np.ndarray, d: int) -> np.ndarray:
    """sign(x) · ((|x| · (4096 − d)) >> 12): Lava's decay, which rounds the magnitude down."""
    p = np.abs(x) * (chip.DECAY_UNITY - d)
    return np.sign(x) * (p >> chip.DECAY_BITS)


def wrap_current(u: np.ndarray) -> np.ndarray:
    """Lava's 24-bit current: u > 2^23 → u − 2^24; u ≤ −2^23 → u + 2^24 (one wrap)."""
    lim = chip.STATE_LIMIT
    w = np.where(u > lim, u - 2 * lim, u)
    return np.where(w <= -lim, u + 2 * lim, w)


class Compartments:
    """The CUBA state of one layer, [B, N] int64."""

    def __init__(self, layer: Layer, B: int):
        self.n = layer.neuron
        N = layer.neurons
        self.u = np.zeros((B, N), np.int64)
        self.v = np.zeros((B, N), np.int64)
        self.bias = np.zeros(N, np.int64)
        if layer.bias is not None:
            b = layer.bias.astype(np.int64)
            if layer.kind != "dense":   # per channel → per neuron
                b = np.repeat(b, N // b.size)
            self.bias = b.reshape(N) << chip.BIAS_EXP
        self.vth = int(self.n.vth_mant) << chip.VTH_SHIFT

    def reset(self):
        self.u[:] = 0
        self.v[:] = 0

    def step(self, a: np.ndarray) -> np.ndarray:
        self.u = wrap_current(decay(self.u, self.n.i_decay) + (a << chip.ACT_SHIFT))
        self.v = np.clip(decay(self.v, self.n.v_decay) + self.u + self.bias, -chip.V_MAX, chip.V_MAX)
        s = self.v > self.vth
        self.v = np.where(s, 0, self.v)
        return s.astype(np.int64)


def wrap24(x: np.ndarray) -> np.ndarray:
    """Signed 24-bit wrap-around (Lava's conv synapse clamps its output this way)."""
    lim = chip.STATE_LIMIT
    return ((x + lim) % (2 * lim)) - lim


def synapse(layer: Layer, x: np.ndarray) -> np.ndarray:
    """a = W · x for a batch x [B, *in_shape] (int64) → [B, N]; a conv (or pool) result wraps to 24 bits."""
    B = x.shape[0]
    if layer.kind == "dense":
        return x.reshape(B, -1) @ layer.weight.T
    y = correlate(x.reshape((B,) + tuple(layer.in_shape)), layer.weight, layer.stride, layer.padding,
                  layer.dilation, layer.groups, np.int64)
    return wrap24(y.reshape(B, -1))


def simulate(net: Network, x: np.ndarray) -> SimResult:
    """Run the network on raw input x [T, B, *input_shape] (0/1 spikes or integer payloads)."""
    try:
        x = np.asarray(x)
    except (ValueError, TypeError) as e:
        raise InputError(f"the Loihi network takes an integer array [T, B, ...]; got {type(x).__name__} ({e})") \
            from None
    if x.ndim != 2 + len(net.input_shape) or tuple(x.shape[2:]) != tuple(net.input_shape) or 0 in x.shape[:2]:
        raise InputError(f"the Loihi network takes input [T, B, {', '.join(map(str, net.input_shape))}]; "
                         f"got {list(x.shape)}")
    if x.dtype.kind not in "biuf" or (x.dtype.kind == "f" and not np.isfinite(x).all()):
        raise InputError(f"the Loihi network takes integer input; got an array of {x.dtype} with non-integers")
    if x.shape[0] > MAX_TIMESTEPS:
        raise InputError(f"an input of {x.shape[0]} timesteps: runs take 1 to {MAX_TIMESTEPS} (--timesteps)")
    x = x.astype(np.int64)
    T, B = x.shape[:2]
    L = len(net.layers)
    state = [Compartments(layer, B) for layer in net.layers]
    buffers = [np.zeros((B, layer.neurons), np.int64) for layer in net.layers]
    spikes = [np.zeros((T, B, layer.neurons), np.int64) for layer in net.layers]
    probes = [np.zeros((T, B, layer.neurons), np.int64) for layer in net.layers]
    zeros = np.zeros((B,) + tuple(net.input_shape), np.int64)
    for t in range(T + L):
        s = x[t] if t < T else zeros
        for k, layer in enumerate(net.layers):
            a, buffers[k] = buffers[k], synapse(layer, s)
            if t == k + 1:
                state[k].reset()
            s = state[k].step(a)
            step = t - (k + 1)                 # the graph step this layer answers now
            if 0 <= step < T:
                spikes[k][step] = s
                probe = layer.readout.probe if layer.readout is not None else "s"
                probes[k][step] = state[k].u if probe == "u" else state[k].v
    values = [_value(layer, spikes[k], T, B) for k, layer in enumerate(net.layers)]
    named_spikes = {layer.name: values[k] for k, layer in enumerate(net.layers) if layer.neuron.spiking}
    named_probes = {layer.name: probes[k].reshape((T, B) + layer.shape)
                    for k, layer in enumerate(net.layers) if not layer.neuron.spiking}
    last = net.layers[-1]
    out = _readout(last, values[-1], probes[-1].reshape((T, B) + last.shape))
    return SimResult(out.reshape((T, B) + tuple(net.output_shape)), named_spikes, named_probes)


def _value(layer: Layer, s: np.ndarray, T: int, B: int) -> np.ndarray:
    """A layer's spikes as the IR value: [T, B, *value_shape], binary planes summed into counts."""
    return s.reshape((T, B, layer.planes) + layer.value_shape).sum(axis=2)


def _readout(layer: Layer, s: np.ndarray, probe: np.ndarray) -> np.ndarray:
    r = layer.readout
    if r is None or (r.probe == "s" and np.all(r.gain == 1.0)):
        return s
    f32 = np.float32
    if r.probe == "s":
        return s.astype(f32) * r.gain.astype(f32) + r.bias.astype(f32)
    if r.probe == "u":
        value = (probe >> chip.ACT_SHIFT).astype(f32)        # the synaptic input a (exact)
    else:
        value = (probe.astype(np.float64) / (1 << chip.ACT_SHIFT)).astype(f32)
    return value * r.gain.astype(f32) + r.bias.astype(f32)
