"""Mutated NIR graphs and files (hypothesis): import raises only snnc's own errors — never a bare
ValueError, AssertionError, ZeroDivisionError, RecursionError … — and never hangs. The counts of
cases and of refusals by kind are printed (pytest -s)."""
import collections
import json
import time

import h5py
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nir
import nirgraphs
from snnc.errors import SnncError
from snnc.frontend.nir_import import from_nir, read
from snnc.ir import IRError

COUNTS = collections.Counter()
BAD_NUMBERS = [0.0, -1.0, np.nan, np.inf, -np.inf, 1e-12, 1e300, 10 ** 9]
JUNK_META = ["{bad", "[1, 2]", "[" * 5000 + "]" * 5000, json.dumps({"timesteps": 10 ** 9}), json.dumps({"key": 5}),
             json.dumps({"weight": {"key": "w", "shape": "x"}}), "null", 7]


def _import(make):
    t0 = time.perf_counter()
    try:
        make()
        COUNTS["imported"] += 1
    except (SnncError, IRError) as e:
        COUNTS[type(e).__name__] += 1
    assert time.perf_counter() - t0 < 10


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(node=st.sampled_from(["fc0", "lif0", "fc1", "lif1"]), value=st.sampled_from(BAD_NUMBERS),
       field=st.sampled_from(["weight", "bias", "tau", "r", "v_leak", "v_threshold", "v_reset"]),
       where=st.sampled_from(["all", "one"]), snnc_meta=st.booleans(), meta=st.sampled_from(JUNK_META + [None]),
       meta_key=st.sampled_from(["snnc_params", "snnc_in", "snnc_operands", "snnc_scale", "reset", "compare"]))
def test_mutated_graphs_raise_only_snnc_errors(node, value, field, where, snnc_meta, meta, meta_key):
    g = nirgraphs.mlp(sizes=(6, 5, 3))
    n = g.nodes[node]
    if hasattr(n, field):
        a = np.array(getattr(n, field), dtype=np.float64)
        if where == "all":
            a[...] = value
        else:
            a.reshape(-1)[0] = value
        setattr(n, field, a)
    if meta is not None:
        n.metadata = {meta_key: meta}
    if snnc_meta:
        g.metadata = {"snnc_format": 1, "snnc_attrs": meta if isinstance(meta, str) else "{}"}
    _import(lambda: from_nir(g))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["node/nodes/fc0/weight", "node/nodes/lif0/tau", "node/nodes/lif0/v_threshold",
                             "node/nodes/input/shape", "node/nodes/fc0/type", "node/edges", "node/nodes/lif0/r"]),
       value=st.sampled_from([np.ones(3), np.array([b"x"]), np.zeros((2, 2, 2)), np.array(-4), np.array([0, 0]),
                              np.array([10 ** 6, 10 ** 6]), np.array(b"Nonexistent"), None]))
def test_mutated_files_raise_only_snnc_errors(tmp_path_factory, path, value):
    f = tmp_path_factory.mktemp("nir") / "m.nir"
    nir.write(str(f), nirgraphs.mlp(sizes=(6, 5, 3)))
    with h5py.File(f, "r+") as h:
        del h[path]
        if value is not None:
            h[path] = value
    _import(lambda: read(f))


def test_print_counts():
    print(f"\nNIR import fuzz: {sum(COUNTS.values())} cases; " + ", ".join(f"{k} {v}" for k, v in sorted(COUNTS.items())))
    assert sum(COUNTS.values()) > 0
