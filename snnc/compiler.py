"""`snnc.compile`: source → float IR → target pipeline → deployable graph → artifacts.

    compiled = snnc.compile("examples/checkpoints/digits_tawq_mlp.pt", target="reference",
                            out_dir="out/ref")
    y = compiled.run(x)            # x: real-valued [T, B, ...] as the PyTorch model takes it
    y_float = compiled.run(x, integer=False)

Artifacts are written into a temporary folder beside `out_dir` and moved into
place only when everything succeeded: a failed compile leaves nothing behind.

The folder is tamper-evident: `manifest.json` carries a schema version
(`MANIFEST_SCHEMA`) and the SHA-256 of every file it covers (``files``); reopening
a folder (`load_compiled`, hence `snnc run/verify/report`) checks the manifest's
fields by type, that every path stays inside the folder, and every checksum, and
refuses an edited or inconsistent folder naming the file.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from snnc.backends import TARGETS, get_target
from snnc.backends.reference import encode_inputs
from snnc.backends.reference import run as reference_run
from snnc.errors import ConfigError
from snnc.input_decl import check_timesteps
from snnc.ir import MAX_TIMESTEPS, Graph  # noqa: F401 (re-exported)
from snnc.passes import run_pipeline
from snnc.passes.pipeline import PassTiming
from snnc.version import VERSION

MARKER = ".snnc-output"
INPUT_KEYS = ("timesteps", "input_type", "input_scale", "input_range")


@dataclass
class Compiled:
    target: str
    graph: Graph                      # the deployable graph the target implements
    float_graph: Graph                # the traced float graph (before any pass)
    pipeline: str
    out_dir: Path | None = None
    artifacts: dict[str, Path] = field(default_factory=dict)
    timings: list[PassTiming] = field(default_factory=list)
    options: dict = field(default_factory=dict)        # as given (raw values)
    opts: object = None                                # the target's parsed Options
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
        """What `snnc.evaluate` needs to feed data: the graph attributes plus `T` and `input_shape`."""
        meta = dict(self.float_graph.attrs)
        meta.update(T=self.timesteps, input_shape=list(self.float_graph.inputs[0].type.shape))
        return meta

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
            tgt = get_target(self.target)
            opts = self.opts if self.opts is not None else tgt.options(self.options, self.graph)
            self._runner = tgt.open(self.out_dir, self.graph, opts)
        return self._runner.run(encode_inputs(self.graph, x))

    def report(self) -> dict:
        """What was compiled; ``weights`` lists, per synapse, how integerize carried its weights
        (integer levels, a grid it recognized, or a lossy quantization)."""
        from snnc.passes.integerize import report as integerize_report
        weights = [{"node": r["node"], "op": r["op"], "weights": r["weights"]}
                   for r in integerize_report(self.graph) if "weights" in r]
        return {"target": self.target, "pipeline": self.pipeline,
                "nodes": len(self.graph), "timesteps": self.timesteps,
                "artifacts": {k: str(v) for k, v in self.artifacts.items()},
                "pass_seconds": {t.name: t.seconds for t in self.timings}, "weights": weights}


def _as_numpy(x):
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    if isinstance(x, dict):
        return {k: _as_numpy(v) for k, v in x.items()}
    try:
        return np.asarray(x)
    except (ValueError, TypeError) as e:
        raise ConfigError(f"run() takes an array [T, B, ...] (NumPy, torch or nested lists of equal lengths); "
                          f"got {type(x).__name__} that is not one ({' '.join(str(e).split())[:150]})") from None


def compile(source, target: str = "reference", out_dir=None, *, passes: str | None = None,
            print_after=(), example=None, timesteps: int | None = None, input_type: str | None = None,
            input_scale: float | None = None, input_range: float | None = None, max_params: int | None = None,
            **options) -> Compiled:
    """Compile `source` (nn.Module, checkpoint path, .snnir/.nir path or Graph) for one target.

    `timesteps`, `input_type` ("spike", "uint<k>", "int<k>", "f32"), `input_scale` and `input_range`
    say what the input is for sources that do not record it (a NIR file); see
    `snnc.input_decl`. They are recorded in the graph's attributes (and, for a target
    with a `timesteps` option, passed on to it).
    With `out_dir`, that folder is the target's folder of the one output layout (`compile_many`):
    the target's files, the deployable graph, the float graph and a manifest naming the target."""
    declared = dict(timesteps=timesteps, input_type=input_type, input_scale=input_scale, input_range=input_range)
    if timesteps is not None and "timesteps" in get_target(target).option_names():
        options.setdefault("timesteps", timesteps)
    float_graph, compiled = prepare(source, [target], passes=passes, print_after=print_after, example=example,
                                    options=options, declared=declared, max_params=max_params)
    if out_dir is not None:
        write_output(Path(out_dir).absolute(), source, float_graph, compiled, folders={target: "."})
    return compiled[target]


def prepare(source, targets: list[str], *, passes: str | None = None, print_after=(), example=None,
            timesteps: int | None = None, options: dict | None = None, progress=None, declared: dict | None = None,
            max_params: int | None = None):
    """Trace `source` and run each target's pipeline: the float graph and a `Compiled` per target
    (checked, nothing written). Unknown targets and options fail before any tracing. `declared`:
    what the input is (`snnc.input_decl.declare_input` keywords); `timesteps` is one of them."""
    from snnc.frontend import load_source
    from snnc.input_decl import declare_input

    if not targets:
        raise ConfigError("no target given; choose from: " + ", ".join(sorted(TARGETS)))
    tgts = {name: get_target(name) for name in targets}        # unknown names fail first
    raw = route_options(tgts, dict(options or {}))
    parsed = {name: tgt.options(raw[name]) for name, tgt in tgts.items()}
    step = progress or (lambda msg: None)
    step(f"tracing {source if isinstance(source, (str, Path)) else type(source).__name__}")
    declared = {k: v for k, v in dict(declared or {}, **({"timesteps": timesteps} if timesteps is not None else {}))
                .items() if v is not None}
    if "timesteps" in declared:
        check_timesteps(declared["timesteps"])
    float_graph = declare_input(load_source(source, example=example, max_params=max_params), **declared)
    float_graph.verify()
    compiled = {}
    for name, tgt in tgts.items():
        step(f"running the {name} pipeline")
        pipeline = passes if passes is not None else tgt.pipeline(parsed[name])
        result = run_pipeline(float_graph, pipeline, print_after=print_after)
        opts = tgt.options(parsed[name], result.graph)
        tgt.check(result.graph, opts)
        compiled[name] = Compiled(name, result.graph, float_graph, pipeline, timings=result.timings,
                                  options=raw[name], opts=opts)
    return float_graph, compiled


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
        for ancestor in (parent, *parent.parents):
            if ancestor.exists():
                if not ancestor.is_dir():
                    raise ConfigError(f"cannot write the output folder {self.final}: {ancestor} is a file, "
                                      f"not a folder")
                break
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


# ----------------------------------------------------------------------------- the output folder
MANIFEST = "manifest.json"
MANIFEST_SCHEMA = 1
FLOAT_GRAPH = "float.snnir"
GRAPH = "graph.snnir"


def compile_many(source, targets: list[str], out_dir, *, passes: str | None = None, print_after=(),
                 example=None, progress=None, graph_timesteps: int | None = None, declared: dict | None = None,
                 max_params: int | None = None,
                 **options) -> dict[str, Compiled]:
    """Compile `source` for several targets into `out_dir/<target>/` plus `out_dir/manifest.json`.

    Every target is checked before anything is written; the whole folder is staged and moved
    into place only when all targets succeeded. Each target folder also holds the deployable
    graph (`graph.snnir` + `.npz`) so `snnc run/verify` can reload it; the traced float graph
    is `out_dir/float.snnir`. `graph_timesteps` (the CLI's -T) records T in the float graph;
    `declared` (the CLI's --input-type, --input-scale, --input-range) says what the input is.
    """
    float_graph, compiled = prepare(source, targets, passes=passes, print_after=print_after, example=example,
                                    timesteps=graph_timesteps, options=options, progress=progress,
                                    declared=declared, max_params=max_params)
    write_output(Path(out_dir).absolute(), source, float_graph, compiled, folders={t: t for t in compiled},
                 progress=progress)
    return compiled


def write_output(out: Path, source, float_graph: Graph, compiled: dict[str, Compiled], folders: dict[str, str],
                 progress=None) -> None:
    """The one output layout, staged: `out/manifest.json`, `out/float.snnir`, and per target its
    folder (`folders`: target → path relative to `out`, "." for a single target's own folder)
    with the target's files and `graph.snnir`. `out` is absolute: runners build and load from it."""
    from snnc.ir import save

    step = progress or (lambda msg: None)
    with staged_dir(out) as tmp:
        save(float_graph, tmp / FLOAT_GRAPH)
        for name, c in compiled.items():
            step(f"emitting {name}")
            folder = tmp / folders[name]
            folder.mkdir(exist_ok=True)
            save(c.graph, folder / GRAPH)
            tgt = get_target(name)
            arts = tgt.write(c.graph, folder, c.opts)
            c.out_dir = out / folders[name]
            c.artifacts = {k: out / Path(v).relative_to(tmp) for k, v in arts.items()}
        m = manifest(out, source, float_graph, compiled, folders)
        m["files"] = {str(f.relative_to(tmp).as_posix()): _sha256(f) for f in sorted(tmp.rglob("*"))
                      if f.is_file() and f.name not in (MANIFEST, MARKER)}
        (tmp / MANIFEST).write_text(json.dumps(m, indent=2) + "\n")
    for c in compiled.values():
        c._runner = None


def manifest(out: Path, source, float_graph: Graph, compiled: dict[str, Compiled], folders: dict[str, str]) -> dict:
    return {
        "schema": MANIFEST_SCHEMA,
        "snnc_version": VERSION,
        "source": _describe_source(source),
        "targets": {name: {"pipeline": c.pipeline, "folder": folders[name],
                           "artifacts": {k: str(Path(v).relative_to(out)) for k, v in c.artifacts.items()},
                           "pass_seconds": {t.name: round(t.seconds, 6) for t in c.timings},
                           "options": _plain_options(c),
                           "inputs": _io_types(c.graph.inputs), "outputs": _io_types(c.graph.outputs)}
                    for name, c in compiled.items()},
        "timesteps": next(iter(compiled.values())).timesteps,
        "float_graph": FLOAT_GRAPH,
        "inputs": _io_types(float_graph.inputs),
        "outputs": _io_types(float_graph.outputs),
    }


def _plain_options(c: Compiled) -> dict:
    """The options the user gave, as parsed (typed), where JSON can hold them."""
    out = {}
    for k in c.options:
        v = getattr(c.opts, k, c.options[k])
        if isinstance(v, tuple):
            v = list(v)
        if isinstance(v, (str, int, float, bool)) or (isinstance(v, list) and all(isinstance(i, str) for i in v)):
            out[k] = v
    return out


def route_options(tgts: dict, options: dict) -> dict[str, dict]:
    """Give each target the options it knows; an option no chosen target knows is an error (with one
    target, the target's own parser names what it takes)."""
    if len(tgts) == 1:
        return {name: dict(options) for name in tgts}
    per = {name: {k: v for k, v in options.items() if k in t.option_names()} for name, t in tgts.items()}
    used = {k for opts in per.values() for k in opts}
    unknown = sorted(set(options) - used)
    if unknown:
        known = "; ".join(f"{name}: {', '.join(sorted(t.option_names())) or 'none'}" for name, t in tgts.items())
        raise ConfigError(f"option(s) {', '.join(unknown)} are not options of the chosen target(s) "
                          f"({known})")
    return per


def _io_types(nodes) -> list[dict]:
    return [{"name": n.name, "type": str(n.type), "scale": n.attrs.get("scale", 1.0)} for n in nodes]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _describe_source(source) -> dict:
    if isinstance(source, (str, Path)):
        path = Path(source)
        return {"path": str(path), "resolved": str(path.resolve()), "sha256": _sha256(path)}
    return {"object": type(source).__name__}


def load_compiled(out_dir, target: str | None = None) -> Compiled:
    """Reopen one target of an output folder (the manifest names the targets)."""
    from snnc.ir import load

    out = Path(out_dir).absolute()
    manifest = manifest_of(out)
    targets = manifest["targets"]
    if target is None:
        if len(targets) != 1:
            raise ConfigError(f"{out} holds several targets ({', '.join(targets)}); choose one with --target")
        target = next(iter(targets))
    if target not in targets:
        raise ConfigError(f"{out} has no target {target!r}; it holds: {', '.join(targets)}")
    folder = out / targets[target]["folder"]
    graph = load(folder / "graph.snnir")
    float_graph = load(out / manifest.get("float_graph", "float.snnir"))
    options = targets[target].get("options", {})
    if not isinstance(options, dict):
        raise ConfigError(f"{out / MANIFEST} is damaged; compile again")
    return Compiled(target, graph, float_graph, targets[target]["pipeline"], out_dir=folder,
                    artifacts={k: out / v for k, v in targets[target].get("artifacts", {}).items()},
                    options=options, opts=get_target(target).options(options, graph))


def manifest_of(out_dir) -> dict:
    """The checked manifest of an output folder: ConfigError when there is none, when a field has the
    wrong type, a path leaves the folder, or a file it covers was edited, removed or is missing."""
    out = Path(out_dir)
    path = out / MANIFEST
    if not path.is_file():
        raise ConfigError(f"{out_dir} is not an snnc output folder (no {MANIFEST}); "
                          f"run `snnc compile SOURCE -t … -o {out_dir}` first")

    def damaged(why: str):
        raise ConfigError(f"{path} is damaged or was edited ({why}); compile again")

    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError, RecursionError):
        damaged("not JSON")
    if not isinstance(manifest, dict):
        damaged("not a JSON object")
    if manifest.get("schema") != MANIFEST_SCHEMA:
        damaged(f"schema {manifest.get('schema')!r}, this snnc reads schema {MANIFEST_SCHEMA}")
    files, targets = manifest.get("files"), manifest.get("targets")
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        damaged("files must map paths to checksums")
    if not isinstance(targets, dict) or not targets:
        damaged("no targets")
    if not isinstance(manifest.get("float_graph", FLOAT_GRAPH), str):
        damaged("float_graph must be a path")
    for name, t in targets.items():
        if not isinstance(t, dict) or not isinstance(t.get("pipeline"), str) or not isinstance(t.get("folder"), str):
            damaged(f"target {name!r} needs a pipeline and a folder (strings)")
        if not isinstance(t.get("options", {}), dict) or not isinstance(t.get("artifacts", {}), dict) \
                or not all(isinstance(v, str) for v in t.get("artifacts", {}).values()):
            damaged(f"target {name!r}: options and artifacts must be objects (artifacts of paths)")
        bad = [k for k, v in t.get("options", {}).items()
               if not isinstance(v, (str, int, float, bool)) and not (isinstance(v, list)
                                                                      and all(isinstance(i, str) for i in v))]
        if bad:
            damaged(f"target {name!r}: option {bad[0]} is not a plain value")
        for rel in [t["folder"], *t.get("artifacts", {}).values()]:
            _inside(out, rel, damaged)
        if f"{(Path(t['folder']) / GRAPH).as_posix()}".removeprefix("./") not in files:
            damaged(f"target {name!r}: its {GRAPH} is not covered by the checksums")
    for rel, digest in files.items():
        f = _inside(out, rel, damaged)
        if not f.is_file():
            raise ConfigError(f"{out / rel} is missing from the output folder {out_dir} (the manifest lists it); "
                              "compile again")
        if _sha256(f) != digest:
            raise ConfigError(f"{out / rel} was edited after compilation (its checksum differs from "
                              f"{MANIFEST}); compile again")
    return manifest


def _inside(out: Path, rel: str, damaged) -> Path:
    """`out/rel`, refusing a path that leaves `out` (absolute, or through ..)."""
    p = Path(rel)
    if p.is_absolute() or ".." in p.parts:
        damaged(f"the path {rel!r} leaves the folder")
    return out / p
