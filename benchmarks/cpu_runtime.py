"""Throughput of the snnc C runtime against PyTorch eager and onnxruntime, same network, same threads.

    python benchmarks/cpu_runtime.py [--threads 2] [--repeats 15] [--models mlp,cnn] [--out benchmarks/results]
    python benchmarks/cpu_runtime.py --threads 1,2          # several thread counts in one run
    python benchmarks/cpu_runtime.py --models mlp,mlp-from-nir   # snnc's own graph vs the same from NIR
    python benchmarks/cpu_runtime.py --simd auto,avx2       # also the C runtime with its AVX2 path forced
    python benchmarks/cpu_runtime.py --models resnet,transformer --repeats 5    # the 3×32×32 networks (slow)

Networks (random weights, seeded):

* ``mlp``: 784-1024-1024-10, T = 8, batch 128, LIF after every layer; ternary weights, binary
  input spikes of density 0.2;
* ``mlp-from-nir``: the same MLP with weights scale·{-1, 0, 1} and thresholds θ·scale, written as a
  NIR file without snnc metadata and imported by snnc (`nir_float_graph`); torch and onnxruntime run
  ``mlp`` itself. Its snnc-c row against the ``mlp`` row shows whether a NIR import gets the same
  kernels and speed;
* ``cnn``: 32×32×3 → conv 3×3 32 → LIF → maxpool 2 → conv 3×3 64 → LIF → maxpool 2 →
  linear 4096-256 → LIF → linear 256-10 → LIF, T = 8, batch 128; the same weights and inputs;
* ``resnet``: `snnc.models.build("resnet", input_shape=[3, 32, 32], channels=[64, 128, 256],
  blocks=2, quant="ternary", neuron="lif", T=4)` (3.47 M parameters), T = 4, batch 8;
* ``transformer``: `snnc.models.build("transformer", input_shape=[3, 32, 32], embed_dim=256,
  heads=8, depth=4, patch_size=4, quant="lsq", quant_opts={"bits": 2}, neuron="ielif", T=4)`
  (3.34 M parameters), T = 4, batch 8.

The resnet and the transformer take real-valued images (uniform in [0, 1), direct encoding):
snnc compiles the traced PyTorch module with its cpu pipeline (integerize, inputs quantized to
8 bits over ±1), so the C model computes the integer network, checked equal to the reference
interpreter on it; torch runs the float module and onnxruntime the float IR graph.

LIF of mlp / cnn: ``h = β·v + I``, spike when ``h ≥ θ``, subtract reset, β = 0.5, θ set so hidden
layers fire at 10–30 %. One spec builds the float IR graph and the PyTorch module; the engines are

* **snnc-c** — the float IR graph through the cpu target's default pipeline (integerize …) into
  the deployable integer graph, compiled by the cpu target (-O3 -march=native; its SIMD path:
  ``simd=auto``, the best this CPU runs, or forced with ``--simd``: engine ``snnc-c/avx2``) and
  called on the raw integer inputs (`CpuRunner.run_raw`);
* **torch** — PyTorch eager, float32, `torch.inference_mode`, layers applied to all T·B frames
  at once and the LIF loop over T in Python (resnet / transformer: the module itself);
* **onnxruntime** — the float IR graph unrolled over T by snnc's onnx target (`to_onnx`), run by
  onnxruntime with all graph optimisations on.

β = 0.5 and integer weights make the float model of mlp / cnn exact, so the engines must give the
same output spikes — checked. Each engine runs in its own process, at the same thread count. Memory:
the process's peak RSS (VmHWM, imports included), and the engine's own peak — the kernel's
high-water mark (VmHWM), reset after the imports, minus the RSS at that moment: building the
model plus running it; and the inference peak alone (the mark reset again once the model is
built: activations, run buffers, thread stacks). Build: the seconds from the graph to a ready
engine (snnc-c: the pipeline, the C build with an empty build cache, loading the weights).
Threads: `torch.set_num_threads`, ORT intra-op threads (inter-op 1), the C runtime's `threads`.
Throughput = batch / median wall time of `--repeats` batches after two warm-up batches. A second
C build with per-node timers gives the profile. The 1-minute load average is recorded before
and after each engine. Thread pools wait without spinning in every engine, as the C runtime's
pthreads do (they synchronise once per batch): ``OMP_WAIT_POLICY=PASSIVE`` for torch's OpenMP
and ``session.intra_op.allow_spinning=0`` for onnxruntime. With the default active waiting on a
shared 2-core machine, torch at 2 threads took 1.5 s per MLP batch instead of 0.08 s — spinning
threads starve the worker they wait for. One thread per engine remains the comparison least
affected by other load. The CPU model and its SIMD features are printed first. Results: JSON and
a Markdown table in `--out`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

IMPORTS = {"snnc-c": ("snnc.ir", "snnc.passes", "snnc.backends"), "torch": ("torch", "snnc.ir"),
           "onnxruntime": ("onnxruntime", "onnx", "snnc.ir", "snnc.backends")}
T, BATCH, DENSITY, BETA = 8, 128, 0.2, 0.5
BUILT_T, BUILT_BATCH = 4, 8
BUILT = {       # the issue's 3×32×32 networks, built by snnc.models.build
    "resnet": dict(input_shape=[3, 32, 32], channels=[64, 128, 256], blocks=2, quant="ternary", neuron="lif", T=4),
    "transformer": dict(input_shape=[3, 32, 32], embed_dim=256, heads=8, depth=4, patch_size=4, quant="lsq",
                        quant_opts={"bits": 2}, neuron="ielif", T=4),
}
BUILT_PIPELINE = "fold-batchnorm,fold-temporal-scale,integerize{input_range=1},lower-multispike,dce"
SPECS = {
    "mlp": {"input": (784,), "layers": [("linear", 1024), ("lif", 6.0), ("linear", 1024), ("lif", 10.0),
                                        ("linear", 10), ("lif", 4.0)]},
    "cnn": {"input": (3, 32, 32), "layers": [("conv", 32), ("lif", 2.0), ("maxpool", 2), ("conv", 64), ("lif", 6.0),
                                             ("maxpool", 2), ("flatten", 0), ("linear", 256), ("lif", 12.0),
                                             ("linear", 10), ("lif", 4.0)]},
}
SPECS["mlp-from-nir"] = SPECS["mlp"]     # the same network, handed to the snnc-c engine as a NIR file


# ---------------------------------------------------------------------------- the network
def weights(model: str) -> list:
    """Per-layer parameters of `model` (ternary float32 weights), from a fixed seed."""
    rng = np.random.default_rng(20240917)
    shape, out = SPECS[model]["input"], []
    for kind, arg in SPECS[model]["layers"]:
        if kind == "linear":
            w = rng.choice(np.array([-1, 0, 1], np.float32), size=(arg, shape[-1]), p=[0.3, 0.4, 0.3])
            shape = (arg,)
        elif kind == "conv":
            w = rng.choice(np.array([-1, 0, 1], np.float32), size=(arg, shape[0], 3, 3), p=[0.3, 0.4, 0.3])
            shape = (arg,) + shape[1:]
        elif kind == "maxpool":
            w, shape = None, (shape[0], shape[1] // arg, shape[2] // arg)
        elif kind == "flatten":
            w, shape = None, (int(np.prod(shape)),)
        else:
            w = None
        out.append((kind, arg, w))
    return out


def spikes(model: str) -> np.ndarray:
    """The benchmark input: spikes (mlp, cnn) or real-valued images (resnet, transformer)."""
    rng = np.random.default_rng(7)
    if model in BUILT:
        return rng.random((BUILT_T, BUILT_BATCH) + tuple(BUILT[model]["input_shape"])).astype(np.float32)
    return (rng.random((T, BATCH) + SPECS[model]["input"]) < DENSITY).astype(np.uint8)


def batch_of(model: str) -> int:
    return BUILT_BATCH if model in BUILT else BATCH


def built_module(model: str):
    import torch

    from snnc.models import build

    torch.manual_seed(0)
    return build(model, **BUILT[model]).eval()


def built_graphs(model: str):
    """The float IR graph traced from the module, and the cpu target's integer graph of it."""
    import snnc

    c = snnc.compile(built_module(model), target="reference", passes=BUILT_PIPELINE)
    return c.float_graph, c.graph


def float_graph(model: str):
    from snnc.ir import Graph

    g = Graph(model.replace("-", "_"), {"timesteps": T})
    v = g.add("input", attrs={"shape": SPECS[model]["input"], "dtype": "spike"}, name="x").name
    for i, (kind, arg, w) in enumerate(weights(model)):
        rank = len(g[v].type.shape)
        if kind == "linear":
            v = g.add("linear", [v], params={"weight": w}, name=f"fc{i}").name
        elif kind == "conv":
            v = g.add("conv2d", [v], attrs={"padding": (1, 1)}, params={"weight": w}, name=f"conv{i}").name
        elif kind == "maxpool":
            v = g.add("maxpool2d", [v], attrs={"kernel": (arg, arg)}, name=f"pool{i}").name
        elif kind == "flatten":
            v = g.add("flatten", [v], name=f"flat{i}").name
        else:
            ones = (1,) * (rank + 1)
            v = g.add("lif", [v], params={"beta": np.full(ones, BETA, np.float32),
                                          "threshold": np.full(ones, arg, np.float32)}, name=f"lif{i}").name
    g.add("output", [v], name="y")
    return g.verify()


def nir_float_graph(model: str, scale: float = 2.0 ** -4):
    """`model` written as another tool writes NIR (no snnc metadata): Affine weights scale·{-1, 0, 1} in
    float32, LIF with τ = dt/(1−β), r = τ/dt and thresholds θ·scale, the reset rule and comparison as
    node metadata; read back by snnc's NIR import with the input declared (T, spikes). A power-of-two
    scale keeps the float network equal to the integer-weight one, so the outputs can be compared."""
    import nir

    from snnc.frontend.nir_import import read
    from snnc.input_decl import declare_input

    dt, nodes, edges, prev, n = 1e-4, {"input": nir.Input(np.array(SPECS[model]["input"]))}, [], "input", None
    for i, (kind, arg, w) in enumerate(weights(model)):
        if kind == "linear":
            nodes[f"fc{i}"] = nir.Affine((w * np.float32(scale)).astype(np.float32), np.zeros(len(w), np.float32))
            n = len(w)
        elif kind == "lif":
            tau = np.full(n, dt / (1 - BETA), np.float32)
            nodes[f"lif{i}"] = nir.LIF(tau=tau, r=(tau / dt).astype(np.float32), v_leak=np.zeros(n, np.float32),
                                       v_threshold=np.full(n, arg * scale, np.float32),
                                       metadata={"reset": "subtract", "compare": "ge"})
        else:
            raise ValueError(f"{model}: {kind} layers are not written to NIR here")
        edges.append((prev, list(nodes)[-1]))
        prev = list(nodes)[-1]
    nodes["output"] = nir.Output(np.array([n]))
    edges.append((prev, "output"))
    with tempfile.TemporaryDirectory() as tmp:
        nir.write(os.path.join(tmp, "m.nir"), nir.NIRGraph(nodes, edges, metadata={"dt": dt}))
        return declare_input(read(os.path.join(tmp, "m.nir")), timesteps=T, input_type="spike")


def torch_module(model: str):
    import torch

    class LIF(torch.nn.Module):
        def __init__(self, theta):
            super().__init__()
            self.theta = theta

        def forward(self, x):                       # x [T, B, ...]
            v, out = torch.zeros_like(x[0]), []
            for t in range(x.shape[0]):
                h = BETA * v + x[t]
                s = (h >= self.theta).to(x.dtype)
                v = h - s * self.theta
                out.append(s)
            return torch.stack(out)

    class PerFrame(torch.nn.Module):
        def __init__(self, layer):
            super().__init__()
            self.layer = layer

        def forward(self, x):                       # the stateless layer on all T·B frames at once
            y = self.layer(x.flatten(0, 1))
            return y.unflatten(0, x.shape[:2])

    layers = []
    for kind, arg, w in weights(model):
        if kind == "linear":
            m = torch.nn.Linear(w.shape[1], w.shape[0], bias=False)
            m.weight.data = torch.from_numpy(w)
        elif kind == "conv":
            m = torch.nn.Conv2d(w.shape[1], w.shape[0], 3, padding=1, bias=False)
            m.weight.data = torch.from_numpy(w)
        elif kind == "maxpool":
            m = torch.nn.MaxPool2d(arg)
        elif kind == "flatten":
            m = torch.nn.Flatten()
        else:
            layers.append(LIF(arg))
            continue
        layers.append(PerFrame(m))
    return torch.nn.Sequential(*layers).eval()


# ---------------------------------------------------------------------------- engines
def make_engine(model: str, engine: str, threads: int, profile: bool = False):
    """A zero-argument callable running one batch, and a function turning its result into spikes."""
    x = spikes(model)
    if engine.startswith("snnc-c"):
        from snnc.backends import get_target
        from snnc.backends.reference import encode_inputs
        from snnc.passes import run_pipeline

        tgt = get_target("cpu")
        if model in BUILT:
            _, graph = built_graphs(model)
            raw = encode_inputs(graph, x)
            (node,) = graph.inputs
            raw = raw if not isinstance(raw, dict) else raw[node.name]
        else:
            source = nir_float_graph(model) if model == "mlp-from-nir" else float_graph(model)
            graph, raw = run_pipeline(source, tgt.default_pipeline).graph, x
        tgt.check(graph)
        simd_path = engine.partition("/")[2] or "auto"
        t0 = time.perf_counter()
        runner = tgt.load(None, graph, {"threads": threads, "profile": profile, "simd": simd_path})
        runner.c_build_s = time.perf_counter() - t0
        xr = np.ascontiguousarray(raw, dtype=runner.input_dtypes()[0])
        return (lambda: runner.run_raw([xr])[0]), np.asarray, runner
    if engine == "torch":
        import torch

        torch.set_num_threads(threads)
        net = built_module(model) if model in BUILT else torch_module(model)
        xt = torch.from_numpy(x.astype(np.float32))

        def run_torch():
            with torch.inference_mode():
                return net(xt)
        return run_torch, lambda y: y.numpy(), None
    if engine == "onnxruntime":
        import onnxruntime as ort

        from snnc.backends.onnx import to_onnx

        so = ort.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.log_severity_level = 3
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        fg = built_graphs(model)[0] if model in BUILT else float_graph(model)
        sess = ort.InferenceSession(to_onnx(fg, x.shape[0]).SerializeToString(), so,
                                    providers=["CPUExecutionProvider"])
        feed = {sess.get_inputs()[0].name: x.astype(np.float32)}
        return (lambda: sess.run(None, feed)[0]), np.asarray, None
    raise ValueError(engine)


def rss_mib() -> float:
    """Peak resident memory of this process so far (ru_maxrss), MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _status_mib(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def reset_peak() -> float | None:
    """Reset the kernel's resident-memory high-water mark (Linux: VmHWM) to the current RSS;
    returns the current RSS in MiB, or None where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return None
    return _status_mib("VmRSS")


def child(model: str, engine: str, threads: int, repeats: int, out_npy: str) -> dict:
    """Measure one engine in this process; the result as a dict (printed as JSON by --child)."""
    for mod in IMPORTS[engine.partition("/")[0]]:          # imports count as the baseline, not as the engine's memory
        __import__(mod)
    import_hwm = _status_mib("VmHWM")    # this process's own peak (ru_maxrss survives execve: not ours)
    base = reset_peak()
    t0 = time.perf_counter()
    run, to_spikes, runner = make_engine(model, engine, threads)
    build_s = time.perf_counter() - t0
    build_hwm = _status_mib("VmHWM")
    built = reset_peak()
    for _ in range(2):
        y = run()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        y = run()
        times.append(time.perf_counter() - t0)
    np.save(out_npy, to_spikes(y).astype(np.int64))
    med = float(np.median(times))
    run_hwm = _status_mib("VmHWM")
    known = None not in (base, built, build_hwm, run_hwm)
    batch = batch_of(model)
    res = {"engine": engine, "model": model, "threads": threads, "build_s": build_s,
           "median_s": med, "best_s": float(np.min(times)), "samples_per_s": batch / med,
           "best_samples_per_s": batch / float(np.min(times)),
           "peak_rss_mib": max(import_hwm, build_hwm, run_hwm) if known and import_hwm else rss_mib(),
           "engine_peak_mib": max(build_hwm - base, run_hwm - base) if known else None,
           "run_peak_mib": (run_hwm - built) if known else None}
    if engine.startswith("snnc-c"):
        res["kernels"] = runner.plan.kernels
        res["threading"] = runner.threading
        res["threads_used"] = runner.threads_used(batch)
        res["block"] = runner.plan.block
        res["simd"] = runner.simd
        res["c_build_s"] = runner.c_build_s
        res["profile"] = profile_c(model, engine, threads, repeats)
        if model in BUILT:
            res["exact_vs_reference"] = exact_vs_reference(model, runner, y)
    return res


def exact_vs_reference(model: str, runner, y) -> bool:
    """The C model's output on the first sample equals the reference interpreter's on the integer graph."""
    from snnc.backends.reference import encode_inputs
    from snnc.backends.reference import run as reference_run

    want = reference_run(runner.graph, encode_inputs(runner.graph, spikes(model)[:, :1]))
    return bool(np.array_equal(np.asarray(y)[:, :1], want))


def profile_c(model: str, engine: str, threads: int, repeats: int) -> dict:
    """Seconds per batch spent in each node of the C model (a build with per-node timers)."""
    run, _, runner = make_engine(model, engine, threads, profile=True)
    run()
    runner.profile()
    for _ in range(repeats):
        run()
    return {k: v / repeats for k, v in runner.profile().items()}


SPIKING = ("lif", "lif_int", "cuba_lif_int", "threshold", "multispike_int", "ielif")


def firing_rates(model: str) -> dict:
    """Share of non-zero outputs of every spiking node (mlp / cnn: the float graph on 16 samples;
    resnet / transformer: the integer graph on one sample)."""
    from snnc.backends.reference import encode_inputs, run

    if model in BUILT:
        g = built_graphs(model)[1]
        _, trace = run(g, encode_inputs(g, spikes(model)[:, :1]), trace=True)
    else:
        g = float_graph(model)
        _, trace = run(g, spikes(model)[:, :16], trace=True)
    return {n.name: float(np.count_nonzero(trace[n.name])) / trace[n.name].size for n in g if n.op in SPIKING}


# ---------------------------------------------------------------------------- driver
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def markdown(runs: dict, meta: dict) -> str:
    engines = meta["engines"]
    lines = ["# snnc C runtime vs PyTorch eager vs onnxruntime", "",
             f"Machine: {meta['machine']}; SIMD features: {meta['simd_features']}. mlp / cnn: T = {T}, batch {BATCH}, "
             f"input spike density {DENSITY}; resnet / transformer: T = {BUILT_T}, batch {BUILT_BATCH}, real-valued "
             f"3×32×32 inputs. {meta['repeats']} timed batches per engine (median). Memory: each engine's own process. "
             "Load: 1-minute load average around each engine's run (the machine is shared).", "",
             "Thread pools do not spin (OMP_WAIT_POLICY=PASSIVE, onnxruntime allow_spinning=0). When the "
             "load exceeds the number of cores, threads are preempted and a batch split over two threads "
             "waits for the slower one: the 1-thread rows are the fairest comparison on a shared machine.", "",
             "| threads | model | engine | SIMD | samples/s (median) | best | × torch | × onnxruntime | median ms/batch | "
             "build s (C build) | process peak RSS MiB | engine peak MiB | inference peak MiB | load |",
             "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for threads, results in runs.items():
        for model, r in results.items():
            eng = r["engines"]
            for name in engines:
                e = eng.get(name)
                if e is None or "error" in e:
                    why = (e or {}).get("error", "not run")[:80]
                    lines.append(f"| {threads} | {model} | {name} | | failed: {why} | | | | | | | | | |")
                    continue
                ratio = {k: e["samples_per_s"] / eng[k]["samples_per_s"] if "samples_per_s" in eng.get(k, {})
                         else float("nan") for k in ("torch", "onnxruntime")}
                own, inf = ("n/a" if e[k] is None else f"{e[k]:.1f}" for k in ("engine_peak_mib", "run_peak_mib"))
                build = f"{e['build_s']:.1f}" + (f" ({e['c_build_s']:.1f})" if "c_build_s" in e else "")
                lines.append(f"| {threads} | {model} | {name} | {e.get('simd', '')} | {e['samples_per_s']:.0f} | "
                             f"{e['best_samples_per_s']:.0f} | {ratio['torch']:.1f} | {ratio['onnxruntime']:.1f} | "
                             f"{e['median_s'] * 1e3:.2f} | {build} | {e['peak_rss_mib']:.0f} | {own} | {inf} | "
                             f"{e['load'][0]:.1f}–{e['load'][1]:.1f} |")
    for threads, results in runs.items():
        for model, r in results.items():
            rates = r["firing_rates"]
            shown = ", ".join(f"{k} {v:.2f}" for k, v in list(rates.items())[:12]) + (" …" if len(rates) > 12 else "")
            lines += ["", f"## {model}, {threads} thread(s): {r['check']}; firing rates {shown}"]
            for name in engines:
                c = r["engines"].get(name, {})
                if "profile" not in c:
                    continue
                total = sum(c["profile"].values()) or 1.0
                lines += ["", f"{name} profile (SIMD path {c['simd']}, block of {c['block']} samples per thread, "
                              f"{c['threads_used']} thread(s), {c['threading']}):",
                          "", "| node | kernel | ms/batch (summed over threads) | share |", "|---|---|---:|---:|"]
                for node, sec in c["profile"].items():
                    if sec / total >= 0.005 or c["kernels"].get(node):
                        lines.append(f"| {node} | {c['kernels'].get(node, '')} | {sec * 1e3:.2f} | {sec / total:.0%} |")
    return "\n".join(lines) + "\n"


def run_engine(model: str, engine: str, threads: int, repeats: int, npy: str) -> dict:
    cmd = [sys.executable, __file__, "--threads", str(threads), "--repeats", str(repeats),
           "--child", model, engine, npy]
    before = os.getloadavg()[0]
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")       # see the module docstring
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    load = (before, os.getloadavg()[0])
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1], "load": load}
    return dict(json.loads(p.stdout.strip().splitlines()[-1]), load=load)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", default="2", help="thread count, or several separated by commas")
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--models", default="mlp,cnn", help="mlp, cnn, resnet, transformer (comma-separated)")
    ap.add_argument("--simd", default="auto", help="the C runtime's SIMD paths to run: auto (the best this CPU "
                                                   "runs), avx512, avx2, portable (comma-separated)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    ap.add_argument("--child", nargs=3, metavar=("MODEL", "ENGINE", "NPY"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.child[0], a.child[1], int(a.threads), a.repeats, a.child[2])))
        return 0
    from snnc.backends.cpu import simd

    paths = [p.strip() for p in a.simd.split(",") if p.strip()]
    bad = [p for p in paths if p not in ("auto",) + simd.PATHS]
    if bad:
        ap.error(f"--simd {bad[0]!r}: choose from auto, {', '.join(simd.PATHS)}")
    engines = [("snnc-c" if p == "auto" else f"snnc-c/{p}") for p in paths] + ["torch", "onnxruntime"]
    models = [m.strip() for m in a.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in SPECS and m not in BUILT]
    if unknown:
        ap.error(f"--models {unknown[0]!r}: choose from {', '.join([*SPECS, *BUILT])}")
    print(f"CPU: {cpu_model()}, {os.cpu_count()} CPUs (this process may use {len(os.sched_getaffinity(0))}); "
          f"SIMD features: {simd.features()}; snnc-c SIMD path with simd=auto: {simd.best()}", flush=True)
    os.environ.setdefault("SNNC_CACHE_DIR", "off")         # build times of fresh builds, not cache hits
    runs: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="snnc-bench-") as tmp:
        for threads in (int(t) for t in a.threads.split(",")):
            results = runs.setdefault(threads, {})
            for model in models:
                eng_results, outputs = {}, {}
                for engine in engines:
                    npy = os.path.join(tmp, f"{model}-{engine.replace('/', '_')}-{threads}.npy")
                    e = eng_results[engine] = run_engine(model, engine, threads, a.repeats, npy)
                    if "error" in e:
                        print(f"{threads}t {model:11s} {engine:15s} FAILED: {e['error']}", flush=True)
                        continue
                    outputs[engine] = np.load(npy)
                    own, inf = ("n/a" if e[k] is None else f"{e[k]:.0f}" for k in ("engine_peak_mib", "run_peak_mib"))
                    extra = (f"  simd {e['simd']}, C build {e['c_build_s']:.1f} s, kernels "
                             f"{dict(sorted(__import__('collections').Counter(e['kernels'].values()).items()))}"
                             if "simd" in e else "")
                    print(f"{threads}t {model:11s} {engine:15s} {e['samples_per_s']:9.1f} samples/s "
                          f"(best {e['best_samples_per_s']:.1f}) {e['median_s'] * 1e3:8.2f} ms/batch  "
                          f"build {e['build_s']:.1f} s  peak {e['peak_rss_mib']:5.0f} MiB (engine {own}, inference "
                          f"{inf})  load {e['load'][0]:.1f}{extra}", flush=True)
                if model in BUILT:     # the C model computes the integer network: compare it with the reference
                    checks = [eng_results[e].get("exact_vs_reference") for e in engines if e.startswith("snnc-c")]
                    check = f"C output equal to the reference interpreter on the integer graph (sample 0): {checks}"
                    c_out = [o for e, o in outputs.items() if e.startswith("snnc-c")]
                    check += f"; the C paths agree with each other: {all(np.array_equal(c_out[0], o) for o in c_out)}"
                else:
                    ref = next(iter(outputs.values()), None)
                    same = len(outputs) == len(engines) and all(np.array_equal(ref, o) for o in outputs.values())
                    check = f"outputs identical across engines: {same}"
                results[model] = {"engines": eng_results, "check": check, "firing_rates": firing_rates(model)}
                for c_name in (e for e in engines if e.startswith("snnc-c")):
                    c = eng_results.get(c_name, {})
                    for k in ("torch", "onnxruntime"):
                        if "samples_per_s" in eng_results.get(k, {}) and "samples_per_s" in c:
                            ratio = c["samples_per_s"] / eng_results[k]["samples_per_s"]
                            print(f"{threads}t {model:11s} {c_name} / {k}: {ratio:.1f}×")
                print(f"{threads}t {model:11s} {check}", flush=True)
    meta = {"threads": a.threads, "repeats": a.repeats, "T": T, "batch": BATCH, "density": DENSITY,
            "machine": f"{cpu_model()}, {os.cpu_count()} CPUs, {platform.platform()}",
            "simd_features": simd.features(), "engines": engines, "python": platform.python_version()}
    for mod in ("torch", "onnxruntime", "numpy"):
        try:
            meta[mod] = __import__(mod).__version__
        except ImportError:
            pass
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "cpu_runtime.json").write_text(json.dumps({"meta": meta, "runs": runs}, indent=2) + "\n")
    (out / "cpu_runtime.md").write_text(markdown(runs, meta))
    print(f"wrote {out / 'cpu_runtime.json'} and {out / 'cpu_runtime.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
