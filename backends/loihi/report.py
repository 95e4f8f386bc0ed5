"""The mapping report: ``mapping.json`` (the `Mapping` plus each layer's Loihi constants) and
``mapping.md``, rendered from ``templates/loihi/mapping.md.j2`` (loaded from the installed
package, `StrictUndefined`). Names that reach the Markdown are sanitized (no table or code
delimiters, no line breaks, no HTML)."""
from __future__ import annotations

import json
import re

import numpy as np

from snnc.version import VERSION

from ..common.templates import environment
from . import lava_runner
from .mapping import Mapping
from .network import Layer, Network

SCHEMA_ID = "snnc-loihi-mapping-1"
_ESCAPES = {"`": "'", "|": "\\|", "\r": " ", "\n": " ", "<": "&lt;", ">": "&gt;", "&": "&amp;"}
_UNSAFE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")


def md(text) -> str:
    """Text safe inside a Markdown table cell: no code or table delimiters, line breaks or HTML."""
    return _UNSAFE.sub(lambda m: _ESCAPES[m.group()], str(text))[:300]


def _range(a: np.ndarray | None) -> str:
    return "—" if a is None or not a.size else f"[{int(a.min())}, {int(a.max())}]"


def layer_constants(layer: Layer) -> dict:
    n = layer.neuron
    return {"name": layer.name, "kind": layer.kind, "i_decay": n.i_decay, "v_decay": n.v_decay,
            "vth_mant": n.vth_mant, "ref_delay": n.ref_delay, "graded_spike": n.graded, "spiking": n.spiking,
            "weight_exp": layer.weight_exp, "weight_range": _range(layer.weight),
            "bias_range": _range(layer.bias), "unit": float(layer.unit),
            "readout": None if layer.readout is None else layer.readout.probe,
            "sources": list(layer.sources), "notes": list(layer.notes)}


def mapping_json(net: Network, mapping: Mapping, chip: str = "loihi1") -> dict:
    """The document ``mapping.json`` holds; ``mapping.schema.json`` (beside this module) describes it."""
    return {"schema": SCHEMA_ID, "chip": chip, "model": net.name, "input": {"name": net.input_name, "shape": list(net.input_shape),
                                         "dtype": net.input_dtype, "message_bits": net.input_message_bits},
            "delay_steps": net.delay, "timesteps": net.timesteps, **mapping.as_dict(),
            "compartments": [layer_constants(layer) for layer in net.layers], "network_notes": list(net.notes)}


def render_markdown(net: Network, mapping: Mapping, chip: str = "loihi1") -> str:
    quant = []
    for layer in net.layers:
        c = layer_constants(layer)
        c["name"] = md(c["name"])
        c["unit"] = f"{c['unit']:.6g}"
        c["readout"] = {"u": "host reads u", "v": "host reads v", "s": "spikes", None: "—"}[c["readout"]]
        quant.append(c)
    layers = []
    for m in mapping.layers:
        layers.append({**{k: getattr(m, k) for k in (
            "kind", "neurons", "fan_in", "synapses", "nonzero_synapses", "weight_bits", "cores",
            "compartments_per_core", "max_input_axons", "max_output_axons", "max_synapse_bits")},
            "name": md(m.name), "shape": "×".join(map(str, m.shape)), "chips": ", ".join(map(str, m.chips))})
    chips = [{"chip": c["chip"], "cores": c["cores"], "layers": ", ".join(f"`{md(n)}`" for n in c["layers"])}
             for c in mapping.chips]
    notes = [md(x) for x in net.notes + mapping.notes]
    notes += [f"{md(layer.name)}: {md(note)}" for layer in net.layers for note in layer.notes]
    last, order = net.output_layer, "[" + ", ".join("CHW"[-len(net.input_shape):]) + "]"
    probe, scaled = lava_runner.readout_kind(net)
    return environment().get_template("loihi/mapping.md.j2").render(
        name=md(net.name), version=VERSION, message_bits=net.input_message_bits, delay=net.delay,
        input_order=order if len(net.input_shape) == 3 else "[N]",
        lava_input_order="(" + ", ".join(reversed(order[1:-1].split(", "))) + ")" if len(net.input_shape) == 3
        else "(N,)", readout_text=lava_runner.probe_text(last, probe, scaled), readout_scaled=scaled,
        timesteps=net.timesteps if net.timesteps else "T",
        limits=mapping.limits, layers=layers, chips=chips, chip=chip, total_cores=mapping.total_cores, chips_needed=mapping.chips_needed,
        fits=mapping.fits, quant=quant, notes=notes)


def render_reports(net: Network, mapping: Mapping, chip: str = "loihi1") -> dict[str, str]:
    """``mapping.json`` and ``mapping.md`` by file name (`chip`: the generation whose limits apply)."""
    return {"mapping.json": json.dumps(mapping_json(net, mapping, chip), indent=2) + "\n",
            "mapping.md": render_markdown(net, mapping, chip)}
