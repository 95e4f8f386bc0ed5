"""`Compiled.run` on hostile arrays (issue 12): snnc errors, never a bare ValueError from NumPy."""
import numpy as np
import pytest

import snnc
from snnc.backends.reference import InputError, UnprovenError
from snnc.errors import ConfigError

EXAMPLE_IR = "examples/ir/spiking_mlp.snnir"


@pytest.fixture(scope="module")
def compiled():
    from pathlib import Path
    return snnc.compile(Path(__file__).resolve().parents[1] / EXAMPLE_IR, target="reference")


def test_a_ragged_list_is_a_config_error(compiled):
    with pytest.raises(ConfigError, match="nested lists of equal lengths"):
        compiled.run([[[0.0] * 16], [[0.0] * 15]])


@pytest.mark.parametrize("x, words", [
    (np.zeros((4, 1, 15), np.float32), "shape"),
    (np.full((4, 1, 16), np.nan, np.float32), "must already be 0/1"),
    (np.array([["a"] * 16] * 4)[:, None], "array of"),
])
def test_bad_arrays_are_input_errors(compiled, x, words):
    with pytest.raises(InputError, match=words):
        compiled.run(x)


def test_a_run_longer_than_the_proof_is_refused_or_proven(compiled):
    T = compiled.timesteps
    assert compiled.run(np.zeros((T, 1, 16), np.float32)).shape[0] == T
    try:                                    # longer: either proven by the range analysis, or refused
        y = compiled.run(np.ones((50 * T, 1, 16), np.float32))
        assert y.shape[0] == 50 * T
    except UnprovenError as e:
        assert "--timesteps" in str(e)
