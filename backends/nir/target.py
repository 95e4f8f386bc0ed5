"""The `nir` target: the FLOAT graph as a NIR file (``model.nir``, `nir.write`).

Pipeline ``fold-batchnorm,lower-multispike{mode=binary},spike-maxpool-to-sumpool,dce``: NIR has
no batch normalization, no multi-bit spikes (IE-LIF's spike counts become D binary threshold
planes whose consumers are repeated and summed — exact) and no max pooling (of spikes it is sum
pooling + threshold, the pass shared with the loihi target); ``ptq{collapse=true}`` comes first
with ``temporal_weights="collapse"`` (NIR weights are static).
The graph is written with `exporter.to_nir` and, in the default ``nir_dialect=portable``,
rewritten by `portable.portable` into the node types other tools import (``nir_dialect=full``
keeps snnc's graph and metadata, which snnc reads back exactly); the file records dt (graph and neuron metadata,
β = 1 − dt/τ) and each neuron's reset rule, comparison and v_reset (node metadata), and
passes NIR's type check. Reading a NIR file into the IR is the frontend's job
(`snnc.frontend.nir_import`, which backends may not import): `open()` reads the file back
with `nir.read` (NIR's type check), refuses it unless it holds exactly the NIR graph this
graph exports to, and runs the graph on the reference interpreter. That the import of such
a file gives the graph back, bit for bit, is the bridge's round-trip property (tested).
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import nir

from snnc.ir import Graph, IRError

from ..reference import run as reference_run
from ..target import Target, TargetError, register
from .exporter import to_nir
from .portable import portable
from .same import same_nir_graph

FILE = "model.nir"
COLLAPSE_PASS = "ptq{collapse=true}"
TEMPORAL_HINT = ('; or compile with temporal_weights="collapse" (CLI --temporal-weights=collapse) to make '
                 f"static ternary weights ({COLLAPSE_PASS}; it costs accuracy)")


@dataclass(frozen=True)
class NirOptions:
    """``temporal_weights``: "keep" (time-varying weights are refused, naming the way out) or
    "collapse" (the pipeline starts with ``ptq{collapse=true}``: static ternary weights).
    ``nir_dialect``: "portable" (only node types snnTorch, SpikingJelly and Norse import;
    `portable`) or "full" (snnc's own graph and metadata, read back by snnc exactly)."""
    temporal_weights: Literal["keep", "collapse"] = "keep"
    nir_dialect: Literal["portable", "full"] = "portable"


def export(graph: Graph, dialect: str = "full") -> nir.NIRGraph:
    """The `nir.NIRGraph` of a float graph in `dialect`, or a `TargetError` naming the node and the
    way out."""
    try:
        full = to_nir(graph)
        return portable(full, graph) if dialect == "portable" else full
    except IRError as e:
        hint = TEMPORAL_HINT if "time-varying" in str(e) else ""
        raise TargetError(f"target nir: {e}{hint}") from None


class NirRunner:
    """Runs the graph whose NIR file was checked on the reference interpreter."""

    def __init__(self, graph: Graph):
        self.graph = graph

    def run(self, x):
        return reference_run(self.graph, x)


def read_checked(path: Path, graph: Graph, dialect: str = "full") -> nir.NIRGraph:
    """The NIR graph in `path` (`nir.read`, type-checked), which must be what `graph` exports to."""
    try:
        back = nir.read(str(path))
        nir.NIRGraph(nodes=back.nodes, edges=back.edges, metadata=back.metadata, type_check=True)
    except (OSError, KeyError, ValueError, TypeError, AssertionError) as e:
        raise TargetError(f"{path}: not a readable, type-correct NIR file ({e}); emit the nir target again") \
            from None
    if not same_nir_graph(back, export(graph, dialect)):
        raise TargetError(f"{path} does not hold the NIR graph of this model (another model's file, or edited); "
                          f"emit the nir target again")
    return back


@register
class NirTarget(Target):
    name = "nir"
    description = "the float graph as a NIR file (model.nir), read back and run by the reference interpreter"
    ops = frozenset({"input", "output", "linear", "conv2d", "scale", "add", "threshold", "flatten", "reshape",
                     "sumpool2d", "avgpool2d", "maxpool2d", "lif", "plif", "if", "li", "cuba_lif", "affine"})
    lowers = frozenset({"batchnorm", "multispike"})
    time_varying_weights = False
    integer = False
    golden = "reference, on the file read back"
    default_pipeline = "fold-batchnorm,lower-multispike{mode=binary},spike-maxpool-to-sumpool,dce"
    Options = NirOptions
    artifacts = {"nir": FILE}

    def pipeline(self, opts: NirOptions) -> str:
        """The pipeline for these options: ``temporal_weights="collapse"`` prepends the collapse."""
        prefix = COLLAPSE_PASS + "," if opts.temporal_weights == "collapse" else ""
        return prefix + self.default_pipeline

    def check_graph(self, graph: Graph, opts: NirOptions) -> None:
        export(graph, opts.nir_dialect)

    def render(self, graph: Graph, opts: NirOptions) -> dict[str, bytes]:
        with tempfile.TemporaryDirectory(prefix="snnc-nir-") as tmp:
            path = Path(tmp) / FILE
            nir.write(str(path), export(graph, opts.nir_dialect))
            return {FILE: path.read_bytes()}

    def open(self, out_dir: Path | None, graph: Graph, opts: NirOptions) -> NirRunner:
        if out_dir is None:
            with self.rendered(graph, opts) as tmp:
                return self.open(tmp, graph, opts)
        path = Path(out_dir) / FILE
        if not path.is_file():
            raise TargetError(f"{path} does not exist; emit the nir target into {out_dir} first")
        read_checked(path, graph, opts.nir_dialect)
        return NirRunner(graph)
