"""Every target's `Options` fields are exactly the options `snnc compile -O key=value` accepts for it,
each typed by its field: the text of a valid value parses to the value, an ill-typed one is refused
with the target, the option and the accepted fields named."""
import dataclasses
import typing

import pytest

from snnc.backends import TARGETS, TargetError, get_target
from snnc.cli.compile_cmd import parse_options
from snnc.compiler import route_options
from snnc.errors import ConfigError
from snnc.ir.options import field_types


def text_of(value) -> str | None:
    """How a user types `value` after -O key=, or None when the field has no typed default to write."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, tuple) and all(isinstance(v, str) and " " not in v for v in value):
        return ",".join(value)
    return None


def bad_text(hint) -> str | None:
    """A text that the field's type refuses, or None when the type takes any text."""
    base = typing.get_args(hint)[0] if type(None) in typing.get_args(hint) else hint
    if base in (int, float):
        return "lots"
    if base is bool:
        return "maybe"
    if typing.get_origin(base) is typing.Literal:
        return "no-such-choice"
    return None


CONTRACT = sorted(TARGETS)
CASES = [(name, f.name) for name in CONTRACT for f in dataclasses.fields(get_target(name).Options)]


@pytest.mark.parametrize("name", CONTRACT)
def test_cli_accepts_exactly_the_options_fields(name):
    tgt = get_target(name)
    fields = {f.name for f in dataclasses.fields(tgt.Options)}
    assert tgt.option_names() == fields
    routed = route_options({name: tgt, "reference": get_target("reference")},
                           parse_options([f"{k}=1" for k in fields]))
    assert set(routed[name]) == fields
    with pytest.raises((ConfigError, TargetError), match="no_such_option"):
        tgt.options(parse_options(["no_such_option=1"]))


@pytest.mark.parametrize("name,key", CASES)
def test_each_option_is_typed_by_its_field(name, key):
    tgt = get_target(name)
    field = next(f for f in dataclasses.fields(tgt.Options) if f.name == key)
    hint = field_types(tgt.Options)[key]
    default = field.default if field.default is not dataclasses.MISSING else None
    text = text_of(default)
    if text is not None:
        assert getattr(tgt.options(parse_options([f"{key}={text}"])), key) == default
    bad = bad_text(hint)
    if bad is not None:
        with pytest.raises(TargetError) as e:
            tgt.options(parse_options([f"{key}={bad}"]))
        assert name in str(e.value) and key in str(e.value)


def test_unknown_option_names_target_and_fields():
    with pytest.raises(TargetError) as e:
        get_target("onnx").options(parse_options(["colour=red"]))
    msg = str(e.value)
    assert "unknown onnx target option" in msg and "colour" in msg and "opset (int)" in msg
