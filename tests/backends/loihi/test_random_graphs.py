"""Property: a random float graph is either refused by the loihi target with a TargetError naming a
node, or compiles into a network whose fields fit Loihi and whose output has the reference's shape."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from loihelp import prepared
from snnc.backends.loihi import LoihiTarget, build_network, chip, map_network
from snnc.backends.reference import run
from snnc.backends.target import TargetError
from strategies import float_graphs, random_inputs

LOIHI_OPS = ("linear", "conv2d", "maxpool2d", "flatten", "lif", "if", "plif", "cuba_lif", "li", "threshold",
             "multispike", "scale", "affine")


def compile_or_refuse(g, seed):
    h = prepared(g)
    try:
        LoihiTarget().check(h)
    except TargetError as e:
        assert "%" in str(e) or "graph" in str(e)
        return
    net = build_network(h)
    for layer in net.layers:
        assert chip.NETX_WEIGHT_MIN <= layer.weight.min() and layer.weight.max() <= chip.NETX_WEIGHT_MAX
        assert 0 <= layer.neuron.vth_mant <= chip.VTH_MANT_MAX
    map_network(net, strict=False)
    x = random_inputs(g, 3, 2, np.random.default_rng(seed))
    y, ref = LoihiTarget().load(None, h, {}).run(x), run(g, x)
    assert y.shape == ref.shape


@settings(max_examples=40)
@given(g=float_graphs(max_nodes=6), seed=st.integers(0, 2**31))
def test_random_float_graphs_compile_or_are_refused_cleanly(g, seed):
    compile_or_refuse(g, seed)


@settings(max_examples=60)
@given(g=float_graphs(max_nodes=6, ops=LOIHI_OPS, dag=False, time_varying=False, input_dtypes=("spike", "uint")),
       seed=st.integers(0, 2**31))
def test_random_chains_compile_or_are_refused_cleanly(g, seed):
    compile_or_refuse(g, seed)
