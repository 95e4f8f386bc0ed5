"""The bit-accurate CUBA simulator against traces worked out by hand (Lava's fixed-point model)."""
import numpy as np
import pytest

from snnc.backends.loihi import chip
from snnc.backends.loihi.network import Layer, Network, Neuron, Readout
from snnc.backends.loihi.simulator import Compartments, decay, simulate, wrap_current


def dense(name, weight, neuron, bias=None, readout=None):
    w = np.asarray(weight, np.int64)
    return Layer(name=name, kind="dense", shape=(w.shape[0],), in_shape=(w.shape[1],), weight=w, neuron=neuron,
                 bias=None if bias is None else np.asarray(bias, np.int64), readout=readout)


def network(layers, n_in, bits=0, out_shape=None):
    return Network(name="n", input_name="x", input_shape=(n_in,), input_dtype="spike" if not bits else f"int<{bits}>",
                   input_message_bits=bits, layers=layers, output_name="y",
                   output_shape=out_shape or layers[-1].shape, timesteps=None)


def test_decay_rounds_the_magnitude_down_and_keeps_the_sign():
    # 101 · 3072 = 310272; >> 12 = 75 (75.75 rounded toward zero); a floor would give -76 for -101
    assert decay(np.array([101, -101, 0]), 1024).tolist() == [75, -75, 0]
    assert decay(np.array([-5, 5]), 0).tolist() == [-5, 5]              # vDecay 0 keeps the state
    assert decay(np.array([-5, 5]), 4096).tolist() == [0, 0]            # 4096 clears it
    assert decay(np.array([-1]), 1).tolist() == [0]                     # 4095 >> 12 = 0


def test_current_wraps_once_and_voltage_saturates():
    lim = 1 << 23
    assert wrap_current(np.array([lim, lim + 1, -lim + 1, -lim])).tolist() == [lim, -lim + 1, -lim + 1, lim]
    c = Compartments(dense("l", [[1]], Neuron(4096, 0, chip.VTH_MANT_MAX)), 1)
    c.v[:] = -chip.V_MAX + 10
    assert c.step(np.array([[-2]])).tolist() == [[0]]
    assert c.v.tolist() == [[-chip.V_MAX]]                              # -128 more saturates
    # above: v saturates at 2^23 - 1, which is above the largest threshold (131071 << 6), so it spikes
    assert chip.V_MAX > chip.VTH_MANT_MAX << chip.VTH_SHIFT
    c.v[:] = chip.V_MAX - 10
    assert c.step(np.array([[1]])).tolist() == [[1]]
    assert c.v.tolist() == [[0]]


def test_current_and_voltage_trace_of_a_negative_input():
    # weight -3, iDecay 1024 (u keeps 3072/4096), vDecay 0 (v integrates), no spike
    c = Compartments(dense("l", [[-3]], Neuron(1024, 0, chip.VTH_MANT_MAX, spiking=False)), 1)
    us, vs = [], []
    for a in (-3, 0, 0, 0, 0):
        c.step(np.array([[a]]))
        us.append(int(c.u[0, 0]))
        vs.append(int(c.v[0, 0]))
    # u: -192; -(192·3072 >> 12) = -144; -108; -81; -(81·3072 = 248832 >> 12 = 60) = -60 (floor: -61)
    assert us == [-192, -144, -108, -81, -60]
    assert vs == [-192, -336, -444, -525, -585]


def test_spike_only_above_the_threshold_then_reset_to_zero():
    c = Compartments(dense("l", [[1]], Neuron(4096, 4096, 2)), 1)      # threshold 2 << 6 = 128
    assert c.step(np.array([[2]])).tolist() == [[0]]                    # v = 128: equal, no spike
    assert c.v.tolist() == [[128]]
    assert c.step(np.array([[3]])).tolist() == [[1]]                    # vDecay 4096: v = 192 > 128
    assert c.v.tolist() == [[0]]


def test_bias_enters_the_voltage_shifted_by_six():
    c = Compartments(dense("l", [[1]], Neuron(4096, 0, chip.VTH_MANT_MAX, spiking=False), bias=[3]), 1)
    c.step(np.array([[0]]))
    c.step(np.array([[1]]))
    assert c.v.tolist() == [[3 * 64 + 3 * 64 + 64]]


def two_layer_example():
    """Layer A: LIF (iDecay 4096, vDecay 2048: β = 1/2), threshold 2 (128), bias [0, 1];
    layer B: a readout of the current with weights [3, -2]."""
    a = dense("A", [[2, 1], [1, -1]], Neuron(4096, 2048, 2), bias=[0, 1])
    b = dense("B", [[3, -2]], Neuron(4096, 4096, chip.VTH_MANT_MAX, spiking=False),
              readout=Readout("u", np.ones(1), np.zeros(1)))
    return network([a, b], 2)


def test_two_layer_example_worked_by_hand():
    x = np.array([[1, 1], [1, 0], [0, 1], [1, 1]])[:, None, :]         # T = 4, B = 1
    # a_A = W x: [3, 0], [2, 1], [1, -1], [3, 0]  (state units ×64; bias [0, 64])
    # neuron 0: v = 192 > 128 spike → 0; 128 (equal, no spike); 64 + 64 = 128 (no); 64 + 192 = 256 spike
    # neuron 1: 64; 32 + 64 + 64 = 160 spike → 0; 0 - 64 + 64 = 0; 0 + 0 + 64 = 64
    # readout a_B = 3·s0 - 2·s1: 3, -2, 0, 3
    res = simulate(two_layer_example(), x)
    assert res.spikes["A"][:, 0].tolist() == [[1, 0], [0, 1], [0, 0], [1, 0]]
    assert res.output[:, 0].tolist() == [[3.0], [-2.0], [0.0], [3.0]]
    assert res.output.dtype == np.float32
    assert res.probes["B"][:, 0, 0].tolist() == [192, -128, 0, 192]    # u = a << 6


def test_each_layer_adds_one_step_of_delay():
    """Step by step, layer A answers input step t at simulator step t + 1 and B at t + 2."""
    net = two_layer_example()
    x = np.array([[1, 1], [0, 0], [0, 0]])[:, None, :]
    state = [Compartments(layer, 1) for layer in net.layers]
    buffers = [np.zeros((1, layer.neurons), np.int64) for layer in net.layers]
    seen = []
    for t in range(5):
        s = x[t] if t < 3 else np.zeros_like(x[0])
        for k, layer in enumerate(net.layers):
            a, buffers[k] = buffers[k], s.reshape(1, -1) @ layer.weight.T
            if t == k + 1:
                state[k].reset()
            s = state[k].step(a)
        seen.append(int(state[1].u[0, 0]) >> 6)
    assert seen == [0, 0, 3, 0, 0]                                      # input at 0 → readout at step 2
    assert simulate(net, x).output[:, 0, 0].tolist() == [3.0, 0.0, 0.0]


def test_staggered_reset_discards_activity_before_the_sample_arrives():
    # a bias of 3 (> threshold 2) makes A spike at every step, also at step 0 before any input;
    # B must only see A's spikes from the steps that answer the input
    a = dense("A", [[0]], Neuron(4096, 4096, 2), bias=[3])
    b = dense("B", [[1]], Neuron(4096, 0, chip.VTH_MANT_MAX, spiking=False),
              readout=Readout("v", np.ones(1), np.zeros(1)))
    out = simulate(network([a, b], 1), np.zeros((3, 1, 1), np.int64)).output[:, 0, 0]
    assert out.tolist() == [1.0, 2.0, 3.0]                               # v integrates 1 per step


def test_graded_input_payload_multiplies_the_weight():
    layer = dense("A", [[2, -1]], Neuron(4096, 4096, chip.VTH_MANT_MAX, spiking=False),
                  readout=Readout("u", np.full(1, 0.5), np.full(1, 1.0)))
    out = simulate(network([layer], 2, bits=5), np.array([[[7, 3]], [[31, 0]]])).output
    assert out[:, 0, 0].tolist() == [0.5 * 11 + 1, 0.5 * 62 + 1]


def test_input_shape_is_checked():
    with pytest.raises(ValueError, match="input"):
        simulate(two_layer_example(), np.zeros((2, 1, 3)))
