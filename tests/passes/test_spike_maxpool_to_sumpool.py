"""spike-maxpool-to-sumpool: max pooling of spikes becomes sum pooling and a threshold > 0 with the
same outputs; max pooling of other values is left as is; after lower-multispike{mode=binary}
the binary planes are pooled plane by plane (nested planes: the max of the count is the sum of
the planes' maxima), so multi-bit spikes reach the OR form too."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from passhelp import outputs
from snnc.backends.reference import run
from snnc.ir import Graph
from snnc.passes import run_pipeline

PASS = "spike-maxpool-to-sumpool"


def pool_graph(dtype="spike"):
    g = Graph("p", {"timesteps": 3})
    x = g.add("input", [], {"shape": (3, 7, 7), "dtype": dtype}, name="x")
    p = g.add("maxpool2d", [x], {"kernel": (3, 2), "stride": (2, 2), "padding": (1, 0)}, name="pool")
    g.add("output", [p], name="y")
    return g.verify()


def test_max_pooling_of_spikes_becomes_sum_pooling_and_a_threshold():
    rng = np.random.default_rng(1)
    g = pool_graph()
    low = run_pipeline(g, PASS).graph
    assert [n.op for n in low] == ["input", "sumpool2d", "threshold", "output"]
    assert [n.op for n in g] == ["input", "maxpool2d", "output"]          # the original is untouched
    assert low["pool"].op == "threshold" and low["pool"].attrs == {"compare": "gt"}    # the value keeps its name
    assert not np.any(low.param("pool", "threshold")) and low["pool.sum"].attrs == g["pool"].attrs
    xs = rng.integers(0, 2, size=(3, 5, 3, 7, 7))
    assert np.array_equal(run(low, xs), run(g, xs))
    assert run(g, xs).sum() > 0


def test_max_pooling_of_real_values_is_left_as_it_is():
    g = pool_graph("f32")
    assert run_pipeline(g, PASS).graph == g


@st.composite
def multispike_pools(draw):
    """x → conv2d → multispike{D} → maxpool2d → (flatten → linear | output)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    g = Graph("msp", {"timesteps": 2})
    x = g.add("input", attrs={"shape": (2, 6, 6), "dtype": "f32"}, name="x")
    c = g.add("conv2d", [x], {"padding": (1, 1)},
              {"weight": rng.uniform(-1, 1, (3, 2, 3, 3)).astype(np.float32)}, name="conv")
    m = g.add("multispike", [c], {"D": draw(st.integers(1, 4))}, name="ms")
    k = draw(st.sampled_from([(2, 2), (3, 3)]))
    p = g.add("maxpool2d", [m], {"kernel": k, "padding": (k[0] // 2, k[1] // 2) if draw(st.booleans()) else (0, 0)},
              name="pool")
    if draw(st.booleans()):
        f = g.add("flatten", [p], name="flat")
        n = int(np.prod(g[f.name].type.shape))
        p = g.add("linear", [f], params={"weight": rng.integers(-1, 2, (4, n)).astype(np.int8)}, name="fc")
    g.add("output", [p], name="y")
    return g.verify()


@settings(max_examples=40)
@given(multispike_pools(), st.integers(0, 2**32 - 1))
def test_binary_planes_are_pooled_plane_by_plane_as_ors(g, seed):
    h = run_pipeline(g, "lower-multispike{mode=binary}," + PASS + ",dce").graph
    assert not {"multispike", "maxpool2d"} & {n.op for n in h}
    for n in h:
        if n.op == "sumpool2d":                        # each pools one binary plane
            assert h[n.operands[0]].type.dtype.kind == "spike"
    x = strategies.random_inputs(g, 2, 3, np.random.default_rng(seed)) * 3
    y0, y1 = outputs(g, x), outputs(h, x)
    for k in y0:
        np.testing.assert_allclose(y1[k], y0[k], rtol=0, atol=1e-4)
