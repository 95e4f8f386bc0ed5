"""Core mapping: splitting layers over cores, per-core usage, refusals, mapping.json / mapping.md."""
import json
from pathlib import Path

import numpy as np
import pytest

import snnc
import snnc.backends.loihi
from loihelp import cnn, mlp, network, ternary
from snnc.backends.loihi import map_network
from snnc.backends.loihi.mapping import (_LayerCost, chunk_bounds, destination_cores, input_axons,
                                         synapses_per_neuron)
from snnc.backends.loihi.network import Layer, Network, Neuron, Readout
from snnc.backends.loihi.options import LoihiOptions
from snnc.backends.loihi.report import md, render_markdown, render_reports
from snnc.backends.target import TargetError


def dense(name, w, spiking=True):
    neuron = Neuron(4096, 1024, 100, spiking=spiking)
    readout = None if spiking else Readout("u", np.ones(w.shape[0]), np.zeros(w.shape[0]))
    return Layer(name=name, kind="dense", shape=(w.shape[0],), in_shape=(w.shape[1],), weight=w.astype(np.int64),
                 neuron=neuron, readout=readout)


def chain(*layers):
    return Network(name="net", input_name="x", input_shape=layers[0].in_shape, input_dtype="spike",
                   input_message_bits=0, layers=list(layers), output_name="y", output_shape=layers[-1].shape)


def test_small_network_takes_one_core_per_layer():
    rng = np.random.default_rng(0)
    w1, w2 = ternary(rng, (100, 64)), ternary(rng, (10, 100))
    m = map_network(chain(dense("h", w1), dense("o", w2, spiking=False)))
    assert [layer.cores for layer in m.layers] == [1, 1] and m.total_cores == 2 and m.fits
    h, o = m.layers
    assert h.neurons == 100 and h.fan_in == 64 and h.synapses == 6400
    assert h.nonzero_synapses == int(np.count_nonzero(w1))
    assert h.max_input_axons == int(np.any(w1 != 0, axis=0).sum())
    assert h.max_output_axons == int(np.any(w2 != 0, axis=0).sum())     # one axon to the next layer's core
    assert o.max_output_axons == 0                                       # a readout is probed by the host
    assert h.weight_bits == 2                                            # ternary: sign + 1 bit
    assert json.loads(json.dumps(m.as_dict()))["total_cores"] == 2


def test_a_layer_larger_than_a_core_is_split():
    rng = np.random.default_rng(1)
    w1, w2 = ternary(rng, (3000, 64)), ternary(rng, (10, 3000), density=0.9)
    m = map_network(chain(dense("wide", w1), dense("o", w2, spiking=False)))
    wide = m.layers[0]
    assert wide.cores == 3 and wide.compartments_per_core == 1000
    assert [c["compartments"] for c in wide.cores_detail] == [1000, 1000, 1000]
    for c in wide.cores_detail:
        assert c["compartments"] <= 1024 and c["input_axons"] <= 64
    assert m.total_cores == 4


def test_synapse_memory_and_output_axons_split_layers_too():
    rng = np.random.default_rng(2)
    w1, w2 = ternary(rng, (200, 500), density=1.0), ternary(rng, (300, 200), density=1.0)
    opts = LoihiOptions(synapse_bits_per_core=200_000)
    m = map_network(chain(dense("a", w1), dense("b", w2)), opts)
    a = m.layers[0]
    # 200 neurons × 500 synapses × 2 bits = 200000 bits would just fit; the sparse format costs more, so:
    assert a.cores == 1 and a.max_synapse_bits <= 200_000
    m = map_network(chain(dense("a", w1), dense("b", w2)), LoihiOptions(synapse_bits_per_core=50_000))
    assert m.layers[0].cores == 4 and all(c["synapse_bits"] <= 50_000 for c in m.layers[0].cores_detail)
    # 'b' split in k cores → every neuron of 'a' needs k output axons
    m = map_network(chain(dense("a", w1), dense("b", w2)), LoihiOptions(compartments_per_core=100))
    assert m.layers[1].cores == 3
    assert m.layers[0].max_output_axons == 100 * 3
    m = map_network(chain(dense("a", w1), dense("b", w2)),
                    LoihiOptions(compartments_per_core=100, output_axons_per_core=150))
    assert m.layers[0].compartments_per_core == 50 and m.layers[0].max_output_axons == 150


def test_a_neuron_too_big_for_any_core_is_refused_with_the_numbers():
    w = np.ones((4, 5000), np.int8)
    with pytest.raises(TargetError) as e:
        map_network(chain(dense("huge", w)))
    msg = str(e.value)
    assert "%huge" in msg and "input axons 5000 > 4096" in msg and "input_axons_per_core" in msg


def test_a_model_larger_than_the_chip_is_refused_naming_the_layer():
    rng = np.random.default_rng(3)
    layers = [dense("l1", ternary(rng, (2000, 64))), dense("l2", ternary(rng, (3000, 2000))),
              dense("o", ternary(rng, (10, 3000)), spiking=False)]
    m = map_network(chain(*layers), strict=False)
    # l2: 2000 input axons × 2-bit weights per compartment: 2^20 bits hold 262 → 12 cores of 250;
    # l1: each neuron then feeds 12 cores: 4096 output axons hold 341 neurons → 6 cores of 334
    assert [layer.cores for layer in m.layers] == [6, 12, 1] and m.total_cores == 19
    assert m.layers[1].compartments_per_core == 250 and m.layers[0].max_output_axons == 334 * 12
    with pytest.raises(TargetError) as e:
        map_network(chain(*layers), LoihiOptions(cores_per_chip=10))
    msg = str(e.value)
    assert "%l2" in msg and "3000 neurons" in msg and "needs 12 cores" in msg and "total to 18 of 10" in msg
    assert "19 cores, 2 chips" in msg and "chips=2" in msg
    m = map_network(chain(*layers), LoihiOptions(cores_per_chip=10, chips=2))
    assert m.fits and m.chips_needed == 2
    assert not map_network(chain(*layers), LoihiOptions(cores_per_chip=10), strict=False).fits


def test_conv_counts_exclude_padding_and_bound_the_receptive_field():
    rng = np.random.default_rng(4)
    net = network(cnn(rng))
    conv = net.layers[0]                                                 # 4×8×8, 3×3 kernel, padding 1
    total, nz = synapses_per_neuron(conv)
    assert total.reshape(4, 8, 8)[0, 0, 0] == 4 and total.reshape(4, 8, 8)[0, 3, 3] == 9
    w = conv.weight
    assert nz.reshape(4, 8, 8)[1, 3, 3] == np.count_nonzero(w[1])
    assert input_axons(conv, 0, conv.neurons) == 64                       # all of the 1×8×8 input
    assert input_axons(conv, 0, 8) == 2 * 8                              # first output row: input rows 0–1
    pool = net.layers[1]
    assert input_axons(pool, 0, 16) == 64                                # one channel map: 8×8 inputs
    assert destination_cores(conv, pool, 16).max() == 1                  # each pool core = one channel map
    assert destination_cores(conv, pool, 1).reshape(4, 8, 8)[0, 0, 0] == 1


def test_reports_are_rendered_and_sanitized():
    rng = np.random.default_rng(5)
    net = network(cnn(rng))
    m = map_network(net)
    files = render_reports(net, m)
    data = json.loads(files["mapping.json"])
    assert data["total_cores"] == m.total_cores and data["delay_steps"] == 5
    assert data["compartments"][0]["vth_mant"] == net.layers[0].neuron.vth_mant
    text = files["mapping.md"]
    assert "| `conv0`" not in text and "| `lif0` | conv |" in text
    assert "input_message_bits=5" in text and "reset_interval=5, reset_offset=1" in text
    net.layers[0].name = "evil|`name`<script>\n| x"
    bad = render_markdown(net, m.__class__(**{**m.__dict__}))
    line = next(ln for ln in bad.splitlines() if "evil" in ln)
    assert "<script>" not in bad and "evil\\|'name'&lt;script&gt; \\| x" in line
    assert md("a|b`c") == "a\\|b'c"


def test_a_conv_layer_larger_than_a_core_is_split_along_channel_maps_and_rows():
    net = network(cnn(np.random.default_rng(6), channels=(32, 6)))
    m = map_network(net)
    conv = m.layers[0]                                                   # 32×8×8 = 2048 compartments
    assert conv.cores == 2 and conv.compartments_per_core == 1024        # 16 whole channel maps per core
    assert all(c["input_axons"] == 64 for c in conv.cores_detail)
    # whole rows: with a 3×3 kernel and padding 1, 4 output rows at the top or bottom of an 8-row map read
    # 5 input rows of 8 = 40 axons; 8 rows (a whole map) would read 64
    cost = _LayerCost(net.layers[0], LoihiOptions(input_axons_per_core=40).limits(), None)
    assert cost.chunk() == 4 * 8
    assert [input_axons(net.layers[0], lo, hi) for lo, hi in chunk_bounds(2048, 32)][:3] == [40, 40, 40]
    assert input_axons(net.layers[0], 8, 40) == 48                       # rows 1–4 read input rows 0–5


SCHEMA = Path(snnc.backends.loihi.__file__).parent / "mapping.schema.json"


def test_mapping_json_validates_against_its_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for g, options in ((cnn(np.random.default_rng(7)), {}), (mlp(np.random.default_rng(8)), {"chip": "loihi2"})):
        c = snnc.compile(g, target="loihi", out_dir=tmp_path / g.name, **options)
        data = json.loads(c.artifacts["mapping"].read_text())
        jsonschema.validate(data, schema)
        assert data["schema"] == schema["$id"]
    data["layers"][0]["cores"] = 0                    # the schema is not a formality: it refuses nonsense
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_multi_chip_mapping_places_cores_on_chips_in_layer_order(tmp_path):
    g = cnn(np.random.default_rng(9), channels=(32, 6))
    c = snnc.compile(g, target="loihi", out_dir=tmp_path / "out", cores_per_chip=2, chips=4)
    data = json.loads(c.artifacts["mapping"].read_text())
    chips = [core["chip"] for layer in data["layers"] for core in layer["cores_detail"]]
    assert chips == sorted(chips) and chips == [i // 2 for i in range(len(chips))]
    assert data["chips_needed"] == len(data["chips"]) == max(chips) + 1 > 1
    assert sum(ch["cores"] for ch in data["chips"]) == data["total_cores"]
    for layer in data["layers"]:
        assert layer["chips"] == sorted({core["chip"] for core in layer["cores_detail"]})
    text = c.artifacts["mapping_table"].read_text()
    assert f"{data['chips_needed']} chip(s) of 2 cores" in text and "| chip | cores | layers |" in text
    with pytest.raises(TargetError, match=r"chips=\d+"):
        snnc.compile(g, target="loihi", cores_per_chip=2, chips=1)


def test_chip_generation_sets_the_default_limits():
    g = cnn(np.random.default_rng(10), channels=(32, 6))
    one = map_network(network(g), LoihiOptions(chip="loihi1"))
    two = map_network(network(g), LoihiOptions(chip="loihi2"))
    assert one.limits["compartments_per_core"] == 1024 and two.limits["compartments_per_core"] == 8192
    assert one.layers[0].cores == 2 and two.layers[0].cores == 1        # 2048 compartments: 2 Loihi cores, 1 Loihi 2
    mixed = LoihiOptions(chip="loihi2", compartments_per_core=512).limits()
    assert mixed["compartments_per_core"] == 512 and mixed["cores_per_chip"] == 128
    with pytest.raises(TargetError, match="chip"):
        snnc.compile(g, target="loihi", chip="loihi3")
