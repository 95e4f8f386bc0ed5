"""Random verify()-clean graphs (tests/strategies.py): every graph runs, results have their
declared types, and integer graphs are exact — causal in time and independent across the batch."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from snnc.backends.reference import run

OPT_IN = ("scale", "affine", "batchnorm", "reshape", "spike_matmul")
FLOAT_OPS = strategies.FLOAT_OPS + OPT_IN
INTEGER_OPS = strategies.INTEGER_OPS + ("scale", "affine", "reshape", "spike_matmul")


def check_types(g, tr):
    for node in g:
        v = tr[node.name]
        assert v.shape[2:] == node.type.shape, node
        if node.type.dtype.is_float:
            assert v.dtype == np.float32, node
        else:
            lo, hi = node.type.dtype.range()
            assert v.dtype == np.int64 and (v.size == 0 or lo <= v.min() <= v.max() <= hi), node


@settings(max_examples=150)
@given(strategies.graphs_and_inputs(float_ops=True, integer=False, ops=FLOAT_OPS, max_outputs=2))
def test_float_graphs_run_with_declared_types(case):
    g, x = case
    y, tr = run(g, x, trace=True)
    check_types(g, tr)


@settings(max_examples=150)
@given(strategies.graphs_and_inputs(float_ops=False, integer=True, ops=INTEGER_OPS, max_outputs=2,
                                    max_T=8, max_B=4),
       st.data())
def test_integer_graphs_are_exact_causal_and_batch_independent(case, data):
    g, x = case
    y, tr = run(g, x, trace=True)
    check_types(g, tr)
    xs = x if isinstance(x, dict) else {g.inputs[0].name: x}
    T, B = next(iter(xs.values())).shape[:2]
    t = data.draw(st.integers(1, T))
    b = data.draw(st.integers(0, B - 1))
    sub = {k: v[:t, b:b + 1] for k, v in xs.items()}           # a prefix in time, one sample
    _, tr_sub = run(g, sub, trace=True)
    for name, v in tr_sub.items():
        assert np.array_equal(v, tr[name][:t, b:b + 1]), name
