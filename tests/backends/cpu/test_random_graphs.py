"""Exactness on random integer graphs: the C model's outputs EQUAL the reference interpreter's.

Two generators, 300 graphs in all, built in batches of ten per compiler run (one library,
`cpu_run_many`) at -O0:
* `strategies.graphs` (integer family with every opt-in op): linear / conv2d / pools / add /
  scale / affine / reshape / spike_matmul / threshold / the integer neurons / multispike_int,
  static and time-varying weights and parameters, odd sizes up to 150; the synaptic kernel is
  drawn (auto, bitplane, event, direct), and so are the build (-march=native, i.e. AVX-512 on
  machines that have it; no -march; `portable`: plain C with the SWAR popcount; the AVX2 and AVX-512 paths
  forced where this CPU runs them) and the block of samples a
  thread runs at once (1 or 2 make a batch span several blocks, each restarting the state);
* `cpuhelp.networks`: MLP / CNN chains at word-boundary sizes with ternary or k-bit weights,
  k-bit inputs and graded spikes, which exercise the bit-plane and event kernels.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies
from cpuhelp import assert_many_match_reference, inputs_for, networks
from snnc.backends.cpu import simd

INTEGER_OPS = strategies.INTEGER_OPS + ("scale", "affine", "reshape", "spike_matmul")
KERNELS = st.sampled_from(["auto", "bitplane", "event", "direct"])
BUILD = st.sampled_from([{"march": "native"}, {"march": ""}, {"portable": True}]
                        + [{"simd": p} for p in ("avx2", "avx512") if simd.can_run(p)])
BLOCK = st.sampled_from([0, 1, 2])          # samples per block (0: automatic, one block at these sizes)
BATCH = 10


@st.composite
def network_cases(draw):
    g = draw(networks())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    T, B = draw(st.integers(1, 8)), draw(st.integers(1, 5))
    return g, inputs_for(g, T, B, rng, density=float(rng.choice([0.05, 0.3, 0.9])))


GRAPH_CASES = strategies.graphs_and_inputs(float_ops=False, integer=True, ops=INTEGER_OPS, max_outputs=2,
                                           max_T=7, max_B=3, max_features=150)


@pytest.mark.slow
@settings(max_examples=18)
@given(st.lists(GRAPH_CASES, min_size=BATCH, max_size=BATCH), KERNELS, BUILD, BLOCK)
def test_random_integer_graphs_equal_reference(cases, kernels, build, block):
    assert_many_match_reference(cases, kernels=kernels, block=block, **build)


@pytest.mark.slow
@settings(max_examples=12)
@given(st.lists(network_cases(), min_size=BATCH, max_size=BATCH), KERNELS, BUILD, BLOCK)
def test_random_networks_equal_reference(cases, kernels, build, block):
    assert_many_match_reference(cases, kernels=kernels, block=block, **build)


@settings(max_examples=2)
@given(st.lists(GRAPH_CASES, min_size=5, max_size=5), st.lists(network_cases(), min_size=5, max_size=5), KERNELS)
def test_random_graphs_smoke(cases, nets, kernels):
    assert_many_match_reference(cases + nets, kernels=kernels)
