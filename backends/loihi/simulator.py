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
    x = _checked(net, x, 2)
    T, B = x.shape[:2]
    L = len(net.layers)
    zeros = np.zeros((L, B) + tuple(net.input_shape), np.int64)
    # layer k answers graph step t at step t + k + 1 and is reset once, when step 0 reaches it
    spikes, probes = _run(net, np.concatenate([x, zeros]), lambda t, k: t == k + 1, lambda t, k: t - k - 1, T)
    values = [_value(layer, spikes[k], T, B) for k, layer in enumerate(net.layers)]
    named_spikes = {layer.name: values[k] for k, layer in enumerate(net.layers) if layer.neuron.spiking}
    named_probes = {layer.name: probes[k].reshape((T, B) + layer.shape)
                    for k, layer in enumerate(net.layers) if not layer.neuron.spiking}
    last = net.layers[-1]
    out = _readout(last, values[-1], probes[L - 1].reshape((T, B) + last.shape))
    return SimResult(out.reshape((T, B) + tuple(net.output_shape)), named_spikes, named_probes)


def simulate_stream(net: Network, stream: np.ndarray, reset_interval: int) -> tuple[np.ndarray, np.ndarray]:
    """Run one continuous input stream [S, *input_shape] as Lava runs the netx file: no zeros added,
    layer k (0-based) reset at steps k + 1, k + 1 + R, k + 1 + 2R, … (``reset_interval=R,
    reset_offset=1``). Returns the last layer's spikes and its probed state (u, or v for an ``li``
    readout) at every step, [S, *layer shape] int64 — what Lava's sink and Monitor record."""
    stream = _checked(net, stream, 1)[:, None]
    last = net.layers[-1]
    k_last = len(net.layers) - 1
    spikes, probes = _run(net, stream, lambda t, k: t >= k + 1 and (t - k - 1) % reset_interval == 0,
                          lambda t, k: t, stream.shape[0], layers=(k_last,))
    return spikes[k_last][:, 0].reshape((-1,) + last.shape), probes[k_last][:, 0].reshape((-1,) + last.shape)


def _checked(net: Network, x, batch_axes: int) -> np.ndarray:
    lead = "T, B" if batch_axes == 2 else "S"
    try:
        x = np.asarray(x)
    except (ValueError, TypeError) as e:
        raise InputError(f"the Loihi network takes an integer array [{lead}, ...]; got {type(x).__name__} ({e})") \
            from None
    if x.ndim != batch_axes + len(net.input_shape) or tuple(x.shape[batch_axes:]) != tuple(net.input_shape) \
            or 0 in x.shape[:batch_axes]:
        raise InputError(f"the Loihi network takes input [{lead}, {', '.join(map(str, net.input_shape))}]; "
                         f"got {list(x.shape)}")
    if x.dtype.kind not in "biuf" or (x.dtype.kind == "f" and not np.isfinite(x).all()):
        raise InputError(f"the Loihi network takes integer input; got an array of {x.dtype} with non-integers")
    if batch_axes == 2 and x.shape[0] > MAX_TIMESTEPS:
        raise InputError(f"an input of {x.shape[0]} timesteps: runs take 1 to {MAX_TIMESTEPS} (--timesteps)")
    return x.astype(np.int64)


def _run(net: Network, x: np.ndarray, resets, row, rows: int, layers=None):
    """Step every layer over x [S, B, *input_shape]; `resets(t, k)` says when layer k resets and
    `row(t, k)` which of the `rows` recorded rows its output at step t is. The spikes and probes of
    the `layers` asked for (all by default), [rows, B, N] each."""
    S, B = x.shape[:2]
    wanted = range(len(net.layers)) if layers is None else layers
    state = [Compartments(layer, B) for layer in net.layers]
    buffers = [np.zeros((B, layer.neurons), np.int64) for layer in net.layers]
    spikes = {k: np.zeros((rows, B, net.layers[k].neurons), np.int64) for k in wanted}
    probes = {k: np.zeros((rows, B, net.layers[k].neurons), np.int64) for k in wanted}
    for t in range(S):
        s = x[t]
        for k, layer in enumerate(net.layers):
            a, buffers[k] = buffers[k], synapse(layer, s)
            if resets(t, k):
                state[k].reset()
            s = state[k].step(a)
            if k not in spikes:
                continue
            r = row(t, k)
            if 0 <= r < rows:
                spikes[k][r] = s
                probe = layer.readout.probe if layer.readout is not None else "s"
                probes[k][r] = state[k].u if probe == "u" else state[k].v
    return spikes, probes


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
