"""Hostile runtime arrays (wrong shapes, dtypes, NaN, Inf, extreme integers, ragged lists, dicts,
long runs): `reference.run` and `Compiled.run` return a result or raise an
snnc error — never a bare NumPy / Python exception, never a hang."""
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import snnc
from fuzzhelp import examples, record, time_limit
from snnc.backends.reference import run as reference_run
from snnc.errors import SnncError
from snnc.ir import IRError

EXAMPLE_IR = Path(__file__).resolve().parents[2] / "examples" / "ir" / "spiking_mlp.snnir"
SPECIAL = [np.nan, np.inf, -np.inf, 1e300, -1e300, 2 ** 63 - 1, -2 ** 63, 2 ** 64 - 1, 0, 1, -1, 0.5, 3e38]


@pytest.fixture(scope="module")
def compiled():
    return snnc.compile(EXAMPLE_IR, target="reference")


@st.composite
def arrays(draw):
    kind = draw(st.sampled_from(["array", "array", "array", "ragged", "dict", "scalar", "string", "long"]))
    if kind == "ragged":
        return [[[0.0] * 16], [[0.0] * draw(st.integers(0, 20))]]
    if kind == "dict":
        return {draw(st.text(max_size=3)): np.zeros((2, 1, 16))}
    if kind == "scalar":
        return draw(st.sampled_from(SPECIAL))
    if kind == "string":
        return np.array([["a"] * 16] * 2)[:, None]
    T = draw(st.integers(0, 6)) if kind == "array" else draw(st.sampled_from([64, 500, 4000]))
    shape = [T, draw(st.integers(0, 3))] + draw(st.sampled_from([[16], [16], [15], [], [4, 4], [16, 1]]))
    dtype = draw(st.sampled_from(["float32", "float64", "int64", "uint64", "int8", "bool", "complex64", "float16"]))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    a = (rng.random(shape) < 0.5).astype(np.float64)
    for _ in range(draw(st.integers(0, 3))):
        if a.size:
            a.reshape(-1)[rng.integers(0, a.size)] = draw(st.sampled_from(SPECIAL))
    with np.errstate(all="ignore"):
        return a.astype(dtype)


def call(kind, fn, x):
    with time_limit(kind):
        try:
            fn(x)
        except (SnncError, IRError) as e:
            record(kind, type(e).__name__)
        else:
            record(kind, "ran")


@settings(max_examples=examples(80), deadline=None)
@given(arrays())
def test_hostile_arrays(compiled, x):
    call("arrays (Compiled.run)", compiled.run, x)
    call("arrays (reference.run, integer graph)", lambda a: reference_run(compiled.graph, a), x)
