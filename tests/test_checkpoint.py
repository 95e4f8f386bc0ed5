"""Checkpoints: exact round trip, and every broken or unsafe file is a CheckpointError."""
import os
import pickle

import numpy as np
import pytest
import torch

from snnc import models
from snnc.checkpoint import FORMAT, VERSION, checksum, evaluate, load, read, save
from snnc.errors import CheckpointError, ConfigError

MARKER_NAME = "snnc_pwned_marker"


class Evil:
    """Unpickling this would create a marker file (if the loader executed code)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _model(**config):
    torch.manual_seed(0)
    return models.build("mlp", T=4, hidden=[16], **config).eval()


def _payload(model, **changes):
    state = {k: v.clone() for k, v in model.state_dict().items()}
    payload = {"format": FORMAT, "version": VERSION, "arch": model.arch, "config": dict(model.config),
               "state_dict": state, "checksum": checksum(state), "metadata": {}}
    payload.update(changes)
    return payload


@pytest.mark.parametrize("arch,config", [
    ("mlp", {"quant": "tawq"}),
    ("mlp", {"quant": "ternary", "dropout": 0.1}),
    ("cnn", {"quant": "ternary", "channels": [4, 8], "fc_hidden": 16}),
    ("transformer", {"quant": "lsq", "quant_opts": {"bits": 2}, "embed_dim": 8}),
])
def test_save_load_gives_identical_outputs(tmp_path, arch, config):
    torch.manual_seed(1)
    model = models.build(arch, T=4, **config).eval()
    with torch.no_grad():  # move BatchNorm statistics and PLIF decays away from their initial values
        for name, buf in model.named_buffers():
            if buf.is_floating_point():
                buf.add_(0.1 * torch.rand_like(buf))
    x = torch.rand(4, 5, *model.config["input_shape"])
    meta = {"method": "direct", "seed": 3, "accuracy": np.float32(0.5), "torch": torch.__version__}
    path = save(model, tmp_path / "m.pt", meta)
    loaded = load(path)
    assert not loaded.training
    assert loaded.arch == arch and loaded.config == model.config
    assert loaded.metadata == {"method": "direct", "seed": 3, "accuracy": 0.5, "torch": str(torch.__version__)}
    with torch.no_grad():
        assert torch.equal(model(x), loaded(x))


def test_malicious_pickle_is_refused_without_running_code(tmp_path):
    marker = tmp_path / MARKER_NAME
    evil_zip = tmp_path / "evil.pt"
    torch.save({"format": FORMAT, "version": VERSION, "payload": Evil(marker)}, evil_zip)
    evil_raw = tmp_path / "evil.pkl"
    evil_raw.write_bytes(pickle.dumps(Evil(marker), protocol=2))
    assert not marker.exists()
    for path in (evil_zip, evil_raw):
        with pytest.raises(CheckpointError) as info:
            load(path)
        assert "\n" not in str(info.value)
        assert not marker.exists()
    with pytest.raises(CheckpointError, match="could run code"):
        load(evil_zip)
    assert not marker.exists()


def test_whole_module_pickle_is_refused(tmp_path):
    torch.save(_model(), tmp_path / "module.pt")
    with pytest.raises(CheckpointError, match="could run code"):
        load(tmp_path / "module.pt")


def test_truncated_file(tmp_path):
    path = save(_model(), tmp_path / "m.pt")
    data = path.read_bytes()
    for cut in (len(data) // 2, 10, 0):
        path.write_bytes(data[:cut])
        with pytest.raises(CheckpointError, match="truncated or corrupted|not a torch checkpoint"):
            load(path)


def test_corrupted_weights_fail_the_checksum(tmp_path):
    model = _model()
    path = save(model, tmp_path / "m.pt")
    data = bytearray(path.read_bytes())
    raw = model.state_dict()["layers.0.weight"].numpy().tobytes()
    at = bytes(data).find(raw[:64])
    assert at > 0
    data[at + 8:at + 16] = b"\x7f" * 8
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="corrupted"):
        load(path)


def test_garbage_file(tmp_path):
    path = tmp_path / "garbage.pt"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(CheckpointError):
        load(path)


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        load(tmp_path / "nowhere.pt")


def test_unknown_architecture(tmp_path):
    torch.save(_payload(_model(), arch="lstm"), tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match="unknown architecture 'lstm'"):
        load(tmp_path / "m.pt")


def test_state_dict_that_does_not_fit(tmp_path):
    small = _model()
    config = dict(small.config, hidden=[32])
    torch.save(_payload(small, config=config), tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match="do not fit"):
        load(tmp_path / "m.pt")


def test_bad_config_and_other_formats(tmp_path):
    model = _model()
    torch.save(_payload(model, config=dict(model.config, neuron="hodgkin-huxley")), tmp_path / "cfg.pt")
    with pytest.raises(CheckpointError, match="cannot rebuild"):
        load(tmp_path / "cfg.pt")
    torch.save(model.state_dict(), tmp_path / "sd.pt")
    with pytest.raises(CheckpointError, match="not an snnc checkpoint"):
        load(tmp_path / "sd.pt")
    torch.save(_payload(model, version=99), tmp_path / "v99.pt")
    with pytest.raises(CheckpointError, match="version 99"):
        load(tmp_path / "v99.pt")
    torch.save({k: v for k, v in _payload(model).items() if k != "checksum"}, tmp_path / "nocs.pt")
    with pytest.raises(CheckpointError, match="incomplete"):
        read(tmp_path / "nocs.pt")


def test_save_refuses_what_it_cannot_describe(tmp_path):
    with pytest.raises(CheckpointError, match="arch"):
        save(torch.nn.Linear(2, 2), tmp_path / "lin.pt")
    with pytest.raises(CheckpointError, match="plain data"):
        save(_model(), tmp_path / "m.pt", {"callback": print})
    assert not (tmp_path / "m.pt").exists()


class _Compiled:
    """A stand-in for a compiled model: `run(x)` on NumPy, `[T, B, C]` out."""

    def __init__(self, model):
        self.model, self.metadata = model, {"T": 4, "encoding": "direct", "input_shape": [64]}

    def run(self, x):
        with torch.no_grad():
            return self.model(torch.from_numpy(x)).numpy()


def test_evaluate_accepts_path_module_and_runner(tmp_path):
    model = _model()
    path = save(model, tmp_path / "m.pt", {"T": 4, "encoding": "direct"})
    by_path, by_module, by_runner = evaluate(path), evaluate(model), evaluate(_Compiled(model))
    assert by_path["n"] == 359 and by_path["split"] == "test"
    assert by_path["accuracy"] == by_module["accuracy"] == by_runner["accuracy"]
    assert 0.0 <= by_path["accuracy"] <= 1.0
    assert evaluate(model, split="train")["n"] == 1438
    with pytest.raises(ConfigError, match="cannot run"):
        evaluate(object())


def test_evaluate_uses_the_recorded_encoding(tmp_path):
    model = _model()
    model.metadata = {"encoding": "rate", "data_seed": 5}
    assert evaluate(model)["encoding"] == "rate"
    direct = evaluate(model, encoding="direct")
    assert direct["encoding"] == "direct" and direct["T"] == 4


SHIPPED = ("digits_fp_mlp", "digits_tawq_mlp", "digits_ternary_cnn", "digits_qsd_transformer")
CHECKPOINTS = os.path.join(os.path.dirname(__file__), "..", "examples", "checkpoints")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_checkpoint_reaches_its_recorded_accuracy(name):
    path = os.path.join(CHECKPOINTS, f"{name}.pt")
    assert os.path.getsize(path) < 1_000_000
    model = load(path)
    meta = model.metadata
    assert meta["name"] == name and meta["dataset"] == "digits" and meta["encoding"] == "direct"
    assert meta["input_scale"] == 1 / 16 and meta["input_bits"] == 5 and 4 <= meta["T"] <= 8
    result = evaluate(model)
    # equal on the machine that trained it; one test image of slack for other CPUs' float rounding
    assert abs(result["accuracy"] - meta["accuracy"]) <= 1 / result["n"] + 1e-9
    assert result["accuracy"] >= 0.9


@pytest.mark.parametrize("name,method,bits,time_varying", [
    ("digits_fp_mlp", "fp", 32, False),
    ("digits_tawq_mlp", "tawq", 2, True),
    ("digits_ternary_cnn", "ternary", 2, False),
    ("digits_qsd_transformer", "lsq", 2, False),
])
def test_shipped_checkpoint_weights_are_what_the_name_says(name, method, bits, time_varying):
    model = load(os.path.join(CHECKPOINTS, f"{name}.pt"))
    layers = [m.deployable() for m in model.modules() if callable(getattr(m, "deployable", None))]
    assert layers and all(d.method == method and d.bits == bits for d in layers)
    assert all(d.time_varying == time_varying for d in layers)
    if method in ("tawq", "ternary"):
        assert all(set(np.unique(d.weight).tolist()) <= {-1, 0, 1} for d in layers)
    if name == "digits_ternary_cnn":
        assert model.config["neuron"] == "plif"
    if name == "digits_qsd_transformer":
        assert model.config["neuron"] == "ielif"
