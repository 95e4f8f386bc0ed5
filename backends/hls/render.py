"""Render a `Project` into the files of the HLS project (text only; the target's `write` writes them).

Templates are `templates/hls/*.j2`, rendered by the common environment
(`snnc.backends.common.templates`); this module builds every string they need.
"""
from __future__ import annotations

import json
import math
import re
from importlib import resources

from ..common import templates
from ..common.names import node_comment, safe_name
from .plan import Project
from .toolchain import OPT_FLAGS, WARN_FLAGS


def _render(name: str, common: dict, **extra) -> str:
    """The template ``templates/hls/<name>`` with the project's `common` fields and `extra` (which win)."""
    return templates.render(f"hls/{name}", **{**common, **extra})


def shim_headers() -> dict[str, str]:
    """The header shim (file name → text) copied into the project's shim/ folder."""
    root = resources.files("snnc.backends.hls") / "include"
    return {name: (root / name).read_text(encoding="utf-8") for name in ("ap_int.h", "hls_stream.h")}


def _port(b, project: Project) -> dict:
    return dict(name=b.name, size=b.size, type_name=b.type_name, ctype=b.ctype, ident=b.ident,
                partition=project.partitions.get(b.name, 1), value=f"%{safe_name(b.node)} : {b.dtype}")


def _signatures(project: Project) -> dict:
    ns, axis = project.ns, project.options.interface == "axis"
    ins, outs = project.inputs, project.outputs
    step_sig = [f"const {b.type_name} {b.name}[{b.size}]" for b in ins] + \
               [f"{b.type_name} {b.name}[{b.size}]" for b in outs] + \
               [f"{s.ctype} {s.name}[{s.size}]" for s in project.states] + (["int t"] if project.uses_t else [])
    if axis:
        top_sig = [f"hls::stream<{ns}::{b.type_name}>& {b.name}" for b in ins + outs]
        step_call = [f"frame_{b.name}" for b in ins + outs]
    else:
        top_sig = [f"const {ns}::{b.type_name} {b.name}[{ns}::MAX_TIMESTEPS][{b.size}]" for b in ins] + \
                  [f"{ns}::{b.type_name} {b.name}[{ns}::MAX_TIMESTEPS][{b.size}]" for b in outs]
        step_call = [f"{b.name}[t]" for b in ins + outs]
    step_call += [s.name for s in project.states] + (["t"] if project.uses_t else [])
    return dict(step_signature=step_sig, top_signature=top_sig + ["int n_steps"], step_call=step_call,
                top_call=[b.name for b in ins + outs])


def _weight_header_names(project: Project) -> dict[str, str]:
    """Layer ident → header file name (unique even on case-insensitive file systems)."""
    names, seen = {}, set()
    for layer in project.layers:
        if not layer.roms:
            continue
        name = f"{layer.ident}.h"
        if name.lower() in seen:
            name = f"{layer.ident}_{len(seen)}.h"
        seen.add(name.lower())
        names[layer.ident] = name
    return names


_STREAM_X = re.compile(r"\bx(\d+)\[i\]")
_STREAM_Y = re.compile(r"\by(\d*)\[i\]")
_INDEX_LINE = re.compile(r"^ *const int i = g \* \d+ \+ l;\n", re.M)


def _stream_layer(layer, data: dict) -> str:
    """An elementwise layer as a streaming process: its body on beats (x0[i] → bx0.v[l], y[i] → by.v[l])."""
    beat = lambda b: f"beat<{b.type_name}, {layer.lanes}>"      # noqa: E731
    sig = [f"hls::stream<{beat(b)} >& x{k}" for k, b in enumerate(layer.inputs)] + \
          [f"hls::stream<{beat(b)} >& y{k or ''}" for k, b in enumerate(layer.outputs)] + ["int n_steps"]
    text = _render(layer.template, dict(data, stream=True, stream_signature=sig,
                                        in_beats=[beat(b) for b in layer.inputs],
                                        out_beats=[beat(b) for b in layer.outputs], local_states=layer.states))
    text = _STREAM_Y.sub(r"by\1.v[l]", _STREAM_X.sub(r"bx\1.v[l]", text))
    m = _INDEX_LINE.search(text)
    if m and not re.search(r"\bi\b", text[m.end():]):     # the body reads no parameter or state by index
        text = text[:m.start()] + text[m.end():]
    return text


def _frame_process(layer, proc, data: dict) -> str:
    """The process around a frame layer: read its frames, call the layer function, write its frame."""
    frames, sig = [], []
    for k, c in enumerate(proc.ins):
        banks = max(c.width, layer.read_lanes if c.value.size % layer.read_lanes == 0 else 1)
        frames.append(dict(name=f"f{k}", type=c.value.type_name, size=c.value.size, banks=banks, width=c.width,
                           chan=f"x{k}", read=True))
        sig.append(f"hls::stream<{c.beat_type} >& x{k}")
    out = proc.outs[0]
    frames.append(dict(name="fy", type=out.value.type_name, size=out.value.size,
                       banks=max(layer.lanes, out.width), width=out.width, chan="y", read=False))
    sig.append(f"hls::stream<{out.beat_type} >& y")
    uses_t = ["int t"] if layer.uses_t else []
    return _render("frame_process.j2", dict(
        data, pfn=proc.name, step_signature=sig + uses_t, proc_signature=sig + ["int n_steps"],
        frames=frames, layer_call=[f["name"] for f in frames] + (["t"] if layer.uses_t else []),
        step_call=[f["chan"] for f in frames] + (["t"] if layer.uses_t else [])))


def _process_calls(project: Project) -> list[str]:
    """The call of every process of the DATAFLOW region, in order."""
    ns, axis = project.ns, project.options.interface == "axis"
    calls = []
    for p in project.schedule.processes:
        if p.kind in ("input", "output"):
            c = p.outs[0] if p.kind == "input" else p.ins[0]
            fn = {("input", True): "read_port", ("input", False): "read_rows",
                  ("output", True): "write_port", ("output", False): "write_rows"}[p.kind, axis]
            args = (p.port.name, c.name) if p.kind == "input" else (c.name, p.port.name)
            calls.append(f"{ns}::{fn}<{ns}::{c.value.type_name}, {c.value.size}, {c.width}>({args[0]}, {args[1]}, "
                         "steps)")
        elif p.kind == "convert":
            a, b = p.ins[0], p.outs[0]
            calls.append(f"{ns}::convert<{ns}::{a.value.type_name}, {a.value.size}, {a.width}, {b.width}, "
                         f"{math.gcd(a.width, b.width)}>({a.name}, {b.name}, steps)")
        else:
            fn = p.layer.fn if p.kind == "stream" else p.name
            calls.append(f"{ns}::{fn}({', '.join(c.name for c in p.ins + p.outs)}, steps)")
    return calls


def render_project(project: Project, estimates: dict) -> dict[str, str]:
    """Relative path → text of every generated source file of the project."""
    o = project.options
    top, ns = project.top, project.ns
    guard = f"SNNC_{top}"
    common = dict(top=top, ns=ns, guard=guard, axis=o.interface == "axis", array=o.interface == "array",
                  timesteps=o.timesteps, max_timesteps=o.max_timesteps, max_t_macro=f"{top}_MAX_TIMESTEPS",
                  graph_comment=safe_name(project.graph.name), part=o.part, clock_mhz=f"{o.clock_mhz:g}",
                  clock_ns=f"{o.clock_ns:.6g}", dataflow=project.dataflow, dataflow_note=project.dataflow_note,
                  warn_flags=" ".join(f for f in WARN_FLAGS if f != "-Werror"), opt_flags=" ".join(OPT_FLAGS),
                  steps={k: int(v) for k, v in o.steps.items()}, stream=project.schedule is not None)
    ports_in = [_port(b, project) for b in project.inputs]
    ports_out = [_port(b, project) for b in project.outputs]
    common.update(inputs=ports_in, outputs=ports_out, ports=ports_in + ports_out,
                  input_list=", ".join(p["name"] for p in ports_in),
                  output_list=", ".join(p["name"] for p in ports_out), **_signatures(project))
    files: dict[str, str] = {}
    types = list({b.type_name: dict(name=b.type_name, ctype=b.ctype,
                                    comment=f"%{safe_name(b.node)} : {b.dtype}[{b.size}]")
                  for b in project.all_buffers}.values())
    files["firmware/defines.h"] = _render("defines.h.j2", common, types=types)

    headers = _weight_header_names(project)
    layer_texts = []
    procs = {id(p.layer): p for p in project.schedule.processes if p.layer is not None} if project.schedule else {}
    for layer in project.layers:
        comment = node_comment(project.graph[layer.node]) if layer.node in project.graph else \
            f"{layer.op} of {layer.inputs[0].name} into {', '.join(b.name for b in layer.outputs)}"
        data = dict(layer.data, comment=comment, fn=layer.fn, signature=layer.signature(), timesteps=o.timesteps,
                    stream=False)
        proc = procs.get(id(layer))
        if proc is not None and proc.kind == "stream":
            layer_texts.append(_stream_layer(layer, data).rstrip("\n"))
        else:
            layer_texts.append(_render(layer.template, data).rstrip("\n"))
            if proc is not None:
                layer_texts.append(_frame_process(layer, proc, data).rstrip("\n"))
        if layer.ident in headers:
            files[f"firmware/weights/{headers[layer.ident]}"] = _render(
                "weights.h.j2", common, comment=comment, roms=layer.roms, guard=f"{guard}_W_{layer.ident}_H",
                packed=layer.data.get("packed"), lanes=layer.lanes, simd=layer.simd, groups=layer.data.get("groups", 1),
                fan_in=layer.data.get("row_len", 1))
    files["firmware/layers.h"] = _render(
        "layers.h.j2", common, weight_headers=list(headers.values()), layer_texts=layer_texts)
    states = [dict(name=s.name, ctype=s.ctype, size=s.size, lanes=s.lanes, groups=s.size // s.lanes)
              for s in project.states]
    buffers = [dict(name=b.name, type_name=b.type_name, size=b.size, partition=project.partitions.get(b.name, 1))
               for b in project.buffers]
    layers = [dict(fn=layer.fn, call_args=layer.call_args()) for layer in project.layers]
    files[f"firmware/{top}.h"] = _render("top.h.j2", common)
    if project.schedule is not None:
        channels = [dict(name=c.name, depth=c.depth, type=f"{ns}::beat<{ns}::{c.value.type_name}, {c.width}>")
                    for c in project.schedule.channels]
        files[f"firmware/{top}.cpp"] = _render("top_stream.cpp.j2", common, channels=channels,
                                               procs=_process_calls(project))
        files["firmware/streams.h"] = _render("streams.h.j2", common)
    else:
        files[f"firmware/{top}.cpp"] = _render(
            "top.cpp.j2", common, states=states, buffers=buffers, layers=layers)
    files[f"csim/{top}_csim.cpp"] = _render("csim.cpp.j2", common)
    files[f"tb/tb_{top}.cpp"] = _render("tb.cpp.j2", common)
    files["Makefile"] = _render("Makefile.j2", common)
    files["build_prj.tcl"] = _render("build_prj.tcl.j2", common)
    files["hls_config.cfg"] = _render("hls_config.cfg.j2", common)
    steps_text = "steps: " + ", ".join(k for k, v in o.steps.items() if v) if any(o.steps.values()) else "no steps"
    files["README.md"] = _render(
        "README.md.j2", common, top_decl=f"void {top}({', '.join(common['top_signature'])})",
        port_rows=[dict(p, name=p["name"]) for p in ports_in + ports_out],
        output_scale_text="the output's scale", steps_text=steps_text,
        estimate_rows=[dict(e, name=safe_name(e["name"])) for e in estimates["layers"]],
        total=estimates["total"], buffers=estimates["buffers"], io_cycles=estimates["io_cycles_per_timestep"],
        folding=estimates["folding"], utilization=estimates["utilization"] is not None,
        resources=estimates["part_resources"],
        util={k: f"{100 * v:.1f} %" for k, v in (estimates["utilization"] or {}).items()},
        binding=estimates["binding_resource"],
        fifo_depths=", ".join(f"`{safe_name(k)}` {v}" for k, v in estimates["fifo_depths"].items() if v > 2))
    files["estimates.json"] = json.dumps(estimates, indent=2) + "\n"
    for name, text in shim_headers().items():
        files[f"shim/{name}"] = text
    return files
