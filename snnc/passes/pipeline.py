"""Pipelines: parse ``"a,b{opt=1,flag=true}"`` into passes, and run them with
verification after every pass, optional printing after chosen passes, and
per-pass timing."""
from __future__ import annotations

import dataclasses
import re
import sys
import time
import typing
from dataclasses import dataclass, field

from snnc.errors import ConfigError
from snnc.ir import Graph, VerifyError, print_graph, verify

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
    if name not in PASSES:
        raise ConfigError(f"unknown pass {name!r}; known passes: {', '.join(sorted(PASSES))}")
    cls = PASSES[name]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for item in filter(None, (s.strip() for s in options.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not eq or key not in fields:
            known = ", ".join(f"{k}={_show(f.default)}" for k, f in fields.items()) or "none"
            raise ConfigError(f"pass {name}: bad option {item!r}; options (with defaults): {known}")
        kwargs[key] = _convert(name, key, value.strip(), hints.get(key, str))
    return cls(**kwargs)


def _show(v):
    return "true" if v is True else "false" if v is False else v


def _convert(pass_name, key, value, hint):
    try:
        if hint is bool:
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return value.lower() in ("true", "1")
        if hint is int:
            return int(value)
        if hint is float:
            return float(value)
        return value.strip("'\"")
    except ValueError:
        raise ConfigError(f"pass {pass_name}: option {key}={value!r} is not a valid "
                          f"{getattr(hint, '__name__', hint)}") from None


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
