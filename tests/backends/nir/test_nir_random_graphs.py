"""Property: a random float graph either is refused by the nir target with a TargetError, or its
model.nir reads back (type-checked) into a graph whose outputs equal the reference's."""
import nir
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from snnc.backends.nir import NirTarget
from snnc.backends.reference import run
from snnc.backends.target import TargetError
from snnc.frontend.nir_import import from_nir
from snnc.passes import run_pipeline
from strategies import float_graphs, random_inputs

NIR_OPS = ("linear", "conv2d", "sumpool2d", "avgpool2d", "maxpool2d", "flatten", "add", "lif", "if", "plif",
           "cuba_lif", "li", "threshold", "scale")


@settings(max_examples=40)
@given(g=float_graphs(ops=NIR_OPS, time_varying=False, max_nodes=5), seed=st.integers(0, 2**31))
def test_random_float_graphs_round_trip_through_the_file(tmp_path_factory, g, seed):
    target, full = NirTarget(), {"nir_dialect": "full"}        # the dialect snnc reads back exactly
    g = run_pipeline(g, "spike-maxpool-to-sumpool").graph     # the target's own pipeline step
    try:
        target.check(g, full)
    except TargetError:
        return
    out = tmp_path_factory.mktemp("nir")
    path = target.emit(g, out, full)["nir"]
    back = nir.read(str(path))
    nir.NIRGraph(nodes=back.nodes, edges=back.edges, metadata=back.metadata, type_check=True)
    x = random_inputs(g, 3, 2, np.random.default_rng(seed))
    assert np.array_equal(target.load(out, g, full).run(x), run(g, x), equal_nan=True)
    assert np.array_equal(run(from_nir(back), x), run(g, x), equal_nan=True)     # the file holds the model


@settings(max_examples=30)
@given(g=float_graphs(ops=NIR_OPS, time_varying=False, max_nodes=5), seed=st.integers(0, 2**31))
def test_random_float_graphs_in_the_portable_dialect(tmp_path_factory, g, seed):
    """The portable file is refused naming nir_dialect=full, or holds the model up to float rounding
    (scales folded into weights sum in another order)."""
    target = NirTarget()
    g = run_pipeline(g, "spike-maxpool-to-sumpool").graph
    try:
        target.check(g)
    except TargetError as e:
        assert "nir_dialect=full" in str(e) or "-O nir_dialect" in str(e) or "full" not in str(e)
        return
    path = target.emit(g, tmp_path_factory.mktemp("nir"), {})["nir"]
    back = nir.read(str(path))
    assert not any(k.startswith("snnc_") for n in back.nodes.values() for k in n.metadata)
    x = random_inputs(g, 3, 2, np.random.default_rng(seed))
    want = run(g, x)
    got = run(from_nir(back), x)
    if isinstance(want, dict):
        want, got = np.concatenate([v.reshape(-1) for v in want.values()]), np.concatenate([v.reshape(-1) for v in got.values()])
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    if np.all(np.isfinite(want)):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-3 * scale)
