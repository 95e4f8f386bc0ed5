"""The target protocol and registry.

A target is one registered `Target` subclass: a name, the ops and features it
can express, the pipeline that prepares a graph for it, and

* `check(graph)` — refuse, before anything is written, a graph the target cannot
  express, with a `TargetError` naming the node and the ways out;
* `emit(graph, out_dir, options)` — write the artifacts, return their paths;
* `load(out_dir, graph, options)` — a runner whose `run(x)` takes the raw input
  arrays of the graph (`reference.encode_inputs` gives them) and returns the
  outputs as the reference interpreter does.

Backends import `snnc.ir` only — never the frontend, never torch.
"""
from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from snnc.ir import Graph, IRError

TARGETS: dict[str, type["Target"]] = {}


class TargetError(IRError):
    """A graph a target cannot express, an invalid target option, or a failed tool run."""


class ToolNotFoundError(TargetError):
    """A tool the target runs with (a C or C++ compiler) is not installed: the target cannot run here."""


def check_option_names(target: str, options: dict | None, options_type) -> dict:
    """A copy of `options` after refusing any key that is not a field of the `options_type` dataclass."""
    import dataclasses

    options = dict(options or {})
    known = sorted(f.name for f in dataclasses.fields(options_type))
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise TargetError(f"unknown {target} target option(s) {', '.join(unknown)}; "
                          f"the {target} target takes: {', '.join(known)}")
    return options


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
    # True: the target implements the deployable integer graph; False: the float graph.
    integer: ClassVar[bool] = True
    default_pipeline: ClassVar[str] = "fold-batchnorm,fold-temporal-scale,integerize,lower-multispike,dce"
    # Features for the capability matrix (README, `snnc report`).
    features: ClassVar[dict[str, bool]] = {}
    # True: the target reproduces the reference interpreter on its graph exactly. False: it
    # implements other arithmetic by design (Loihi's fixed-point CUBA model), whose own golden
    # model is `reference_run`.
    exact: ClassVar[bool] = True
    # The dataclass of the target's options (its fields are the option names), or None.
    options_type: ClassVar[type | None] = None

    def option_names(self) -> frozenset[str]:
        import dataclasses
        return frozenset(f.name for f in dataclasses.fields(self.options_type)) if self.options_type else frozenset()

    def reference_run(self, graph: Graph, x, options: dict):
        """The golden model the target's artifacts must equal: the reference interpreter on `graph`."""
        from .reference import run
        return run(graph, x)

    def pipeline(self, options: dict) -> str:
        """The pass pipeline that prepares a float graph for this target (options may change it)."""
        return self.default_pipeline

    def check(self, graph: Graph) -> None:
        bad = [n for n in graph if n.op not in self.ops]
        if bad:
            n = bad[0]
            more = f" (and {len(bad) - 1} more nodes)" if len(bad) > 1 else ""
            raise TargetError(f"target {self.name} cannot express node %{n.name} (op {n.op}){more}; "
                              f"it supports: {', '.join(sorted(self.ops))}")

    def emit(self, graph: Graph, out_dir: Path, options: dict) -> dict[str, Path]:
        raise NotImplementedError

    def load(self, out_dir: Path | None, graph: Graph, options: dict):
        raise NotImplementedError
