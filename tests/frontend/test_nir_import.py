"""NIR graphs from other tools → IR (snnc/frontend/nir_import/importer.py).

Graphs are built the way snnTorch's exporter writes them (τ = dt/(1−β), r = τ/dt,
float32 arrays), plus variants with v_leak ≠ 0 and r ≠ τ/dt. Besides the structure,
each imported graph is run by a small float64 IR interpreter and compared with a
forward-Euler simulation of the NIR equations (the reading DESIGN §5 fixes).
"""
import numpy as np
import pytest

import nir
from snnc.backends.nir import to_nir
from snnc.frontend.nir_import import from_nir
from snnc.ir import verify

DT = 1e-4
F = np.float32


# ---------------------------------------------------------------- two small simulators
def _order(nodes, edges):
    order, done = [], set()
    while len(order) < len(nodes):
        for k in nodes:
            if k not in done and all(a in done for a, b in edges if b == k):
                order.append(k)
                done.add(k)
    return order


def run_nir(g: nir.NIRGraph, inputs: dict, dt: float) -> dict:
    """Forward Euler of NIR's equations; a node's input is the sum of its incoming edges."""
    T = len(next(iter(inputs.values())))
    state, outs = {}, {k: [] for k, n in g.nodes.items() if isinstance(n, nir.Output)}

    def settle(k, n, v, spiking):
        """New state and output: spike and reset to v_reset (v > threshold), or the potential itself."""
        if not spiking:
            state[k] = v
            return v
        z = v > n.v_threshold
        state[k] = np.where(z, n.v_reset, v)
        return z.astype(np.float64)

    for t in range(T):
        val = {}
        for k in _order(g.nodes, g.edges):
            n = g.nodes[k]
            preds = [a for a, b in g.edges if b == k]
            x = sum(val[a] for a in preds) if preds else None
            v = state.get(k, 0.0)
            if isinstance(n, nir.Input):
                y = inputs[k][t]
            elif isinstance(n, nir.Output):
                outs[k].append(x)
                y = x
            elif isinstance(n, (nir.Affine, nir.Linear)):
                y = n.weight.astype(np.float64) @ x + (n.bias if isinstance(n, nir.Affine) else 0)
            elif isinstance(n, nir.Scale):
                y = n.scale * x
            elif isinstance(n, nir.Threshold):
                y = (x > n.threshold).astype(np.float64)
            elif isinstance(n, (nir.LIF, nir.LI)):
                y = settle(k, n, v + dt / n.tau * (n.v_leak - v + n.r * x), isinstance(n, nir.LIF))
            elif isinstance(n, (nir.IF, nir.I)):
                y = settle(k, n, v + n.r * x, isinstance(n, nir.IF))
            elif isinstance(n, (nir.CubaLIF, nir.CubaLI)):
                i = state.get(k + "/i", 0.0)
                i = state[k + "/i"] = i + dt / n.tau_syn * (-i + n.w_in * x)
                y = settle(k, n, v + dt / n.tau_mem * (n.v_leak - v + n.r * i), isinstance(n, nir.CubaLIF))
            else:
                raise NotImplementedError(type(n).__name__)
            val[k] = y
    return {k: np.array(v) for k, v in outs.items()}


def run_ir(g, inputs: dict) -> dict:
    """The IR's discrete-time equations (ir/ops docstrings), in float64."""
    T = len(next(iter(inputs.values())))
    state, outs = {}, {n.name: [] for n in g.outputs}

    def p(n, role, t):
        a = g.param(n, role)
        return None if a is None else a[t % a.shape[0]].astype(np.float64)

    def fire(n, h, t):
        th = p(n, "threshold", t)
        s = (h >= th) if n.attrs["compare"] == "ge" else (h > th)
        reset = n.attrs["reset"]
        state[n.name] = np.where(s, n.attrs["v_reset"], h) if reset == "zero" else \
            (h - s * th if reset == "subtract" else h)
        return s.astype(np.float64)

    for t in range(T):
        val = {}
        for n in g:
            x = val[n.operands[0]] if n.operands else None
            v = state.get(n.name, 0.0)
            op = n.op
            if op == "input":
                y = inputs[n.name][t]
            elif op == "output":
                outs[n.name].append(x)
                y = x
            elif op == "linear":
                y = g.param(n, "weight").astype(np.float64) @ x
                if "scale" in n.params:
                    y = y * p(n, "scale", t)
                if "bias" in n.params:
                    y = y + p(n, "bias", t)
            elif op == "scale":
                y = x * p(n, "scale", t)
            elif op == "affine":
                y = x * p(n, "scale", t) + p(n, "bias", t)
            elif op == "add":
                y = sum(val[o] for o in n.operands)
            elif op in ("lif", "plif", "if"):
                y = fire(n, (p(n, "beta", t) if op != "if" else 1.0) * v + x, t)
            elif op == "cuba_lif":
                i = p(n, "alpha", t) * state.get(n.name + "/i", 0.0) + x
                state[n.name + "/i"] = i
                y = fire(n, p(n, "beta", t) * v + i, t)
            elif op == "li":
                y = state[n.name] = p(n, "beta", t) * v + x
            elif op == "threshold":
                th = p(n, "threshold", t)
                y = ((x >= th) if n.attrs["compare"] == "ge" else (x > th)).astype(np.float64)
            else:
                raise NotImplementedError(op)
            val[n.name] = y
    return {k: np.array(v) for k, v in outs.items()}


def assert_same_behaviour(ng, g, shape, T=40, seed=0, scale=3.0):
    """Same outputs from the NIR graph (Euler) and the imported IR graph (node names are equal here)."""
    rng = np.random.default_rng(seed)
    x = {k: rng.uniform(0, scale, (T,) + shape) for k, n in ng.nodes.items() if isinstance(n, nir.Input)}
    want = run_nir(ng, x, g.attrs["dt"])
    got = run_ir(g, x)
    assert want.keys() == got.keys()
    for k, w in want.items():
        np.testing.assert_allclose(got[k], w, rtol=1e-5, atol=1e-6)
    assert sum(np.count_nonzero(w) for w in want.values()) > 0   # the comparison saw activity


# ---------------------------------------------------------------- snnTorch-style graphs
def snntorch_lif(beta, vthr, dt=DT):
    """What snnTorch's export_to_nir writes for snn.Leaky (float32 arrays)."""
    tau = dt / (1 - beta)
    return nir.LIF(tau=tau, r=tau / dt, v_leak=np.zeros_like(beta), v_threshold=vthr)


def snntorch_graph(readout="lif"):
    rng = np.random.default_rng(0)
    b1, b2 = rng.uniform(0.6, 0.95, 16).astype(F), rng.uniform(0.6, 0.95, 4).astype(F)
    last = snntorch_lif(b2, np.ones(4, F)) if readout == "lif" else \
        nir.LI(tau=DT / (1 - b2), r=DT / (1 - b2) / DT, v_leak=np.zeros(4, F))
    nodes = {"input": nir.Input(input_type=np.array([8])),
             "0": nir.Affine(weight=rng.normal(0, 0.7, (16, 8)).astype(F), bias=rng.normal(0, 0.1, 16).astype(F)),
             "1": snntorch_lif(b1, np.ones(16, F)),
             "2": nir.Affine(weight=rng.normal(0, 0.7, (4, 16)).astype(F), bias=np.zeros(4, F)),
             "3": last,
             "output": nir.Output(output_type=np.array([4]))}
    edges = [("input", "0"), ("0", "1"), ("1", "2"), ("2", "3"), ("3", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges), b1, b2


@pytest.mark.parametrize("readout", ["lif", "li"])
def test_snntorch_graph_imports_with_beta_and_unit_gain(readout, tmp_path):
    ng, b1, b2 = snntorch_graph(readout)
    nir.write(tmp_path / "net.nir", ng)
    g = from_nir(tmp_path / "net.nir")      # an HDF5 file gives the nodes back sorted by name
    verify(g)
    assert [n.op for n in g] == ["input", "linear", "lif", "linear", readout, "output"]
    assert [n.name for n in g] == ["input", "n_0", "n_1", "n_2", "n_3", "output"]
    assert g.attrs == {"dt": DT}
    lif = g["n_1"]
    assert (lif.attrs["reset"], lif.attrs["compare"], lif.attrs["v_reset"]) == ("zero", "gt", 0.0)
    tau = ng.nodes["1"].tau
    np.testing.assert_array_equal(g.param(lif, "beta")[0], (1 - DT / tau.astype(np.float64)).astype(F))
    np.testing.assert_allclose(g.param(lif, "beta")[0], b1, rtol=1e-6)
    np.testing.assert_allclose(g.param("n_3", "beta")[0], b2, rtol=1e-6)
    assert g.param(lif, "beta").shape == (1, 16)
    assert_same_behaviour(ng, g, (8,))


def test_snntorch_synaptic_imports_as_cuba_lif():
    rng = np.random.default_rng(1)
    alpha, beta = rng.uniform(0.3, 0.9, 6).astype(F), rng.uniform(0.6, 0.95, 6).astype(F)
    tau_syn, tau_mem = DT / (1 - alpha), DT / (1 - beta)
    cuba = nir.CubaLIF(tau_syn=tau_syn, tau_mem=tau_mem, r=tau_mem / DT, v_leak=np.zeros(6, F),
                       v_threshold=np.full(6, 1.0, F), w_in=tau_syn / DT)
    ng = nir.NIRGraph.from_list(nir.Input(np.array([5])), nir.Linear(weight=rng.normal(0, 1, (6, 5)).astype(F)),
                                cuba, nir.Output(np.array([6])))
    g = from_nir(ng)
    assert [n.op for n in g] == ["input", "linear", "cuba_lif", "output"]
    c = g["cubalif"]
    np.testing.assert_allclose(g.param(c, "alpha")[0], alpha, rtol=1e-6)
    np.testing.assert_allclose(g.param(c, "beta")[0], beta, rtol=1e-6)
    assert_same_behaviour(ng, g, (5,))


# ---------------------------------------------------------------- gains and biases
def test_v_leak_and_r_emit_scale_and_affine_nodes():
    rng = np.random.default_rng(2)
    tau = np.full(4, 5 * DT)
    nodes = {
        "in": nir.Input(np.array([3])),
        "fc": nir.Linear(weight=rng.normal(0, 1, (4, 3)).astype(F)),
        "leaky": nir.LIF(tau=tau, r=np.full(4, 10.0), v_leak=np.full(4, 0.5), v_threshold=np.ones(4)),
        "fc2": nir.Linear(weight=rng.normal(0, 1, (4, 4)).astype(F)),
        "gained": nir.LIF(tau=tau, r=2 * tau / DT, v_leak=np.zeros(4), v_threshold=np.ones(4)),
        "fc3": nir.Linear(weight=rng.normal(0, 1, (2, 4)).astype(F)),
        "ro": nir.LI(tau=np.full(2, 4 * DT), r=np.full(2, 4.0), v_leak=np.full(2, -0.2)),
        "out": nir.Output(np.array([2])),
    }
    chain = list(nodes)
    ng = nir.NIRGraph(nodes=nodes, edges=list(zip(chain, chain[1:])))
    g = from_nir(ng)
    assert [(n.name, n.op) for n in g] == [
        ("in", "input"), ("fc", "linear"), ("leaky_in", "affine"), ("leaky", "lif"), ("fc2", "linear"),
        ("gained_in", "scale"), ("gained", "lif"), ("fc3", "linear"), ("ro_in", "affine"), ("ro", "li"),
        ("out", "output")]
    # gain r·dt/τ = 10·1e-4/5e-4 = 2, bias v_leak·dt/τ = 0.5/5 = 0.1, β = 1 − 1/5
    np.testing.assert_allclose(g.param("leaky_in", "scale"), 2.0, rtol=1e-7)
    np.testing.assert_allclose(g.param("leaky_in", "bias"), 0.1, rtol=1e-7)
    np.testing.assert_allclose(g.param("leaky", "beta"), 0.8, rtol=1e-7)
    np.testing.assert_allclose(g.param("gained_in", "scale"), 2.0, rtol=1e-7)
    np.testing.assert_allclose(g.param("ro_in", "scale"), 1.0, rtol=1e-7)
    np.testing.assert_allclose(g.param("ro_in", "bias"), -0.05, rtol=1e-6)
    assert_same_behaviour(ng, g, (3,))
    # and back: the emitted affine/scale nodes export as NIR nodes equivalent to the originals
    again = to_nir(g)
    np.testing.assert_allclose(again.nodes["leaky"].r * DT / again.nodes["leaky"].tau, 2.0, rtol=1e-7)
    np.testing.assert_allclose(again.nodes["leaky"].v_leak * DT / again.nodes["leaky"].tau, 0.1, rtol=1e-6)
    assert_same_behaviour(again, from_nir(again), (3,))


def test_cuba_with_v_leak_becomes_li_affine_lif():
    rng = np.random.default_rng(3)
    n = 5
    cuba = nir.CubaLIF(tau_syn=np.full(n, 2 * DT), tau_mem=np.full(n, 4 * DT), r=np.full(n, 8.0),
                       v_leak=np.full(n, 0.4), v_threshold=np.ones(n), w_in=np.full(n, 3.0))
    ng = nir.NIRGraph.from_list(nir.Input(np.array([3])), nir.Linear(weight=rng.normal(0, 1, (n, 3)).astype(F)),
                                cuba, nir.Output(np.array([n])))
    g = from_nir(ng)
    assert [(x.name, x.op) for x in g] == [
        ("input", "input"), ("linear", "linear"), ("cubalif_in", "scale"), ("cubalif_syn", "li"),
        ("cubalif_mem_in", "affine"), ("cubalif", "lif"), ("output", "output")]
    np.testing.assert_allclose(g.param("cubalif_in", "scale"), 1.5, rtol=1e-7)     # w_in·dt/τ_syn
    np.testing.assert_allclose(g.param("cubalif_syn", "beta"), 0.5, rtol=1e-7)     # α
    np.testing.assert_allclose(g.param("cubalif_mem_in", "scale"), 2.0, rtol=1e-7)  # r·dt/τ_mem
    np.testing.assert_allclose(g.param("cubalif_mem_in", "bias"), 0.1, rtol=1e-7)   # v_leak·dt/τ_mem
    np.testing.assert_allclose(g.param("cubalif", "beta"), 0.75, rtol=1e-7)
    assert_same_behaviour(ng, g, (3,))


def test_cuba_gains_without_v_leak_fold_into_one_scale():
    rng = np.random.default_rng(4)
    n = 5
    cuba = nir.CubaLIF(tau_syn=np.full(n, 2 * DT), tau_mem=np.full(n, 4 * DT), r=np.full(n, 8.0),
                       v_leak=np.zeros(n), v_threshold=np.ones(n), w_in=np.full(n, 3.0))
    ng = nir.NIRGraph.from_list(nir.Input(np.array([3])), nir.Linear(weight=rng.normal(0, 1, (n, 3)).astype(F)),
                                cuba, nir.Output(np.array([n])))
    g = from_nir(ng)
    assert [x.op for x in g] == ["input", "linear", "scale", "cuba_lif", "output"]
    np.testing.assert_allclose(g.param("cubalif_in", "scale"), 3.0, rtol=1e-7)     # 1.5 · 2
    assert_same_behaviour(ng, g, (3,))


def test_if_integrator_and_cuba_li():
    rng = np.random.default_rng(5)
    n = 4
    nodes = {"in": nir.Input(np.array([3])),
             "w": nir.Linear(weight=rng.normal(0, 1, (n, 3)).astype(F)),
             "if": nir.IF(r=np.full(n, 0.5), v_threshold=np.full(n, 2.0), v_reset=np.full(n, -0.5)),
             "w2": nir.Linear(weight=rng.normal(0, 1, (n, n)).astype(F)),
             "int": nir.I(r=np.full(n, 0.3)),
             "cli": nir.CubaLI(tau_syn=np.full(n, 2 * DT), tau_mem=np.full(n, 4 * DT), r=np.full(n, 4.0),
                               v_leak=np.zeros(n), w_in=np.full(n, 2.0)),
             "out": nir.Output(np.array([n])), "spk": nir.Output(np.array([n]))}
    edges = [("in", "w"), ("w", "if"), ("if", "w2"), ("w2", "int"), ("int", "cli"), ("cli", "out"), ("if", "spk")]
    ng = nir.NIRGraph(nodes=nodes, edges=edges)
    g = from_nir(ng)
    assert [(x.name, x.op) for x in g] == [
        ("in", "input"), ("w", "linear"), ("if_in", "scale"), ("if", "if"), ("w2", "linear"), ("int_in", "scale"),
        ("int", "li"), ("cli_syn", "li"), ("cli", "li"), ("out", "output"), ("spk", "output")]
    assert g["if"].attrs["v_reset"] == -0.5
    np.testing.assert_array_equal(g.param("int", "beta"), 1.0)
    assert_same_behaviour(ng, g, (3,))


def test_several_incoming_edges_are_summed():
    rng = np.random.default_rng(6)
    tau = np.full(4, 3 * DT)
    nodes = {"in": nir.Input(np.array([3])),
             "a": nir.Linear(weight=rng.normal(0, 1, (4, 3)).astype(F)),
             "b": nir.Affine(weight=rng.normal(0, 1, (4, 3)).astype(F), bias=np.full(4, 0.1, F)),
             "lif": nir.LIF(tau=tau, r=tau / DT, v_leak=np.zeros(4), v_threshold=np.ones(4)),
             "out": nir.Output(np.array([4]))}
    ng = nir.NIRGraph(nodes=nodes, edges=[("in", "a"), ("in", "b"), ("a", "lif"), ("b", "lif"), ("lif", "out")])
    g = from_nir(ng)
    assert g["lif_sum"].op == "add" and g["lif_sum"].operands == ["a", "b"] and g["lif"].operands == ["lif_sum"]
    assert_same_behaviour(ng, g, (3,))


# ---------------------------------------------------------------- other graph forms
def test_node_order_does_not_matter_and_names_are_sanitized():
    ng, _, _ = snntorch_graph()
    nodes = dict(reversed(list(ng.nodes.items())))
    nodes["fc-1/x"] = nodes.pop("2")
    edges = [tuple("fc-1/x" if e == "2" else e for e in edge) for edge in reversed(ng.edges)]
    g = from_nir(nir.NIRGraph(nodes=nodes, edges=edges, type_check=False))
    assert [n.op for n in g] == ["input", "linear", "lif", "linear", "lif", "output"]
    assert "fc_1_x" in g


def test_nested_graph_is_flattened():
    rng = np.random.default_rng(7)
    tau = np.full(4, 2 * DT)
    sub = nir.NIRGraph(nodes={"i": nir.Input(np.array([4])),
                              "lif": nir.LIF(tau=tau, r=tau / DT, v_leak=np.zeros(4), v_threshold=np.ones(4)),
                              "o": nir.Output(np.array([4]))},
                       edges=[("i", "lif"), ("lif", "o")])
    ng = nir.NIRGraph(nodes={"in": nir.Input(np.array([3])), "block": sub, "out": nir.Output(np.array([4])),
                             "fc": nir.Linear(weight=rng.normal(0, 1, (4, 3)).astype(F))},
                      edges=[("in", "fc"), ("fc", "block"), ("block", "out")])
    g = from_nir(ng)
    assert [(n.name, n.op) for n in g] == [("in", "input"), ("fc", "linear"), ("block.lif", "lif"), ("out", "output")]
    assert g["block.lif"].operands == ["fc"]


def test_conv_pool_flatten_graph():
    rng = np.random.default_rng(8)
    conv = nir.Conv2d(input_shape=(8, 8), weight=rng.normal(0, 1, (4, 2, 3, 3)).astype(F), stride=1,
                      padding="same", dilation=1, groups=1, bias=np.zeros(4, F))
    tau = np.full((4, 8, 8), 2 * DT)
    nodes = {"in": nir.Input(np.array([2, 8, 8])), "conv": conv,
             "lif": nir.LIF(tau=tau, r=tau / DT, v_leak=np.zeros_like(tau), v_threshold=np.ones_like(tau)),
             "pool": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
             "flat": nir.Flatten(input_type={"input": np.array([4, 4, 4])}, start_dim=0, end_dim=-1),
             "fc": nir.Affine(weight=rng.normal(0, 1, (3, 64)).astype(F), bias=np.zeros(3, F)),
             "out": nir.Output(np.array([3]))}
    chain = list(nodes)
    g = from_nir(nir.NIRGraph(nodes=nodes, edges=list(zip(chain, chain[1:]))))
    assert [n.op for n in g] == ["input", "conv2d", "lif", "sumpool2d", "flatten", "linear", "output"]
    assert g["conv"].attrs["padding"] == (1, 1) and "bias" not in g["conv"].params   # NIR's zero bias = none
    assert g["flat"].type.shape == (64,)


def test_flatten_of_middle_dims_becomes_reshape():
    ng = nir.NIRGraph(nodes={"in": nir.Input(np.array([2, 3, 4])),
                             "f": nir.Flatten(input_type={"input": np.array([2, 3, 4])}, start_dim=0, end_dim=1),
                             "out": nir.Output(np.array([6, 4]))},
                      edges=[("in", "f"), ("f", "out")])
    g = from_nir(ng)
    assert g["f"].op == "reshape" and g["f"].type.shape == (6, 4)


def test_threshold_metadata_hints_and_dt():
    ng = nir.NIRGraph(nodes={"in": nir.Input(np.array([2]), metadata={"dtype": "spike"}),
                             "fc": nir.Linear(weight=np.ones((3, 2), F)),
                             "th": nir.Threshold(threshold=np.full(3, 0.5)),
                             "lif": nir.LIF(tau=np.full(3, 2e-3), r=np.full(3, 2.0), v_leak=np.zeros(3),
                                            v_threshold=np.ones(3), metadata={"reset": "subtract", "compare": "??"}),
                             "out": nir.Output(np.array([3]))},
                      edges=[("in", "fc"), ("fc", "th"), ("th", "lif"), ("lif", "out")], metadata={"dt": 1e-3})
    g = from_nir(ng)
    assert g["in"].attrs["dtype"] == "spike" and g["th"].attrs["compare"] == "gt"
    assert (g["lif"].attrs["reset"], g["lif"].attrs["compare"]) == ("subtract", "gt")   # invalid hint ignored
    assert g.attrs["dt"] == 1e-3
    np.testing.assert_allclose(g.param("lif", "beta"), 0.5, rtol=1e-7)              # 1 − 1e-3/2e-3
    # gain r·dt/τ = 1, but the IR's float lif takes float input: the spikes get a unit scale
    assert [n.op for n in g] == ["input", "linear", "threshold", "scale", "lif", "output"]
    np.testing.assert_array_equal(g.param("lif_in", "scale"), 1.0)
    g2 = from_nir(ng, dt=1e-4)
    assert g2.attrs["dt"] == 1e-4
    np.testing.assert_allclose(g2.param("lif", "beta"), 0.95, rtol=1e-7)
    np.testing.assert_allclose(g2.param("lif_in", "scale"), 0.1, rtol=1e-6)        # 2·1e-4/2e-3
