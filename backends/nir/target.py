"""The `nir` target: the FLOAT graph as a NIR file (``model.nir``, `nir.write`).

Pipeline ``fold-batchnorm,lower-multispike{mode=binary},dce``: NIR has no batch normalization
and no multi-bit spikes (IE-LIF's spike counts become D binary threshold planes whose consumers
are repeated and summed — exact); ``ptq{collapse=true}`` comes first with
``temporal_weights="collapse"`` (NIR weights are static).
The graph is written with `snnc.ir.to_nir` after `lowering.lower_for_nir` (max pooling of
spikes as sum pooling + threshold); the file records dt (graph and neuron metadata,
β = 1 − dt/τ) and each neuron's reset rule, comparison and v_reset (node metadata), and
passes NIR's type check. `load()` reads the file back (`nir.read`, `snnc.ir.from_nir`) and
runs it on the reference interpreter, so `run()` proves the file holds the whole model:
its outputs equal the reference interpreter's on the float graph.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import nir

from snnc.ir import Graph, IRError, from_nir, to_nir

from ..reference import run as reference_run
from ..target import Target, TargetError, register
from .lowering import lower_for_nir

FILE = "model.nir"
OPTIONS = ("temporal_weights",)
COLLAPSE_PASS = "ptq{collapse=true}"
TEMPORAL_HINT = ('; or compile with temporal_weights="collapse" (CLI --temporal-weights=collapse) to make '
                 f"static ternary weights ({COLLAPSE_PASS}; it costs accuracy)")


def parse_options(options: dict | None) -> dict:
    options = dict(options or {})
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise TargetError(f"unknown nir target option(s) {', '.join(unknown)}; the nir target takes: "
                          f"{', '.join(OPTIONS)}")
    tw = options.setdefault("temporal_weights", "keep")
    if tw not in ("keep", "collapse"):
        raise TargetError(f"nir option temporal_weights={tw!r}; expected 'keep' or 'collapse'")
    return options


def export(graph: Graph):
    """The `nir.NIRGraph` of a float graph, or a `TargetError` naming the node and the way out."""
    try:
        return to_nir(lower_for_nir(graph))
    except IRError as e:
        hint = TEMPORAL_HINT if "time-varying" in str(e) else ""
        raise TargetError(f"target nir: {e}{hint}") from None


class NirRunner:
    """Runs the graph read back from the NIR file on the reference interpreter."""

    def __init__(self, graph: Graph):
        self.graph = graph

    def run(self, x):
        return reference_run(self.graph, x)


def read_back(path: Path) -> Graph:
    return from_nir(nir.read(str(path)))


@register
class NirTarget(Target):
    name = "nir"
    description = "the float graph as a NIR file (model.nir), read back and run by the reference interpreter"
    ops = frozenset({"input", "output", "linear", "conv2d", "scale", "add", "threshold", "flatten", "reshape",
                     "sumpool2d", "avgpool2d", "maxpool2d", "lif", "plif", "if", "li", "cuba_lif", "affine"})
    integer = False
    default_pipeline = "fold-batchnorm,lower-multispike{mode=binary},dce"
    features = {"time-varying weights": False, "multi-bit spikes": True, "conv": True, "attention": False}

    def option_names(self) -> frozenset[str]:
        return frozenset(OPTIONS)

    def pipeline(self, options: dict) -> str:
        """The pipeline for these options: ``temporal_weights="collapse"`` prepends the collapse."""
        opts = parse_options(options)
        prefix = COLLAPSE_PASS + "," if opts["temporal_weights"] == "collapse" else ""
        return prefix + self.default_pipeline

    def check(self, graph: Graph) -> None:
        export(graph)

    def emit(self, graph: Graph, out_dir: Path, options: dict) -> dict[str, Path]:
        parse_options(options)
        path = Path(out_dir) / FILE
        nir.write(str(path), export(graph))
        return {"nir": path}

    def load(self, out_dir, graph: Graph, options: dict) -> NirRunner:
        parse_options(options)
        if out_dir is not None and (Path(out_dir) / FILE).is_file():
            return NirRunner(read_back(Path(out_dir) / FILE))
        with tempfile.TemporaryDirectory(prefix="snnc-nir-") as tmp:
            path = Path(tmp) / FILE
            nir.write(str(path), export(graph))
            return NirRunner(read_back(path))
