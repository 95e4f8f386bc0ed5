"""The `loihi` target: a lava-dl netx network, its core mapping, and a bit-accurate Loihi simulator.

Pipeline: the float graph with batch normalization folded (``fold-batchnorm,dce``), preceded
by ``ptq{collapse=true}`` when ``temporal_weights="collapse"``. The target quantizes that float
graph itself (`lowering.py`, `quantize.py`) rather than the integerized graph: Loihi's
constants (one threshold and decay per layer, 8-bit weight mantissas, 12-bit decays, values in
units of 2^-6) are then rounded once from the trained values instead of a second time from
integerize's fixed-point constants (which use other shifts and a floor rounding), which gives
spikes at least as close to the snnc integer graph (measured by `fidelity.compare`).

Multi-bit spikes (IE-LIF) are sent as D binary spike planes (see `lowering.py`), not as
netx graded spikes, whose payload is a voltage rather than a rounded count; integer inputs
(direct-encoded images) are sent as graded spikes (Loihi 2, ``input_message_bits``).

Artifacts: ``model.net`` (netx HDF5), ``mapping.json`` and ``mapping.md``. `load()` reads
``model.net`` back and runs it on the simulator; its outputs are the Loihi model's (a
readout in real units, or spikes), which approximate the float graph — they are not
bit-equal to the reference interpreter.
"""
from __future__ import annotations

from pathlib import Path

from snnc.ir import Graph

from ..target import Target, register
from .lowering import build_network
from .mapping import map_network
from .netx import read_net, write_net
from .network import Network
from .options import COLLAPSE_PASS, LoihiOptions
from .report import write_reports
from .simulator import SimResult, simulate

FLOAT_OPS = frozenset({"input", "output", "linear", "conv2d", "scale", "affine", "lif", "plif", "if",
                       "cuba_lif", "threshold", "li", "maxpool2d", "flatten", "reshape"})


class LoihiRunner:
    """run(x): the simulated Loihi network's output for raw input x [T, B, ...]."""

    def __init__(self, network: Network):
        self.network = network

    def run(self, x):
        return simulate(self.network, x).output

    def simulate(self, x) -> SimResult:
        """Output plus every layer's aligned spikes and probes."""
        return simulate(self.network, x)


@register
class LoihiTarget(Target):
    name = "loihi"
    description = ("lava-dl netx network of CUBA layers (model.net), core mapping (mapping.json, mapping.md) "
                   "and a bit-accurate simulator of Loihi's fixed-point CUBA model")
    ops = FLOAT_OPS
    integer = False
    default_pipeline = "fold-batchnorm,dce"
    features = {"time-varying weights": False, "multi-bit spikes": True, "conv": True, "attention": False}
    exact = False                 # Loihi's CUBA arithmetic, not the snnc integer graph's
    options_type = LoihiOptions

    def reference_run(self, graph: Graph, x, options: dict):
        """The golden model of this target: the bit-accurate Loihi simulator on the network built
        from `graph` (the emitted .net file must reproduce it exactly)."""
        return LoihiRunner(build_network(graph, LoihiOptions.parse(options))).run(x)

    def pipeline(self, options: dict) -> str:
        """The pipeline for these options: ``temporal_weights="collapse"`` prepends the collapse."""
        opts = LoihiOptions.parse(options)
        prefix = COLLAPSE_PASS + "," if opts.temporal_weights == "collapse" else ""
        return prefix + self.default_pipeline

    def check(self, graph: Graph) -> None:
        build_network(graph, LoihiOptions())

    def emit(self, graph: Graph, out_dir: Path, options: dict) -> dict[str, Path]:
        opts = LoihiOptions.parse(options)
        net = build_network(graph, opts)
        mapping = map_network(net, opts)           # refuses a model that does not fit before writing
        out_dir = Path(out_dir)
        arts = {"netx": write_net(net, out_dir / "model.net")}
        arts.update(write_reports(net, mapping, out_dir))
        return arts

    def load(self, out_dir, graph: Graph, options: dict) -> LoihiRunner:
        opts = LoihiOptions.parse(options)
        if out_dir is not None and (Path(out_dir) / "model.net").is_file():
            return LoihiRunner(read_net(Path(out_dir) / "model.net"))
        return LoihiRunner(build_network(graph, opts))
