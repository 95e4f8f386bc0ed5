"""≥ 100 random integer graphs: the HLS C-simulation equals the reference interpreter exactly,
and each emitted testbench passes on its own data.

Hypothesis draws 4 batches of 25 graphs (with random per-layer PE and SIMD, both
interfaces, mostly the streaming DATAFLOW design and sometimes the sequential one, and
residual branches among the DAGs); each batch is compiled once (`hlshelp.build_batch`).
"""
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hlshelp import build_batch
from strategies import EXTRA_OPS, INTEGER_OPS, graphs, inputs

from snnc.backends.hls import HLSTarget
from snnc.backends.hls.parallelism import divisors
from snnc.backends.hls.runner import call_csim
from snnc.backends.reference import run as reference_run
from snnc.backends.reference.inputs import bind_inputs

BATCH = 25
BATCHES = 4
# half of the graphs also use the opt-in integer ops (scale, affine, reshape, spike_matmul)
ALL_INTEGER_OPS = INTEGER_OPS + EXTRA_OPS["integer"]


def lane_size(g, node) -> int | None:
    """The size a layer's parallelism must divide (the spec in backends/hls/parallelism.py)."""
    if node.op in ("input", "flatten", "reshape"):
        return None
    if node.op == "linear":
        return g.param(node, "weight").shape[-2]
    if node.op == "conv2d":
        return g.param(node, "weight").shape[-4] // node.attrs["groups"]
    if node.op == "spike_matmul":
        return node.type.shape[-1]
    return node.type.size


def simd_size(g, node) -> int | None:
    """The fan-in SIMD must divide (synaptic layers only)."""
    if node.op == "linear":
        return g.param(node, "weight").shape[-1]
    if node.op == "conv2d":
        w = g.param(node, "weight")
        return w.shape[-3] * w.shape[-2] * w.shape[-1]
    if node.op == "spike_matmul":
        shape = g[node.operands[0]].type.shape
        return shape[-2] if node.attrs["transpose_a"] else shape[-1]
    return None


@st.composite
def cases(draw):
    ops = draw(st.sampled_from([None, ALL_INTEGER_OPS]))
    g = draw(graphs(float_ops=False, integer=True, max_nodes=6, max_outputs=2, ops=ops))
    T = draw(st.integers(1, 6))
    B = draw(st.integers(1, 3))
    x = draw(inputs(g, T, B))
    par, simd = {}, {}
    for node in g:
        size = lane_size(g, node)
        if size is not None and draw(st.booleans()):
            par[node.name] = draw(st.sampled_from(divisors(size)))
        fan_in = simd_size(g, node)
        if fan_in is not None and draw(st.booleans()):
            simd[node.name] = draw(st.sampled_from(divisors(fan_in)))
    interface = draw(st.sampled_from(["axis", "array"]))
    return g, x, {"parallelism": par, "simd": simd, "interface": interface, "timesteps": T, "tb_samples": 2,
                  "seed": draw(st.integers(0, 1000)), "dataflow": draw(st.sampled_from([True, True, True, False]))}


@pytest.mark.slow
# no shrinking: every attempt compiles a batch; a failure names the graph (top g<k>) and its output
@settings(max_examples=BATCHES, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(cases(), min_size=BATCH, max_size=BATCH))
def test_random_integer_graphs_match_reference(batch):
    target = HLSTarget()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        projects = []
        for k, (g, _, options) in enumerate(batch):
            top = f"g{k}"
            target.emit(g, work / top, dict(options, top=top))
            projects.append((top, work / top))
        built = build_batch(projects, work / "build")
        for (g, x, options), (top, d) in zip(batch, projects):
            got = call_csim(built[top].csim, g, bind_inputs(g, x), top)
            want = reference_run(g, x)
            if isinstance(want, dict):
                assert set(got) == set(want)
                for name in want:
                    assert np.array_equal(got[name], want[name]), f"{top} output {name}"
            else:
                assert np.array_equal(got, want), f"{top}: C-simulation differs from the reference"
            assert built[top].tb(str(d / "tb_data").encode()) == 0, f"{top}: the emitted testbench failed"
