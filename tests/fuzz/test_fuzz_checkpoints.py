"""Mutated checkpoints (structure and values: NaN, Inf, huge, wrong types, wrong shapes, deep
nesting): `snnc.load` builds a model or raises an snnc error, never anything else, never hangs
and never allocates what the file does not hold."""
import io

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzzhelp import examples, record, time_limit
from snnc import models
from snnc.checkpoint import FORMAT, VERSION, checksum, load
from snnc.errors import SnncError

HOSTILE = [float("nan"), float("inf"), -float("inf"), 1e300, -1, 0, 1, 10 ** 9, 2 ** 63, "x", "", None, True,
           [], {}, [1] * 3, {"a": 1}, [[[[[[1]]]]]], 3.5, "mlp", "transformer"]
ARCHS = {"mlp": {"hidden": [8]}, "cnn": {"channels": [2, 2], "fc_hidden": 4},
         "resnet": {"channels": [2, 2]}, "transformer": {"embed_dim": 4, "heads": 1}}


def deep(n):
    x = 1
    for _ in range(n):
        x = [x]
    return x


@st.composite
def payloads(draw):
    arch = draw(st.sampled_from(sorted(ARCHS)))
    torch.manual_seed(0)
    model = models.build(arch, T=2, **ARCHS[arch])
    config = dict(model.config)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    payload = {"format": FORMAT, "version": VERSION, "arch": arch, "config": config, "state_dict": state,
               "metadata": {}}
    value = st.sampled_from(HOSTILE) | st.integers() | st.floats() | st.text(max_size=5) \
        | st.integers(1, 5000).map(deep)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(["config", "config", "config-new", "state", "state", "top", "metadata"]))
        if where == "config":
            config[draw(st.sampled_from(sorted(config)))] = draw(value)
        elif where == "config-new":
            config[draw(st.text(max_size=6))] = draw(value)
        elif where == "state":
            key = draw(st.sampled_from(sorted(state)))
            t = state[key]
            kind = draw(st.sampled_from(["nan", "inf", "huge", "shape", "dtype", "drop", "extra"]))
            if kind in ("nan", "inf", "huge") and t.is_floating_point() and t.numel():
                t.view(-1)[0] = {"nan": float("nan"), "inf": float("inf"), "huge": 3e38}[kind]
            elif kind == "shape":
                state[key] = torch.zeros(t.numel() + 1)
            elif kind == "dtype":
                state[key] = t.to(torch.int64)
            elif kind == "drop":
                del state[key]
            else:
                state[key + "_extra"] = torch.zeros(3)
        elif where == "top":
            payload[draw(st.sampled_from(["arch", "config", "metadata", "state_dict", "version"]))] = draw(value)
        else:
            payload["metadata"] = draw(value)
    if isinstance(payload["state_dict"], dict):
        try:
            payload["checksum"] = checksum(payload["state_dict"])
        except SnncError:
            payload["checksum"] = "sha256:0"
    else:
        payload["checksum"] = "sha256:0"
    return payload


@settings(max_examples=examples(60), deadline=None)
@given(payloads())
def test_mutated_checkpoints_load_or_raise_snnc_errors(tmp_path_factory, payload):
    path = tmp_path_factory.mktemp("ck") / "c.pt"
    buf = io.BytesIO()
    try:
        torch.save(payload, buf)
    except (RecursionError, ValueError, TypeError):
        record("checkpoint", "unsavable (skipped)")
        return
    path.write_bytes(buf.getvalue())
    with time_limit("checkpoint"):
        try:
            load(path)
        except SnncError as e:
            assert "\n" not in str(e).strip(), str(e)
            record("checkpoint", type(e).__name__)
        else:
            record("checkpoint", "loaded")
