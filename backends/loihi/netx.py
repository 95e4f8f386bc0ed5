"""The lava-dl netx network file (``model.net``, HDF5 via h5py): write and read back.

Layout, as `lava.lib.dl.netx.hdf5.Network` reads it (`NetDict`: ``type`` is an ASCII
string; ``shape``, ``stride``, ``padding``, ``dilation``, ``groups``, ``iDecay``,
``vDecay``, ``vThMant``, ``refDelay`` are read with ``[()]``; ``weight`` and ``bias`` are
cast to int):

    layer/0              type "input", shape            the input, [C, H, W] or [N]
    layer/<i>            type "dense", shape [N], weight [N, in] (int), bias [N] (optional),
                         inFeatures, outFeatures
                         type "conv", shape [C, H, W], weight [O, C/groups, kh, kw] (PyTorch's
                         cross-correlation layout; netx flips it for Lava), stride, padding,
                         dilation [h, w], groups, bias [O] (optional), inChannels, outChannels,
                         kernelSize
                         type "flatten", shape [N]       before a dense layer fed by a [C, H, W] layer
    layer/<i>/neuron     type "CUBA", iDecay, vDecay, vThMant, refDelay, gradedSpike

Shapes are written in snnc's [C, H, W] order, which netx reverses into Lava's (x, y, z).
A max-pool layer is a ``conv`` with ``groups = C`` and a kernel of ones. netx maps
``iDecay`` to Lava's ``du = iDecay − 1`` (Lava adds 1 back) and ``bias`` to
``bias_mant`` with ``bias_exp = 6``; an integer (graded) input needs
``Network(..., input_message_bits=k)``.

What netx does not read is kept in HDF5 attributes (never datasets) so that the file
alone rebuilds the `Network` snnc simulates: the layer names, the host-side readout
(``snnc_probe``, ``snnc_gain``, ``snnc_bias``), the weight exponent and unit, the input
type and message bits.
"""
from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from ..target import TargetError
from .network import Layer, Network, Neuron, Readout

FORMAT = "snnc-loihi-1"
NEURON_FIELDS = ("iDecay", "vDecay", "vThMant", "refDelay")


def _string(group, key: str, text: str):
    group.create_dataset(key, (1,), "S10", [text.encode("ascii")])


def _ints(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def write_net(net: Network, path) -> Path:
    """Write `net` as a netx ``.net`` file at `path`."""
    path = Path(path)
    path.write_bytes(net_bytes(net))
    return path


def net_bytes(net: Network) -> bytes:
    """The netx ``.net`` file of `net` (an HDF5 file built in memory)."""
    with h5py.File("model.net", "w", driver="core", backing_store=False) as f:
        f.attrs.update({"snnc_format": FORMAT, "snnc_name": net.name, "snnc_input_name": net.input_name,
                        "snnc_input_dtype": net.input_dtype, "snnc_input_message_bits": net.input_message_bits,
                        "snnc_output_name": net.output_name, "snnc_output_shape": _ints(net.output_shape),
                        "snnc_timesteps": -1 if net.timesteps is None else net.timesteps,
                        "snnc_notes": json.dumps(net.notes)})
        layers = f.create_group("layer")
        g = layers.create_group("0")
        _string(g, "type", "input")
        g.create_dataset("shape", data=_ints(net.input_shape))
        i = 1
        for layer in net.layers:
            if layer.flatten:
                g = layers.create_group(str(i))
                _string(g, "type", "flatten")
                g.create_dataset("shape", data=_ints([int(np.prod(layer.in_shape))]))
                i += 1
            _write_layer(layers.create_group(str(i)), layer)
            i += 1
        f.flush()
        return f.id.get_file_image()


def _write_layer(g, layer: Layer):
    kind = "dense" if layer.kind == "dense" else "conv"
    _string(g, "type", kind)
    g.create_dataset("shape", data=_ints(layer.shape))
    g.create_dataset("weight", data=layer.weight.astype(np.int16))
    if layer.bias is not None:
        g.create_dataset("bias", data=layer.bias.astype(np.int16))
    if kind == "dense":
        g.create_dataset("inFeatures", data=int(layer.weight.shape[1]))
        g.create_dataset("outFeatures", data=int(layer.weight.shape[0]))
    else:
        g.create_dataset("inChannels", data=int(layer.in_shape[0]))
        g.create_dataset("outChannels", data=int(layer.weight.shape[0]))
        g.create_dataset("kernelSize", data=_ints(layer.weight.shape[2:]))
        g.create_dataset("stride", data=_ints(layer.stride))
        g.create_dataset("padding", data=_ints(layer.padding))
        g.create_dataset("dilation", data=_ints(layer.dilation))
        g.create_dataset("groups", data=int(layer.groups))
    n = layer.neuron
    ng = g.create_group("neuron")
    _string(ng, "type", "CUBA")
    for key, value in zip(NEURON_FIELDS, (n.i_decay, n.v_decay, n.vth_mant, n.ref_delay)):
        ng.create_dataset(key, data=int(value))
    ng.create_dataset("gradedSpike", data=bool(n.graded))
    g.attrs.update({"snnc_name": layer.name, "snnc_kind": layer.kind, "snnc_in_shape": _ints(layer.in_shape),
                    "snnc_weight_exp": layer.weight_exp, "snnc_unit": float(layer.unit),
                    "snnc_spiking": bool(n.spiking), "snnc_planes": int(layer.planes),
                    "snnc_sources": json.dumps(list(layer.sources)),
                    "snnc_notes": json.dumps(layer.notes)})
    if layer.readout is not None:
        g.attrs.update({"snnc_probe": layer.readout.probe, "snnc_gain": layer.readout.gain.astype(np.float64),
                        "snnc_bias": layer.readout.bias.astype(np.float64)})


def _text(ds) -> str:
    value = ds[()]
    if isinstance(value, np.ndarray) and value.shape:
        value = value[0]
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


def read_net(path) -> Network:
    """Rebuild the `Network` from a ``.net`` file written by `write_net`."""
    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise TargetError(f"cannot read the Loihi network {path}: {e}") from None
    with f:
        if f.attrs.get("snnc_format") != FORMAT:
            raise TargetError(f"{path} is not a netx file written by snnc's loihi target (format {FORMAT}); "
                              f"compile the model again")
        groups = f["layer"]
        order = sorted(groups, key=int)
        layers, flatten = [], False
        for key in order[1:]:
            g = groups[key]
            kind = _text(g["type"])
            if kind == "flatten":
                flatten = True
                continue
            layers.append(_read_layer(g, flatten))
            flatten = False
        a = f.attrs
        T = int(a["snnc_timesteps"])
        return Network(name=str(a["snnc_name"]), input_name=str(a["snnc_input_name"]),
                       input_shape=tuple(int(d) for d in groups[order[0]]["shape"][()]),
                       input_dtype=str(a["snnc_input_dtype"]),
                       input_message_bits=int(a["snnc_input_message_bits"]), layers=layers,
                       output_name=str(a["snnc_output_name"]),
                       output_shape=tuple(int(d) for d in a["snnc_output_shape"]),
                       timesteps=None if T < 0 else T, notes=json.loads(a["snnc_notes"]))


def _read_layer(g, flatten: bool) -> Layer:
    a = g.attrs
    ng = g["neuron"]
    neuron = Neuron(*(int(ng[k][()]) for k in NEURON_FIELDS), graded=bool(ng["gradedSpike"][()]),
                    spiking=bool(a["snnc_spiking"]))
    conv = {}
    if _text(g["type"]) == "conv":
        conv = {"stride": tuple(int(v) for v in g["stride"][()]), "padding": tuple(int(v) for v in g["padding"][()]),
                "dilation": tuple(int(v) for v in g["dilation"][()]), "groups": int(g["groups"][()])}
    readout = None
    if "snnc_probe" in a:
        readout = Readout(str(a["snnc_probe"]), np.asarray(a["snnc_gain"], np.float64),
                          np.asarray(a["snnc_bias"], np.float64))
    return Layer(name=str(a["snnc_name"]), kind=str(a["snnc_kind"]),
                 shape=tuple(int(d) for d in g["shape"][()]),
                 in_shape=tuple(int(d) for d in a["snnc_in_shape"]),
                 weight=g["weight"][()].astype(np.int64), neuron=neuron,
                 bias=g["bias"][()].astype(np.int64) if "bias" in g else None, flatten=flatten,
                 weight_exp=int(a["snnc_weight_exp"]), unit=float(a["snnc_unit"]), readout=readout,
                 sources=tuple(json.loads(a["snnc_sources"])), notes=json.loads(a["snnc_notes"]),
                 planes=int(a["snnc_planes"]), **conv)
