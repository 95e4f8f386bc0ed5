"""Typed options: one parser for pass options, target options and the command line.

An owner (a pass, a target) declares its options as a frozen dataclass; the field
names are the option names and the field annotations their types. `parse_options`
turns a dict of raw values into an instance:

* values given from the API keep their Python type and must already be of the
  field's type (``opset="17"`` is refused for an ``int`` field);
* values given as text (the command line's ``-O key=value``, a pipeline's
  ``pass{key=value}``) are `OptionText` and are converted by the field's type:
  ``int``, ``float`` (finite: nan and inf are refused), ``bool`` (true/false/1/0/yes/no), ``str``, ``X | None``
  (``none`` or an empty value gives None), ``Literal[...]`` (one of the choices),
  ``tuple[str, ...]`` (split on commas or spaces); fields typed ``object`` take the
  text as it is and the owner's own checks read it (``field(metadata={"type": …})``
  says in words what such a field takes, for the messages).

Every error has the same form and names the owner, the option and what it takes;
the caller chooses the exception class (a pass raises ConfigError, a target
TargetError), since this module imports nothing outside `ir/`.
"""
from __future__ import annotations

import dataclasses
import math
import numbers
import types
import typing
from typing import Literal

__all__ = ["OptionText", "parse_options", "field_types", "describe_fields", "type_name"]


class OptionText(str):
    """A raw option value written as text (command line, pipeline string): converted by the field's type."""


_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
_NUMBERS = {int: numbers.Integral, float: numbers.Real}


def field_types(options_type) -> dict[str, object]:
    """Field name → resolved annotation of an options dataclass."""
    hints = typing.get_type_hints(options_type)
    return {f.name: hints.get(f.name, object) for f in dataclasses.fields(options_type)}


def type_name(hint) -> str:
    """How an option's type is written in messages: int, bool (true or false), int or none …"""
    if hint is bool:
        return "bool (true or false)"
    if hint is float:
        return "float (a finite number)"
    if typing.get_origin(hint) is Literal:
        return "choice (one of " + "|".join(repr(c) for c in typing.get_args(hint)) + ")"
    args = _optional_args(hint)
    if args is not None:
        return " or ".join(type_name(a) for a in args) + " or none"
    if typing.get_origin(hint) is tuple:
        return "list of " + type_name(typing.get_args(hint)[0])
    if hint is object:
        return "value"
    return getattr(hint, "__name__", str(hint))


def describe_fields(options_type) -> str:
    """``name (type), …`` of every field, for the message listing what an owner takes."""
    fields = field_types(options_type)
    said = {f.name: f.metadata.get("type") for f in dataclasses.fields(options_type)}
    return ", ".join(f"{k} ({said[k] or type_name(t)})" for k, t in fields.items()) or "no options"


def parse_options(owner: str, options_type, raw: dict | None, error=ValueError):
    """An `options_type` instance from `raw` (refusing unknown names and ill-typed values with `error`)."""
    raw = dict(raw or {})
    fields = field_types(options_type)
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise error(f"unknown {owner} option(s) {', '.join(unknown)} (bad option name); the {owner} takes: "
                    f"{describe_fields(options_type)}")
    kwargs = {k: convert(owner, k, v, fields[k], error) for k, v in raw.items()}
    return options_type(**kwargs)


def convert(owner: str, key: str, value, hint, error=ValueError):
    """`value` as the field type `hint` (text is converted; anything else is checked)."""
    if hint is object:
        return value
    try:
        return _convert(value, hint, isinstance(value, OptionText))
    except (ValueError, TypeError):
        raise error(f"{owner} option {key}={_show(value)} is not a valid {type_name(hint)}") from None


def _show(value) -> str:
    return repr(str(value)) if isinstance(value, OptionText) else repr(value)


def _optional_args(hint):
    """The non-None members of `X | None`, or None when `hint` is not optional."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if type(None) in args:
            return tuple(a for a in args if a is not type(None))
    return None


def _convert(value, hint, text: bool):
    opt = _optional_args(hint)
    if opt is not None:
        if value is None or (text and value.strip().lower() in ("", "none")):
            return None
        for member in opt:
            try:
                return _convert(value, member, text)
            except (ValueError, TypeError):
                continue
        raise ValueError
    origin = typing.get_origin(hint)
    if origin is Literal:
        choices = typing.get_args(hint)
        v = value.strip() if text else value
        if v not in choices or isinstance(v, bool) != any(isinstance(c, bool) for c in choices):
            raise ValueError
        return str(v) if text else v
    if origin is tuple:
        if text:
            parts = [p for p in value.replace(",", " ").split() if p]
        elif isinstance(value, (list, tuple)):
            parts = list(value)
        else:
            raise TypeError
        member = typing.get_args(hint)[0]
        return tuple(_convert(p, member, text) for p in parts)
    if hint is bool:
        if text:
            low = value.strip().lower()
            if low in _TRUE or low in _FALSE:
                return low in _TRUE
            raise ValueError
        if not isinstance(value, bool):
            raise TypeError
        return value
    if hint in _NUMBERS:                 # int, float: text is parsed; a value must be a number of that kind
        if text:
            out = hint(value.strip())
        elif isinstance(value, bool) or not isinstance(value, _NUMBERS[hint]):
            raise TypeError
        else:
            out = hint(value)
        if hint is float and not math.isfinite(out):
            raise ValueError
        return out
    if hint is str:
        if not isinstance(value, str):
            raise TypeError
        return str(value.strip().strip("'\"")) if text else value
    raise TypeError
