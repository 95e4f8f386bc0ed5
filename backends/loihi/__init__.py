"""snnc.backends.loihi — the `loihi` target: Loihi's CUBA compartments via lava-dl netx.

* `chip`       — the fixed-point conventions of Loihi's compartment (shifts, widths, limits).
* `options`    — `LoihiOptions`, the target's `Options` (temporal_weights, subtract_reset, core and chip
  limits …).
* `network`    — `Network` / `Layer` / `Neuron` / `Readout`: the quantized chain of layers.
* `build`      — the graph prepared by the loihi pipeline → `Network` (`build_network`): patterns to
  netx layers, refusing what Loihi cannot express.
* `quantize`   — one layer's real weights, bias and neuron constants → Loihi integers.
* `netx`       — ``model.net`` (lava-dl netx HDF5): `net_bytes`, `write_net`, `read_net`.
* `simulator`  — `simulate(network, x)`: bit-accurate CUBA dynamics with one step of delay per layer.
* `mapping`    — `map_network`: layers split over cores against per-core and per-chip limits.
* `report`     — ``mapping.json`` and ``mapping.md`` (Jinja template ``templates/loihi/mapping.md.j2``).
* `fidelity`   — `compare(loihi_graph, integer_graph, x, labels)`: how the Loihi model's spikes and
  predictions differ from the snnc integer graph.
* `target`     — `LoihiTarget` (registered as "loihi") and its runner.
"""
from .build import build_network
from .fidelity import Fidelity, compare
from .mapping import Mapping, map_network
from .netx import read_net, write_net
from .network import Layer, Network, Neuron, Readout
from .options import LoihiOptions
from .simulator import SimResult, simulate
from .target import LoihiRunner, LoihiTarget

__all__ = ["compare", "Fidelity", "build_network", "map_network", "Mapping", "read_net", "write_net", "Layer",
           "Network", "Neuron", "Readout", "LoihiOptions", "SimResult", "simulate", "LoihiRunner", "LoihiTarget"]
