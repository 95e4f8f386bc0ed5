"""dce on random graphs with dead branches: outputs unchanged, every dead node and array gone."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from passhelp import outputs
from snnc.passes import run_pipeline


@settings(max_examples=80)
@given(strategies.graphs_and_inputs(float_ops=True, integer=True, max_outputs=2), st.integers(1, 3))
def test_dce_removes_dead_branches_and_keeps_outputs(case, dead):
    g, x = case
    live = set(g.nodes)
    t = g.inputs[0].type
    for i in range(dead):                        # dead: a linear on the input, then a threshold on it
        w = np.ones((2, t.shape[-1]), np.int8)
        d = g.add("linear", [g.inputs[0]], params={"weight": w}, name=f"dead{i}", before=g.outputs[0].name)
        g.add("threshold", [d], params={"threshold": np.ones((1,) * len(d.type.shape) + (1,), np.int32)},
              name=f"dead{i}.th", before=g.outputs[0].name)
    h = run_pipeline(g, "dce").graph
    assert set(h.nodes) == live
    assert set(h.params) == {k for n in h for k in n.params.values()}
    y0, y1 = outputs(g, x), outputs(h, x)
    assert all(np.array_equal(y0[k], y1[k]) for k in y0)
