"""The files of a C model rendered from a `Plan` with the shared Jinja environment
(`backends.common.templates`, templates under `templates/cpu/`): relative path → text."""
from __future__ import annotations

from snnc.version import VERSION

from ..common import templates
from ..common.names import comment_text
from . import blob
from .options import CpuOptions
from .plan import Plan

# artifact key (manifest) → file; each is rendered from templates/cpu/<file>.j2
ARTIFACTS = {
    "header": "model.h",
    "source": "model.c",
    "weights": "weights.c",
    "weights_header": "weights.h",
    "blob": "weights.bin",
    "runtime": "snnc_rt.h",
    "main": "main.c",
    "makefile": "Makefile",
    "readme": "README.md",
}

THREADING_DOC = {
    "openmp": "OpenMP when $(CC) accepts -fopenmp, else POSIX threads.",
    "pthreads": "POSIX threads (-pthread).",
    "none": "none (-DSNNC_NO_THREADS).",
}


def context(plan: Plan, opts: CpuOptions) -> dict:
    threading = "pthreads" if opts.threading == "auto" else opts.threading
    slots, payload = blob.layout(plan.arrays)
    return {
        "version": VERSION, "name": comment_text(plan.name), "prefix": plan.prefix, "PREFIX": plan.prefix.upper(),
        "guard": f"SNNC_{plan.prefix.upper()}_MODEL_H", "buffers": plan.buffers, "arrays": plan.arrays,
        "steps": plan.steps, "inputs": plan.inputs, "outputs": plan.outputs,
        "threading": threading, "threading_doc": THREADING_DOC[threading], "block": plan.block,
        "needs_i128": any(s.wide == "snnc_i128" for s in plan.steps),
        "load_errors": blob.LOAD_ERRORS, "payload": payload, "slots": slots, "layout_id": blob.layout_id(slots),
        "choices": plan.choices, "simd": plan.simd, "kernels_option": opts.kernels,
    }


def render(plan: Plan, opts: CpuOptions) -> dict[str, str | bytes]:
    """Every file of the model: relative path → text (the weight blob: bytes)."""
    ctx = context(plan, opts)         # holds `name`, so not templates.render(name, **ctx)
    env = templates.environment()
    files: dict[str, str | bytes] = {path: env.get_template(f"cpu/{path}.j2").render(ctx)
                                     for path in ARTIFACTS.values() if path != blob.FILE}
    files[blob.FILE] = blob.pack(plan.arrays)
    return files
