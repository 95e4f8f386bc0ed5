"""Fuzzing the parser: random text, random bytes and random mutations of valid files may
only ever raise ParseError (with a line and column) or VerifyError (naming a node or the
graph) — never another exception."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from snnc.ir import ParseError, VerifyError, parse, print_graph

HEAD = "snnir 1\ngraph g\n"
TOKENS = list('%@()[]{}=,:#"\\\n\t <>-+.0123456789eE_xyz') + [
    "spike", "f32", "int<8>", "uint<3>", "fixed<8,2>", "true", "false", "none", "inf", "nan", "param", "graph",
    "snnir 1", "linear", "lif", "input", "output", "add", "%x", "@w", "1e999", "9" * 45, "\x00", "é", "\r\n",
    "\ud800", "(1,)", '"s"', "shape", "dtype", "weight", "threshold"]
NUMBERS = ["0", "-1", "2", "64", "65", "1.5", "-0.0", "nan", "inf", "1e999", "100000", "9223372036854775808",
           "-9223372036854775809", "99999999999999999999999"]


def check(text, params=None):
    try:
        parse(text, params)
    except ParseError as e:
        assert e.line is None or (e.line >= 1 and e.column >= 1), e
        assert str(e)
    except VerifyError as e:
        assert str(e)


@settings(max_examples=150)
@given(st.text())
def test_random_text(text):
    check(text)


@settings(max_examples=150)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_random_token_soup(text):
    check(text)
    check(HEAD + text)


@settings(max_examples=100)
@given(st.binary(max_size=200))
def test_random_bytes(data):
    check(data)
    check(HEAD.encode() + data)


def mutate(text: str, data) -> str:
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["delete", "insert", "replace", "truncate", "duplicate_line", "swap_lines",
                                          "number", "number"]))
        i = data.draw(st.integers(0, len(text)))
        if kind == "delete":
            text = text[:i] + text[i + data.draw(st.integers(1, 12)):]
        elif kind == "insert":
            text = text[:i] + data.draw(st.sampled_from(TOKENS)) + text[i:]
        elif kind == "replace":
            text = text[:i] + data.draw(st.sampled_from(TOKENS)) + text[i + 1:]
        elif kind == "truncate":
            text = text[:i]
        elif kind == "number":
            spots = list(re.finditer(r"(?<![A-Za-z<_.@%])\d+(\.\d+)?(e-?\d+)?", text))
            if spots:
                m = spots[data.draw(st.integers(0, len(spots) - 1))]
                text = text[:m.start()] + data.draw(st.sampled_from(NUMBERS)) + text[m.end():]
        else:
            lines = text.split("\n")
            a, b = (data.draw(st.integers(0, len(lines) - 1)) for _ in range(2))
            if kind == "duplicate_line":
                lines.insert(a, lines[b])
            else:
                lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    return text


@settings(max_examples=400)
@given(strategies.graphs(integer=True, ops=set(strategies.FLOAT_OPS + strategies.INTEGER_OPS
                                                + strategies.EXTRA_OPS["float"])), st.data())
def test_mutated_valid_files(g, data):
    check(mutate(print_graph(g), data), g.params)


@settings(max_examples=60)
@given(strategies.graphs(integer=True), st.data())
def test_mismatched_arrays(g, data):
    params = dict(g.params)
    if params:
        key = data.draw(st.sampled_from(sorted(params)))
        change = data.draw(st.sampled_from(["drop", "shape", "dtype", "extra"]))
        if change == "drop":
            params.pop(key)
        elif change == "shape":
            params[key] = np.zeros(params[key].shape + (2,), params[key].dtype)
        elif change == "dtype":
            params[key] = params[key].astype(np.float64 if params[key].dtype != np.float64 else np.int8)
        else:
            params["extra.array"] = np.zeros(3, np.float32)
        with pytest.raises(ParseError):
            parse(print_graph(g), params)
    check(mutate(print_graph(g), data), params)
