"""The target contract and registry.

A target is one registered `Target` subclass that declares

* `name`, `description`, and its op table `ops` (the ops it implements; `lowers`
  names the ops its own pipeline rewrites away, so it accepts them too);
* `Options`: a frozen dataclass whose fields are the target's option names, typed
  (`snnc.ir.options` parses them the same way for the API, the CLI and passes). An
  `Options` class may define `resolved(self, graph) -> Options` for the checks and
  defaults that need the graph (it raises `TargetError`);
* `pipeline(opts)`: the passes that prepare a float graph for it;
* `check_graph(graph, opts)`: refuse, before anything is written, what the op table
  cannot say (a `TargetError` that names the node and the ways out);
* `render(graph, opts) -> {relative path: text | bytes}`: pure, writes nothing;
* `open(out_dir, graph, opts)`: a runner whose `run(x)` takes the raw input arrays
  of the graph (`reference.encode_inputs` gives them) and returns the outputs as the
  reference interpreter does; `out_dir` None means: from freshly rendered files;
* `artifacts`: manifest key → relative path of the files (or folders) users open.

The base class parses options (`options`), checks the op table (`check`), writes a
rendering (`write`) and renders into a temporary folder for `open(None, …)`
(`rendered`). Backends import `snnc.ir` and `snnc.backends.common` only — never the
frontend, never torch.
"""
from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
from pathlib import Path
from typing import ClassVar

from snnc.ir import Graph
from snnc.ir.verify import check_widths
from snnc.ir.options import parse_options

TARGETS: dict[str, type["Target"]] = {}


class TargetError(Exception):
    """A graph a target cannot express, an invalid target option, or a failed tool run."""


class ToolNotFoundError(TargetError):
    """A tool the target runs with (a C or C++ compiler) is not installed: the target cannot run here."""


@dataclasses.dataclass(frozen=True)
class NoOptions:
    """The options of a target that takes none."""


def register(cls):
    if cls.name in TARGETS:
        raise ValueError(f"target {cls.name!r} registered twice")
    TARGETS[cls.name] = cls
    return cls


def get_target(name: str) -> "Target":
    try:
        return TARGETS[name]()
    except KeyError:
        raise TargetError(f"unknown target {name!r}; available targets: {', '.join(sorted(TARGETS))}") from None


class Target:
    name: ClassVar[str]
    description: ClassVar[str] = ""
    ops: ClassVar[frozenset[str]] = frozenset()
    # Ops the target's own pipeline rewrites into ops of its table (batchnorm, multispike …).
    lowers: ClassVar[frozenset[str]] = frozenset()
    # True: weights may change at every timestep (a leading T_w axis); False: refused.
    time_varying_weights: ClassVar[bool] = True
    # True: the target implements the deployable integer graph; False: the float graph.
    integer: ClassVar[bool] = True
    default_pipeline: ClassVar[str] = "fold-batchnorm,fold-temporal-scale,integerize,lower-multispike,dce"
    # True: the target reproduces the reference interpreter on its graph exactly. False: it
    # implements other arithmetic by design (Loihi's fixed-point CUBA model), whose own golden
    # model is `reference_run`.
    exact: ClassVar[bool] = True
    # What the target's results are compared with, in words (the capability matrix).
    golden: ClassVar[str] = "reference, bit for bit"
    # Ops of the table accepted only as part of a pattern the target maps as a whole.
    pattern_ops: ClassVar[frozenset[str]] = frozenset()
    Options: ClassVar[type] = NoOptions
    artifacts: ClassVar[dict[str, str]] = {}

    # ------------------------------------------------------------------ options
    def option_names(self) -> frozenset[str]:
        return frozenset(f.name for f in dataclasses.fields(self.Options))

    def options(self, options=None, graph: Graph | None = None):
        """`options` (a dict of raw values, or already an `Options`) parsed and, given a graph, resolved."""
        opts = options if isinstance(options, self.Options) else parse_options(
            f"{self.name} target", self.Options, options, TargetError)
        resolve = getattr(opts, "resolved", None)
        return resolve(graph) if resolve is not None and graph is not None else opts

    def pipeline(self, opts) -> str:
        """The pass pipeline that prepares a float graph for this target (options may change it)."""
        return self.default_pipeline

    # ------------------------------------------------------------------ checking
    @property
    def features(self) -> dict[str, bool]:
        """What the capability matrix shows, derived from the op table."""
        return {"time-varying weights": self.time_varying_weights, "multi-bit spikes": self.accepts("multispike"),
                "conv": self.accepts("conv2d"), "attention": self.accepts("spike_matmul")}

    @property
    def arithmetic(self) -> str:
        return "integer IR" if self.integer else "float IR"

    def op_text(self, op: str) -> str:
        """How the target takes `op`, for the op table."""
        if op in self.pattern_ops:
            return "in patterns"
        return ("yes" if op in self.ops else "integer form" if f"{op}_int" in self.ops
                else "lowered" if op in self.lowers else "—")

    def feature_text(self, feature: str) -> str:
        if feature == "time-varying weights" and not self.time_varying_weights:
            return "no: `--temporal-weights collapse`"
        if feature == "multi-bit spikes" and "multispike" in self.lowers:
            return "as D binary planes"
        return "yes" if self.features[feature] else "no"

    def accepts(self, op: str) -> bool:
        """Whether a float graph with `op` compiles for this target (directly, or through its pipeline)."""
        return op in self.ops or op in self.lowers or f"{op}_int" in self.ops

    def check(self, graph: Graph, opts=None) -> None:
        """Refuse a graph this target cannot express (the integer width rules of `verify` for the
        graph's timesteps, the op table, then `check_graph`)."""
        check_widths(graph)
        opts = self.options(opts)                 # the op table first: it needs no graph-dependent option
        bad = [n for n in graph if n.op not in self.ops]
        if bad:
            n = bad[0]
            more = f" (and {len(bad) - 1} more nodes)" if len(bad) > 1 else ""
            raise TargetError(f"target {self.name} cannot express node %{n.name} (op {n.op}){more}; "
                              f"{self.refusal(n)}")
        self.check_graph(graph, self.options(opts, graph))

    def refusal(self, node) -> str:
        """Why an op outside the table is refused and the way out (targets add their own reasons)."""
        supported = f"it supports: {', '.join(sorted(self.ops))}"
        if self.integer and f"{node.op}_int" in self.ops:
            return (f"it is a float op and the {self.name} target runs the integer graph: compile from the float "
                    f"graph with the default pipeline, which runs integerize ({supported})")
        if not self.integer and node.opdef.integer:
            return (f"it is an integer op and the {self.name} target takes the float graph: compile without "
                    f"integerize (the {self.name} default pipeline) ({supported})")
        return supported

    def check_graph(self, graph: Graph, opts) -> None:
        """Target-specific refusals beyond the op table (none by default)."""

    # ------------------------------------------------------------------ artifacts
    def render(self, graph: Graph, opts) -> dict[str, str | bytes]:
        raise NotImplementedError

    def write(self, graph: Graph, out_dir: Path, opts) -> dict[str, Path]:
        """Render everything first, then write it below `out_dir`; the artifact paths by key."""
        files = self.render(graph, opts)
        out = Path(out_dir)
        for rel, content in files.items():
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return {key: out / rel for key, rel in self.artifact_paths(opts).items()}

    def artifact_paths(self, opts) -> dict[str, str]:
        """Manifest key → path relative to the output folder (the class's `artifacts` by default)."""
        return dict(self.artifacts)

    @contextlib.contextmanager
    def rendered(self, graph: Graph, opts):
        """A temporary folder holding a fresh rendering (removed on exit)."""
        tmp = Path(tempfile.mkdtemp(prefix=f"snnc-{self.name}-"))
        try:
            self.write(graph, tmp, opts)
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def summary(self, graph: Graph, opts) -> list[str]:
        """Lines worth printing after a compile (e.g. the cpu target's kernel per layer); none by default."""
        return []

    # ------------------------------------------------------------------ running
    def open(self, out_dir: Path | None, graph: Graph, opts):
        raise NotImplementedError

    def reference_run(self, graph: Graph, x, opts=None):
        """The golden model the target's artifacts must equal: the reference interpreter on `graph`."""
        from .reference import run
        return run(graph, x)

    # ------------------------------------------------------------------ dict-options entry points
    def emit(self, graph: Graph, out_dir: Path, options=None) -> dict[str, Path]:
        """`write` with raw options: parse, check, render, write."""
        opts = self.options(options, graph)
        self.check(graph, opts)
        return self.write(graph, out_dir, opts)

    def load(self, out_dir: Path | None, graph: Graph, options=None):
        """`open` with raw options."""
        return self.open(None if out_dir is None else Path(out_dir), graph, self.options(options, graph))


def capability_matrix() -> str:
    """The README's capability tables (Markdown), generated from the registered targets: one row per
    target (what it implements, what it equals, the features), then the op table, one row per op."""
    targets = [TARGETS[n]() for n in sorted(TARGETS)]
    features = list(targets[0].features)
    rows = ["| target | implements | exact against | " + " | ".join(features) + " |",
            "|---|---|---|" + "---|" * len(features)]
    for t in targets:
        cells = [t.name, t.arithmetic, t.golden] + [t.feature_text(f) for f in features]
        rows.append("| " + " | ".join(cells) + " |")
    ops = sorted({op.removesuffix("_int") for t in targets for op in t.ops | t.lowers} - {"input", "output"})
    rows += ["", "| op | " + " | ".join(t.name for t in targets) + " |", "|---|" + "---|" * len(targets)]
    rows += [f"| `{op}` | " + " | ".join(t.op_text(op) for t in targets) + " |" for op in ops]
    return "\n".join(rows) + "\n"
