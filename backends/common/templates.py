"""The one Jinja environment of the backends: templates under `snnc.templates` (package data),
rendered with `StrictUndefined` (a template that names a missing field is an error, not an
empty string), block-trimmed, no HTML escaping (the output is code)."""
from __future__ import annotations

import functools
from importlib.resources import files

import jinja2


def _load(name: str) -> str | None:
    node = files("snnc.templates")
    for part in name.split("/"):
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8") if node.is_file() else None


@functools.cache
def environment() -> jinja2.Environment:
    """The shared environment; template names are paths below templates/ (``cpu/model.c.j2``)."""
    return jinja2.Environment(loader=jinja2.FunctionLoader(_load), undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              autoescape=False)


def render(name: str, /, **context) -> str:
    """Render the template `name` with `context`."""
    return environment().get_template(name).render(**context)
