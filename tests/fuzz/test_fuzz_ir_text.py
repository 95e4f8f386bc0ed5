"""Mutated IR text of a deployable integer graph (numbers in the node lines' attributes
and types replaced, flags flipped, nodes dropped): parsing and verifying raise only IR errors; a graph that verifies
runs on the reference (or is refused for its run length) and the C runtime returns exactly the
reference's integers (every accepted graph built into one library)."""
import re
from pathlib import Path

import numpy as np

import snnc
from cpuhelp import cpu_run_many
from fuzzhelp import examples, record, time_limit
from snnc.backends import TargetError, get_target
from snnc.backends.reference import ExecutionError, UnprovenError
from snnc.backends.reference import run as reference_run
from snnc.ir import IRError, parse, print_graph
from snnc.ir.types import parse_dtype

EXAMPLE_IR = Path(__file__).resolve().parents[2] / "examples" / "ir" / "spiking_mlp.snnir"
NUMBERS = ["0", "1", "2", "3", "7", "8", "15", "16", "21", "31", "32", "33", "63", "64", "65", "127", "-1",
           "1000000", "9223372036854775807"]
NUMBER = re.compile(r"(?<=[=<, ])-?\d+(?=[>,)} ])")


def mutate(text: str, rng: np.random.Generator) -> str:
    lines = text.splitlines()
    for _ in range(int(rng.integers(1, 4))):
        nodes = [k for k, ln in enumerate(lines) if ln.startswith("%")] or [len(lines) - 1]
        i = int(rng.choice(nodes))
        kind = rng.choice(["number", "number", "number", "flag", "drop"])
        if kind == "number":
            spots = list(NUMBER.finditer(lines[i]))
            if spots:
                m = spots[int(rng.integers(0, len(spots)))]
                lines[i] = lines[i][:m.start()] + str(rng.choice(NUMBERS)) + lines[i][m.end():]
        elif kind == "flag":
            lines[i] = lines[i].replace("false", "TRUE").replace("true", "false").replace("TRUE", "true")
        else:
            del lines[i]
    return "\n".join(lines) + "\n"


def test_mutated_integer_ir_is_refused_or_exact():
    base = snnc.compile(EXAMPLE_IR, target="cpu").graph
    text, params = print_graph(base), dict(base.params)
    rng = np.random.default_rng(1212)
    accepted = []
    for _ in range(examples(60)):
        with time_limit("ir text"):
            try:
                g = parse(mutate(text, rng), params)
                g.verify()
                get_target("cpu").check(g)
            except (IRError, TargetError) as e:
                record("ir text", type(e).__name__)
                continue
            node = g.inputs[0]
            lo, hi = parse_dtype(node.attrs["dtype"]).range()
            T = int(rng.choice([1, 4, 40]))
            x = rng.integers(lo, hi, (T, 2) + tuple(node.type.shape), endpoint=True)
            try:
                want = reference_run(g, x)
            except UnprovenError:
                record("ir text", "UnprovenError (run longer than proven)")
                continue
            except ExecutionError as e:
                raise AssertionError(f"a verified graph failed on the reference: {e}\n{print_graph(g)}")
            record("ir text", "ran")
            accepted.append((g, x, want))
    with time_limit("ir text (cpu)", 300):
        got = cpu_run_many([(g, x) for g, x, _ in accepted]) if accepted else []
    for (g, x, want), y in zip(accepted, got):
        assert np.array_equal(y, want), f"cpu differs from the reference on\n{print_graph(g)}"
    record("ir text (cpu)", f"equal to the reference ({len(accepted)} graphs)")
