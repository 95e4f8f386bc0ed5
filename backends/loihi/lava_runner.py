"""``run_lava.py`` and ``lava_readout.npz``: the script in every loihi output folder that runs
``model.net`` in Lava (lava-dl netx) and returns snnc's outputs (template
``templates/loihi/run_lava.py.j2``).

The script holds everything a Lava user would otherwise have to get right by hand: netx's
``reset_interval`` / ``reset_offset`` (samples back to back), the input transposed to Lava's
order, the graded payload bits, the latency padding (Lava's RingBuffer source wraps around),
which state of the last layer to read, and the host-side readout (``lava_readout.npz``: gain and
bias). It needs only NumPy and Lava, not snnc: Lava supports Python < 3.11.
"""
from __future__ import annotations

import io
import re

import numpy as np

from snnc.ir import parse_dtype
from snnc.version import VERSION

from ..common.templates import render
from .network import Network

SCRIPT = "run_lava.py"
READOUT = "lava_readout.npz"
PROBES = {"s": "the last layer's spikes (a sink RingBuffer on the network's output){planes}",
          "u": "the last layer's current u, read with a Monitor (a readout: y = gain·(u >> 6) + bias)",
          "v": "the last layer's voltage v, read with a Monitor (a leaky readout: y = gain·v/64 + bias)"}


def readout_kind(net: Network) -> tuple[str, bool]:
    """What the host reads of the last layer (s, u or v) and whether it applies a gain and bias."""
    r = net.output_layer.readout
    probe = "s" if r is None else r.probe
    return probe, r is not None and not (probe == "s" and np.all(r.gain == 1.0))


def probe_text(layer, probe: str, scaled: bool) -> str:
    planes = f", {layer.planes} binary planes summed into counts" if layer.planes > 1 else ""
    return PROBES[probe].format(planes=planes) + (", then gain and bias" if scaled and probe == "s" else "")


def render_runner(net: Network, net_file: str, input_scale: float) -> dict[str, str | bytes]:
    """The script and its readout file by name (the script reads `net_file` beside it; `input_scale`
    is the real value of one unit of the input, as the graph's input node says)."""
    last = net.output_layer
    r = last.readout
    probe, scaled = readout_kind(net)
    dt = parse_dtype(net.input_dtype)
    lo, hi = (0, 1) if dt.kind == "spike" else dt.range()
    text = render("loihi/run_lava.py.j2", name=re.sub(r"[^A-Za-z0-9_.\- ]", "_", net.name)[:80], version=VERSION,
                  input_dims=", ".join(map(str, net.input_shape)), output_dims=", ".join(map(str, net.output_shape)),
                  input_kind=net.input_dtype, message_bits=net.input_message_bits, delay=net.delay,
                  probe_text=probe_text(last, probe, scaled),
                  net_file=net_file, readout_file=READOUT, timesteps=net.timesteps,
                  input_shape=tuple(net.input_shape), input_range=(int(lo), int(hi)),
                  input_step=None if dt.kind == "spike" else repr(float(input_scale) * 2.0 ** -dt.frac),
                  layer_shape=tuple(last.shape), planes=last.planes, probe=probe, scaled=scaled,
                  output_shape=tuple(net.output_shape))
    buf = io.BytesIO()
    value = last.value_shape
    np.savez(buf, gain=np.ones(value) if r is None else r.gain, bias=np.zeros(value) if r is None else r.bias)
    return {SCRIPT: text, READOUT: buf.getvalue()}
