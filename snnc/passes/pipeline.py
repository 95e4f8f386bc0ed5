"""Pipelines: parse ``"a,b{opt=1,flag=true}"`` into passes, and run them with
verification after every pass, optional printing after chosen passes, and
per-pass timing."""
from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field

from snnc.errors import ConfigError
from snnc.ir import Graph, VerifyError, print_graph, verify
from snnc.ir.options import OptionText, describe_fields, parse_options

from .base import PASSES, Pass

_ITEM = re.compile(r"\s*([a-z][a-z0-9-]*)\s*(\{([^{}]*)\})?\s*(,|$)")


def parse_pipeline(text: str) -> list[Pass]:
    """`"fold-batchnorm,integerize{frac_bits=8}"` → pass instances (ConfigError on any mistake)."""
    passes: list[Pass] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _ITEM.match(text, pos)
        if not m or m.end() == pos:
            raise ConfigError(f"bad pipeline {text!r} at character {pos + 1}: expected "
                              f"'pass-name' or 'pass-name{{option=value,…}}' separated by commas")
        passes.append(make_pass(m.group(1), m.group(3) or ""))
        pos = m.end()
        if m.group(4) == "," and pos >= len(text):
            raise ConfigError(f"bad pipeline {text!r}: it ends with a comma")
    return passes


def make_pass(name: str, options: str = "") -> Pass:
    """The pass `name` with the options of its ``{key=value,…}`` text (typed by its fields)."""
    if name not in PASSES:
        raise ConfigError(f"unknown pass {name!r}; known passes: {', '.join(sorted(PASSES))}")
    raw = {}
    for item in filter(None, (s.strip() for s in options.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise ConfigError(f"pass {name}: bad option {item!r}; write key=value; the {name} pass takes: "
                              f"{describe_fields(PASSES[name])}")
        if key.strip() in raw:
            raise ConfigError(f"pass {name}: option {key.strip()} is given twice ({key.strip()}={raw[key.strip()]} "
                              f"and {item}); give each option once")
        raw[key.strip()] = OptionText(value.strip())
    return parse_options(f"{name} pass", PASSES[name], raw, ConfigError)


@dataclass
class PassTiming:
    name: str
    seconds: float


@dataclass
class PipelineResult:
    graph: Graph
    timings: list[PassTiming] = field(default_factory=list)


def run_pipeline(graph: Graph, passes: list[Pass] | str, *, print_after: tuple[str, ...] | str = (),
                 stream=None, verify_each: bool = True) -> PipelineResult:
    """Apply `passes` in order to a copy of `graph`, verifying after each.

    `print_after` names passes (or "all") after which the text IR is written to
    `stream` (default stderr). A pass that breaks verification is a bug in the
    pass: the error says which pass produced the invalid IR.
    """
    if isinstance(passes, str):
        passes = parse_pipeline(passes)
    if isinstance(print_after, str):
        print_after = tuple(s.strip() for s in print_after.split(",") if s.strip())
    unknown = [p for p in print_after if p != "all" and p not in PASSES]
    if unknown:
        raise ConfigError(f"--print-after names unknown passes {unknown}; known: {', '.join(sorted(PASSES))}")
    stream = stream or sys.stderr
    if any(getattr(p, "needs_finite", False) for p in passes):
        from .integerize import check_finite
        check_finite(graph)         # before folds spread a NaN into other nodes' constants
    g = graph.copy()
    result = PipelineResult(g)
    for p in passes:
        t0 = time.perf_counter()
        g = p.apply(g) or g
        if verify_each:
            try:
                verify(g)
            except VerifyError as e:
                raise VerifyError(f"after pass {p.spec()}: {e.detail}", node=e.node) from e
        result.timings.append(PassTiming(p.spec(), time.perf_counter() - t0))
        if "all" in print_after or p.name in print_after:
            print(f"// ----- IR after {p.spec()} -----", file=stream)
            print(print_graph(g), file=stream)
    result.graph = g
    return result
