"""Render a `Plan` into the files of a C model with the Jinja templates under `templates/cpu/`.

Templates are loaded from the installed package (`snnc.templates`, via importlib.resources)
and rendered with `StrictUndefined`: a template that names a missing field is an error, not an
empty string.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import jinja2

from snnc import __version__

from . import cint
from .naming import comment
from .options import CpuOptions
from .plan import Plan

# output file → template
FILES = {
    "header": ("model.h", "cpu/model.h.j2"),
    "source": ("model.c", "cpu/model.c.j2"),
    "weights": ("weights.c", "cpu/weights.c.j2"),
    "weights_header": ("weights.h", "cpu/weights.h.j2"),
    "runtime": ("snnc_rt.h", "cpu/snnc_rt.h.j2"),
    "main": ("main.c", "cpu/main.c.j2"),
    "makefile": ("Makefile", "cpu/Makefile.j2"),
    "readme": ("README.md", "cpu/README.md.j2"),
}

THREADING_DOC = {
    "openmp": "OpenMP when $(CC) accepts -fopenmp, else POSIX threads.",
    "pthreads": "POSIX threads (-pthread).",
    "none": "none (-DSNNC_NO_THREADS).",
}


def _load(name: str) -> str:
    node = files("snnc.templates")
    for part in name.split("/"):
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")


_ENV: jinja2.Environment | None = None


def environment() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(loader=jinja2.FunctionLoader(_load), undefined=jinja2.StrictUndefined,
                                  trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                  autoescape=False)
    return _ENV


def _io(spec) -> dict:
    return {"name": spec.name, "comment": spec.comment, "ident": comment(spec.name), "field": spec.field,
            "ctype": spec.ctype, "size": spec.size, "shape": spec.shape, "dtype": spec.dtype,
            "lo_c": cint.c_int(spec.lo), "hi_c": cint.c_int(spec.hi)}


def context(plan: Plan, opts: CpuOptions) -> dict:
    threading = "pthreads" if opts.threading == "auto" else opts.threading
    return {
        "version": __version__, "name": comment(plan.name), "prefix": plan.prefix, "PREFIX": plan.prefix.upper(),
        "guard": f"SNNC_{plan.prefix.upper()}_MODEL_H", "buffers": plan.buffers, "arrays": plan.arrays,
        "steps": plan.steps, "inputs": [_io(i) for i in plan.inputs], "outputs": [_io(o) for o in plan.outputs],
        "threading": threading, "threading_doc": THREADING_DOC[threading], "block": plan.block,
        "needs_i128": any(s.get("W") == "snnc_i128" for s in plan.steps),
    }


def render(plan: Plan, opts: CpuOptions, out_dir: Path) -> dict[str, Path]:
    """Write every file of the model into `out_dir`; returns artifact name → path."""
    env = environment()
    ctx = context(plan, opts)
    out = {}
    for key, (fname, template) in FILES.items():
        path = Path(out_dir) / fname
        path.write_text(env.get_template(template).render(**ctx), encoding="utf-8")
        out[key] = path
    return out
