"""Hostile checkpoints (issue 12): every field type-checked, configs bounded and compared with the
state dict on the meta device under a parameter budget, before any real allocation."""
import numpy as np
import pytest
import torch

from snnc import models
from snnc.checkpoint import FORMAT, VERSION, checksum, load
from snnc.errors import CheckpointError, ConfigError


def write(path, arch="mlp", config=None, state=None, **changes):
    torch.manual_seed(0)
    model = models.build("mlp", T=4, hidden=[16]).eval()
    state = state if state is not None else {k: v.clone() for k, v in model.state_dict().items()}
    payload = {"format": FORMAT, "version": VERSION, "arch": arch,
               "config": dict(model.config) if config is None else config,
               "state_dict": state, "checksum": checksum(state), "metadata": {}}
    payload.update(changes)
    torch.save(payload, path)
    return path


def mlp_config(**changes):
    return {**models.build("mlp", T=4, hidden=[16]).config, **changes}


@pytest.mark.parametrize("field, value, words", [
    ("arch", ["mlp"], "arch is a list, not a str"),
    ("metadata", ["a", "b"], "metadata is a list, not a dict"),
    ("config", [1, 2], "config is a list, not a dict"),
    ("checksum", 7, "checksum is a int, not a str"),
])
def test_fields_of_the_wrong_type(tmp_path, field, value, words):
    p = write(tmp_path / "c.pt", **{field: value})
    with pytest.raises(CheckpointError, match=words):
        load(p)


def test_non_string_config_keys(tmp_path):
    with pytest.raises(CheckpointError, match="config keys are not strings"):
        load(write(tmp_path / "c.pt", config={1: 2}))


@pytest.mark.parametrize("arch, changes, words", [
    ("mlp", {"hidden": [10 ** 9]}, "hidden must be a non-empty list of integers in 1..1048576"),
    ("mlp", {"T": 10 ** 9}, "T must be an integer in 1..1048576"),
    ("mlp", {"D": 10 ** 9}, "D must be an integer in 1..65536"),
    ("mlp", {"hidden": [16] * 5000}, "at most 1024"),
    ("mlp", {"input_shape": [4096, 4096, 4096]}, "more than 16777216 elements"),
    ("mlp", {"beta": float("nan")}, "beta must be a finite number"),
    ("mlp", {"threshold": "1.0"}, "threshold must be a finite number"),
    ("mlp", {"dropout": "x"}, "dropout must be a finite number"),
    ("transformer", {"depth": 10 ** 9}, "depth must be an integer in 1..1024"),
    ("cnn", {"kernel_size": 0}, "kernel_size must be an integer in 1..64"),
])
def test_configs_are_bounded_before_building(tmp_path, arch, changes, words):
    config = {**models.build(arch, T=4).config, **changes}
    with pytest.raises(CheckpointError, match=words):
        load(write(tmp_path / "c.pt", arch=arch, config=config))


def test_a_config_larger_than_its_weights_is_refused_on_the_meta_device(tmp_path):
    # 10^6 hidden units: on a real device ~64·10^6 floats would be allocated before the mismatch
    with pytest.raises(CheckpointError, match=r"do not fit .*layers.0.weight: the config describes \[1000000, 64\]"):
        load(write(tmp_path / "c.pt", config=mlp_config(hidden=[10 ** 6])))
    # 10^6 channels: over the parameter budget, named with the way out
    config = {**models.build("cnn", T=4).config, "channels": [10 ** 6, 32]}
    with pytest.raises(CheckpointError, match=r"more than the budget of \d+; raise it with max_params"):
        load(write(tmp_path / "d.pt", arch="cnn", config=config))


def test_the_budget_is_overridable(tmp_path):
    p = write(tmp_path / "c.pt")
    with pytest.raises(CheckpointError, match="budget of 100.*max_params"):
        load(p, max_params=100)
    assert isinstance(load(p, max_params=10 ** 6), torch.nn.Module)
    with pytest.raises(ConfigError, match="max_params"):
        load(p, max_params=0)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_weights(tmp_path, value):
    state = {k: v.clone() for k, v in models.build("mlp", T=4, hidden=[16]).state_dict().items()}
    state["layers.0.bias"][3] = value
    with pytest.raises(CheckpointError, match="weight 'layers.0.bias' holds NaN or infinity"):
        load(write(tmp_path / "c.pt", state=state))


def test_quantizer_options_of_the_wrong_type(tmp_path):
    config = mlp_config(quant="tawq", quant_opts={"bits": "two"})
    with pytest.raises(CheckpointError, match="cannot rebuild 'mlp' from its config"):
        load(write(tmp_path / "c.pt", config=config))


def test_a_sound_checkpoint_still_loads(tmp_path):
    m = load(write(tmp_path / "c.pt"))
    x = torch.zeros(4, 1, 64)
    assert np.isfinite(m(x).detach().numpy()).all()
