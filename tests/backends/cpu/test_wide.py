"""Arithmetic beyond 64 bits: the compute type comes from the same bounds the reference uses,
and products that need more than 64 bits (leak·v, alpha·i, x·scale, x + half) are exact in
128-bit integers; a graph that would need more than 127 bits is refused."""
import numpy as np
import pytest

from cpuhelp import assert_many_match_reference, inputs_for
from snnc.backends import TargetError, get_target
from snnc.backends.cpu import CpuOptions, build_plan
from snnc.ir import Graph

rng = np.random.default_rng(3)


def wide_neurons(sat: bool) -> Graph:
    g = Graph("wide")
    g.add("input", attrs={"shape": (6,), "dtype": "int<40>"}, name="x")
    attrs = {"shift": 30, "state_bits": 48 if sat else 64, "saturate": sat, "in_shift": 4 if sat else 0}
    big = np.full((1, 1), 1 << 30, np.int64)                       # leak = 2^30: (leak·v) >> 30 = v, 2^72 products
    g.add("lif_int", ["x"], attrs={**attrs, "reset": "subtract"},
          params={"leak": big, "threshold": np.full((1, 6), 1 << 44, np.int64)}, name="lif")
    g.add("cuba_lif_int", ["x"], attrs={**attrs, "reset": "zero", "compare": "gt"},
          params={"alpha": big - 7, "leak": big - 3, "threshold": np.full((2, 1), 1 << 45, np.int64)}, name="cuba")
    g.add("li_int", ["x"], attrs=attrs, params={"leak": big - 1}, name="li")
    for n in ("lif", "cuba", "li"):
        g.add("output", [n], name=f"o_{n}")
    return g.verify()


def wide_elementwise() -> Graph:
    g = Graph("gain")
    g.add("input", attrs={"shape": (5,), "dtype": "int<40>"}, name="x")
    g.add("scale", ["x"], attrs={"shift": 30}, params={"scale": rng.integers(-(1 << 40), 1 << 40, (1, 5))}, name="s")
    g.add("affine", ["x"], attrs={"shift": 41},
          params={"scale": np.full((1, 1), (1 << 50) + 3, np.int64), "bias": np.full((1, 1), -5, np.int64)}, name="a")
    g.add("input", attrs={"shape": (5,), "dtype": "int<64>"}, name="x64")
    g.add("multispike_int", ["x64"], attrs={"D": 5, "frac_bits": 61}, name="ms")
    for n in ("s", "a", "ms"):
        g.add("output", [n], name=f"o_{n}")
    return g.verify()


def test_plan_uses_128_bits_where_needed():
    steps = {s.node: s for s in build_plan(wide_neurons(False), CpuOptions()).steps}
    assert all(steps[n].wide == "snnc_i128" for n in ("lif", "cuba", "li"))
    steps = {s.node: s for s in build_plan(wide_elementwise(), CpuOptions()).steps}
    assert all(steps[n].wide == "snnc_i128" for n in ("s", "a", "ms"))


def test_128_bit_models_say_so_on_compilers_without_it(tmp_path):
    get_target("cpu").emit(wide_neurons(False), tmp_path, {})
    assert "needs 128-bit integers" in (tmp_path / "model.c").read_text()


def test_wide_arithmetic_equals_reference():
    cases = []
    for g in (wide_neurons(False), wide_neurons(True)):
        cases.append((g, inputs_for(g, 10, 3, rng, density=0.9)))
    g = wide_elementwise()
    xs = {"x": rng.integers(-(1 << 39), (1 << 39) - 1, size=(4, 3, 5), endpoint=True),
          "x64": rng.integers(-(1 << 63), (1 << 63) - 1, size=(4, 3, 5), dtype=np.int64, endpoint=True)}
    xs["x64"][0, 0, :2] = [(1 << 63) - 1, -(1 << 63)]                 # x + half overflows int64
    cases.append((g, xs))
    assert_many_match_reference(cases)


def test_beyond_127_bits_is_refused():
    g = Graph("huge")
    g.add("input", attrs={"shape": (2,), "dtype": "int<64>"}, name="x")
    g.add("lif_int", ["x"], attrs={"state_bits": 64, "in_shift": 63, "shift": 127, "saturate": True},
          params={"leak": np.full((1, 1), 1, np.int64), "threshold": np.full((1, 1), 1, np.int64)}, name="n")
    g.add("output", ["n"], name="y")
    g.verify()
    with pytest.raises(TargetError, match=r"%n .*127 bits"):
        get_target("cpu").check(g)
