"""The pass protocol and registry.

A pass is a small frozen dataclass with a kebab-case `name` and one
`apply(graph) -> Graph` method; its fields are its options, so a pipeline can
be written as a string: ``fold-batchnorm,integerize{frac_bits=8}``. Every pass
takes valid IR and returns valid IR (the pass manager verifies after each).
Passes import `snnc.ir` only.
"""
from __future__ import annotations

import dataclasses
from typing import ClassVar

from snnc.ir import Graph

PASSES: dict[str, type["Pass"]] = {}


def register(cls):
    """Class decorator: add a pass to the registry under its `name`."""
    if cls.name in PASSES:
        raise ValueError(f"pass {cls.name!r} registered twice")
    PASSES[cls.name] = cls
    return cls


@dataclasses.dataclass(frozen=True)
class Pass:
    name: ClassVar[str]

    def apply(self, graph: Graph) -> Graph:
        raise NotImplementedError

    def spec(self) -> str:
        """The pipeline text that recreates this pass with its options."""
        opts = [f"{f.name}={_fmt(getattr(self, f.name))}" for f in dataclasses.fields(self)
                if getattr(self, f.name) != f.default]
        return self.name + ("{" + ",".join(opts) + "}" if opts else "")


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
