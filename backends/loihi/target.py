"""The `loihi` target: a lava-dl netx network, its core mapping, and a bit-accurate Loihi simulator.

Pipeline (`PIPELINE`): batch normalization folded, static scale / affine ops folded into their
synapses, multi-bit spikes (IE-LIF) as D binary spike planes, max pooling of spikes as sum
pooling + threshold (an OR), then dce; ``ptq{collapse=true}`` comes first with
``temporal_weights="collapse"``. The target quantizes that float graph itself (`build.py`,
`quantize.py`) rather than the integerized graph: Loihi's constants (one threshold and decay
per layer, 8-bit weight mantissas, 12-bit decays, values in units of 2^-6) are then rounded
once from the trained values instead of a second time from integerize's fixed-point
constants (which use other shifts and a floor rounding), which gives spikes at least as close
to the snnc integer graph (measured by `fidelity.compare`).

Multi-bit spikes travel as binary planes, not as netx graded spikes, whose payload is a
voltage rather than a rounded count; integer inputs (direct-encoded images) are sent as
graded spikes (Loihi 2, ``input_message_bits``).

Artifacts: ``model.net`` (netx HDF5), ``mapping.json`` and ``mapping.md``. `open()` reads
``model.net`` back and runs it on the simulator; its outputs are the Loihi model's (a
readout in real units, or spikes), which approximate the float graph — they are not
bit-equal to the reference interpreter.
"""
from __future__ import annotations

from pathlib import Path

from snnc.ir import Graph

from ..target import Target, TargetError, register
from . import lava_runner
from .build import REFUSED, UNPREPARED, build_network
from .mapping import map_network
from .netx import net_bytes, read_net
from .network import Network
from .options import COLLAPSE_PASS, LoihiOptions
from .report import render_reports
from .simulator import SimResult, simulate

PIPELINE = "fold-batchnorm,fold-scale,lower-multispike{mode=binary},spike-maxpool-to-sumpool,dce"
NET_FILE = "model.net"


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
    # the float ops of the prepared graph; add and sumpool2d only as the patterns of `build.py`
    ops = frozenset({"input", "output", "linear", "conv2d", "scale", "affine", "lif", "plif", "if", "cuba_lif",
                     "threshold", "li", "maxpool2d", "sumpool2d", "add", "flatten", "reshape"})
    lowers = frozenset({"batchnorm", "multispike"})
    time_varying_weights = False
    integer = False
    default_pipeline = PIPELINE
    exact = False                 # Loihi's CUBA arithmetic, not the snnc integer graph's
    arithmetic = "Loihi CUBA fixed point"
    golden = "its bit-accurate Loihi simulator"
    pattern_ops = frozenset({"add", "sumpool2d"})
    Options = LoihiOptions
    artifacts = {"netx": NET_FILE, "mapping": "mapping.json", "mapping_table": "mapping.md",
                 "lava_runner": lava_runner.SCRIPT, "lava_readout": lava_runner.READOUT}

    def pipeline(self, opts: LoihiOptions) -> str:
        """The pipeline for these options: ``temporal_weights="collapse"`` prepends the collapse."""
        opts = self.options(opts)
        return (COLLAPSE_PASS + "," if opts.temporal_weights == "collapse" else "") + self.default_pipeline

    def reference_run(self, graph: Graph, x, opts=None):
        """The golden model of this target: the bit-accurate Loihi simulator on the network built
        from `graph` (the emitted .net file must reproduce it exactly)."""
        return LoihiRunner(build_network(graph, self.options(opts))).run(x)

    def refusal(self, node) -> str:
        return REFUSED.get(node.op) or UNPREPARED.get(node.op) or super().refusal(node)

    def check_graph(self, graph: Graph, opts: LoihiOptions) -> None:
        map_network(build_network(graph, opts), opts)        # refuses a model that does not fit

    def render(self, graph: Graph, opts: LoihiOptions) -> dict[str, str | bytes]:
        net = build_network(graph, opts)
        return {NET_FILE: net_bytes(net), **render_reports(net, map_network(net, opts), opts.chip),
                **lava_runner.render_runner(net, NET_FILE, graph.inputs[0].attrs.get("scale", 1.0))}

    def open(self, out_dir: Path | None, graph: Graph, opts: LoihiOptions) -> LoihiRunner:
        if out_dir is None:
            return LoihiRunner(build_network(graph, opts))
        path = Path(out_dir) / NET_FILE
        if not path.is_file():
            raise TargetError(f"{path} does not exist; emit the loihi target into {out_dir} first")
        return LoihiRunner(read_net(path))
