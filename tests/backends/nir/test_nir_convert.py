"""Discrete ↔ continuous neuron parameters of the NIR bridge (backends/nir/convert.py; export and import)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from snnc.backends.nir import convert

DTS = [1e-4, 1e-3, 0.37, 1.0, 3.3e-5]


@pytest.mark.parametrize("dt", DTS)
def test_beta_tau_round_trip_is_bit_exact(dt):
    rng = np.random.default_rng(0)
    beta = np.concatenate([rng.uniform(0, 1, 20000), rng.uniform(-2, 3, 5000),
                           10.0 ** rng.uniform(-8, 0, 5000), [0.0, 0.5, 1.0]]).astype(np.float32)
    tau = convert.tau_from_beta(beta, dt)
    assert tau.dtype == np.float64
    back = convert.beta_from_tau(tau, dt)
    assert back.dtype == np.float32
    np.testing.assert_array_equal(back, beta)


@given(st.floats(np.float32(1e-7).item(), 1.0, width=32), st.sampled_from(DTS))
def test_beta_round_trip_property(beta, dt):
    b = np.float32(beta)
    assert convert.beta_from_tau(convert.tau_from_beta(b, dt), dt) == b


@pytest.mark.parametrize("dt", DTS)
def test_gain_and_bias_round_trip_is_bit_exact(dt):
    rng = np.random.default_rng(1)
    beta = rng.uniform(0, 0.999, 20000).astype(np.float32)
    tau = convert.tau_from_beta(beta, dt)
    g = (rng.uniform(-3, 3, 20000) * 10.0 ** rng.integers(-6, 6, 20000)).astype(np.float32)
    np.testing.assert_array_equal(convert.gain_from_r(convert.r_from_gain(g, tau, dt), tau, dt), g)
    np.testing.assert_array_equal(convert.bias_from_v_leak(convert.v_leak_from_bias(g, tau, dt), tau, dt), g)


def test_snntorch_encoding_is_a_unit_gain():
    # snnTorch: tau = dt/(1-beta), r = tau/dt, all float32 (its numpy arrays stay float32)
    dt = 1e-4
    beta = np.random.default_rng(2).uniform(0.5, 0.99, 1000).astype(np.float32)
    tau = (np.float32(dt) / (1 - beta)).astype(np.float32)
    r = (tau / np.float32(dt)).astype(np.float32)
    g = convert.gain_from_r(r, tau, dt)
    assert not np.all(g == 1)          # float32 noise …
    assert convert.is_unit(g)          # … which the tolerance absorbs
    assert not convert.is_unit(np.float32([1.001]))


def test_beta_one_is_infinite_tau_and_unit_gain():
    dt = 1e-4
    tau = convert.tau_from_beta(np.float32([1.0]), dt)
    assert np.isinf(tau).all()
    r = convert.r_from_gain(1.0, tau, dt)
    assert convert.gain_from_r(r, tau, dt)[0] == 1.0
    assert convert.beta_from_tau(tau, dt)[0] == 1.0
    assert convert.bias_from_v_leak(0.0, tau, dt)[0] == 0.0


def test_formulas():
    dt, tau = 1e-3, np.array([2e-3, 5e-3])
    np.testing.assert_allclose(convert.beta_from_tau(tau, dt), [0.5, 0.8], rtol=1e-7)
    np.testing.assert_allclose(convert.gain_from_r([3.0, 5.0], tau, dt), [1.5, 1.0], rtol=1e-7)
    np.testing.assert_allclose(convert.bias_from_v_leak([0.4, 1.0], tau, dt), [0.2, 0.2], rtol=1e-7)
