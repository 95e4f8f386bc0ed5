"""`snnc.compile`: source → float IR → target pipeline → deployable graph → artifacts.

    compiled = snnc.compile("examples/checkpoints/digits_tawq_mlp.pt", target="reference",
                            out_dir="out/ref")
    y = compiled.run(x)            # x: real-valued [T, B, ...] as the PyTorch model takes it
    y_float = compiled.run(x, integer=False)

Artifacts are written into a temporary folder beside `out_dir` and moved into
place only when everything succeeded: a failed compile leaves nothing behind.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from snnc.backends import get_target
from snnc.backends.reference import encode_inputs
from snnc.backends.reference import run as reference_run
from snnc.errors import ConfigError
from snnc.ir import Graph
from snnc.passes import run_pipeline
from snnc.passes.pipeline import PassTiming

MARKER = ".snnc-output"


@dataclass
class Compiled:
    target: str
    graph: Graph                      # the deployable graph the target implements
    float_graph: Graph                # the traced float graph (before any pass)
    pipeline: str
    out_dir: Path | None = None
    artifacts: dict[str, Path] = field(default_factory=dict)
    timings: list[PassTiming] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    _runner: object = None

    @property
    def input_node(self):
        if len(self.graph.inputs) != 1:
            raise ConfigError(f"the graph has {len(self.graph.inputs)} inputs; pass a dict to run()")
        return self.graph.inputs[0]

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Per-timestep input shape (without T and B)."""
        return tuple(self.input_node.type.shape)

    @property
    def timesteps(self) -> int | None:
        t = self.graph.attrs.get("timesteps", self.float_graph.attrs.get("timesteps"))
        return None if t is None else int(t)

    @property
    def metadata(self) -> dict:
        return dict(self.float_graph.attrs)

    def run(self, x, integer: bool = True):
        """Run on real-valued input `[T, B, *input_shape]` (a NumPy array or torch tensor).

        integer=True runs the target on the deployable graph (integer outputs, raw: multiply by
        the output node's `scale` for real values); integer=False runs the float graph on the
        reference interpreter.
        """
        x = _as_numpy(x)
        if not integer:
            return reference_run(self.float_graph, encode_inputs(self.float_graph, x))
        if self._runner is None:
            self._runner = get_target(self.target).load(self.out_dir, self.graph, self.options)
        return self._runner.run(encode_inputs(self.graph, x))

    def report(self) -> dict:
        return {"target": self.target, "pipeline": self.pipeline,
                "nodes": len(self.graph), "timesteps": self.timesteps,
                "artifacts": {k: str(v) for k, v in self.artifacts.items()},
                "pass_seconds": {t.name: t.seconds for t in self.timings}}


def _as_numpy(x):
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    if isinstance(x, dict):
        return {k: _as_numpy(v) for k, v in x.items()}
    return np.asarray(x)


def compile(source, target: str = "reference", out_dir=None, *, passes: str | None = None,
            print_after=(), example=None, **options) -> Compiled:
    """Compile `source` (nn.Module, checkpoint path, .snnir/.nir path or Graph) for one target."""
    from snnc.frontend import load_source

    tgt = get_target(target)
    float_graph = load_source(source, example=example)
    float_graph.verify()
    pipeline = passes if passes is not None else tgt.pipeline(options)
    result = run_pipeline(float_graph, pipeline, print_after=print_after)
    graph = result.graph
    tgt.check(graph)
    compiled = Compiled(target, graph, float_graph, pipeline, timings=result.timings, options=options)
    if out_dir is not None:
        compiled.out_dir = Path(out_dir)
        with staged_dir(compiled.out_dir) as tmp:
            arts = tgt.emit(graph, tmp, options)
        compiled.artifacts = {k: compiled.out_dir / Path(v).relative_to(tmp) for k, v in arts.items()}
    return compiled


class staged_dir:
    """Context manager: a temporary folder that replaces `final` on success and vanishes on failure.

    An existing `final` is replaced only if it is empty or an earlier snnc output (marker file);
    anything else is refused so that a user's folder is never deleted.
    """

    def __init__(self, final: Path):
        self.final = Path(final)

    def __enter__(self) -> Path:
        if self.final.exists() and not is_replaceable(self.final):
            raise ConfigError(f"output folder {self.final} exists and is not an snnc output folder; "
                              f"choose another -o/out_dir or empty it")
        parent = self.final.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.", dir=parent))
        except OSError as e:
            raise ConfigError(f"cannot write the output folder {self.final}: {e.strerror or e}") from None
        (self.tmp / MARKER).write_text("written by snnc; this folder is replaced on recompilation\n")
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        try:
            if self.final.exists():
                shutil.rmtree(self.final)
            os.replace(self.tmp, self.final)
        except OSError as e:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise ConfigError(f"cannot write the output folder {self.final}: {e.strerror or e}") from None
        return False


def is_replaceable(path: Path) -> bool:
    if not path.is_dir():
        return False
    entries = list(path.iterdir())
    return not entries or (path / MARKER).exists()
