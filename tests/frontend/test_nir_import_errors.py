"""What NIR import refuses, and how it says so (errors name the NIR node and the way out)."""
import nir
import numpy as np
import pytest

from snnc.frontend.nir_import import NIRImportError, from_nir

F = np.float32


def lif_node(n):
    return nir.LIF(tau=np.full(n, 2e-4), r=np.full(n, 2.0), v_leak=np.zeros(n), v_threshold=np.ones(n))


def test_recurrent_graph_is_refused():
    ng = nir.NIRGraph(nodes={"in": nir.Input(np.array([3])), "lif": lif_node(3),
                             "rec": nir.Linear(weight=np.eye(3, dtype=F)), "out": nir.Output(np.array([3]))},
                      edges=[("in", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "out")])
    with pytest.raises(NIRImportError, match="cycle.*'lif', 'rec'.*feed-forward"):
        from_nir(ng)


@pytest.mark.parametrize("node, word", [(nir.Delay(delay=np.ones(3)), "delay"),
                                        (nir.Conv1d(input_shape=3, weight=np.ones((1, 1, 1), F), stride=1,
                                                    padding=0, dilation=1, groups=1, bias=np.zeros(1)), "Conv2d")])
def test_unsupported_nir_nodes(node, word):
    shape = np.array([1, 3] if isinstance(node, nir.Conv1d) else [3])
    ng = nir.NIRGraph(nodes={"in": nir.Input(shape), "bad": node, "out": nir.Output(shape)},
                      edges=[("in", "bad"), ("bad", "out")], type_check=False)
    with pytest.raises(NIRImportError, match=word) as e:
        from_nir(ng)
    assert e.value.node == "bad" and "'bad'" in str(e.value)


def test_shape_mismatch_names_the_edge():
    ng = nir.NIRGraph(nodes={"in": nir.Input(np.array([3])), "lif": lif_node(4), "out": nir.Output(np.array([4]))},
                      edges=[("in", "lif"), ("lif", "out")], type_check=False)
    with pytest.raises(NIRImportError, match=r"edge 'in' → 'lif': 'in' gives shape \[3\] but 'lif' expects \[4\]"):
        from_nir(ng)


def test_per_neuron_v_reset_is_refused():
    node = nir.LIF(tau=np.full(2, 2e-4), r=np.ones(2), v_leak=np.zeros(2), v_threshold=np.ones(2),
                   v_reset=np.array([0.0, 0.5]))
    ng = nir.NIRGraph.from_list(nir.Input(np.array([2])), node, nir.Output(np.array([2])))
    with pytest.raises(NIRImportError, match="v_reset differs"):
        from_nir(ng)


def test_nested_graph_with_two_inputs_is_refused():
    sub = nir.NIRGraph(nodes={"a": nir.Input(np.array([2])), "b": nir.Input(np.array([2])),
                              "o": nir.Output(np.array([2]))}, edges=[("a", "o"), ("b", "o")], type_check=False)
    ng = nir.NIRGraph(nodes={"in": nir.Input(np.array([2])), "sub": sub, "out": nir.Output(np.array([2]))},
                      edges=[("in", "sub"), ("sub", "out")], type_check=False)
    with pytest.raises(NIRImportError, match="exactly one Input"):
        from_nir(ng)


def test_bad_sources(tmp_path):
    with pytest.raises(NIRImportError, match="cannot read NIR file"):
        from_nir(tmp_path / "missing.nir")
    with pytest.raises(NIRImportError, match="single LIF"):
        from_nir(lif_node(2))
    with pytest.raises(NIRImportError, match="expected a nir.NIRGraph"):
        from_nir(42)
