"""Render a `Project` into the files of the HLS project (text only; `target.emit` writes them).

Templates are `templates/hls/*.j2` (shipped as package data of `snnc.templates`),
rendered with `StrictUndefined`; this module builds every string they need.
"""
from __future__ import annotations

import json
from importlib import resources

import jinja2

from .names import node_comment, safe_name
from .plan import Project

# The generated code compiles warning-free: -Werror with snnc's shim; with the Vitis
# headers (XILINX_HLS) warnings inside them do not stop a build.
WARN_FLAGS = ("-std=c++14", "-Wall", "-Wextra", "-Werror")
OPT_FLAGS = ("-O1",)


def environment() -> jinja2.Environment:
    root = resources.files("snnc.templates") / "hls"

    def load(name: str):
        f = root / name
        return f.read_text(encoding="utf-8") if f.is_file() else None

    return jinja2.Environment(loader=jinja2.FunctionLoader(load), undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              autoescape=False)


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


def render_project(project: Project, estimates: dict) -> dict[str, str]:
    """Relative path → text of every generated source file of the project."""
    env = environment()
    o = project.options
    top, ns = project.top, project.ns
    guard = f"SNNC_{top}"
    common = dict(top=top, ns=ns, guard=guard, axis=o.interface == "axis", array=o.interface == "array",
                  timesteps=o.timesteps, max_timesteps=o.max_timesteps, max_t_macro=f"{top}_MAX_TIMESTEPS",
                  graph_comment=safe_name(project.graph.name), part=o.part, clock_mhz=f"{o.clock_mhz:g}",
                  clock_ns=f"{o.clock_ns:.6g}", dataflow=project.dataflow, dataflow_note=project.dataflow_note,
                  warn_flags=" ".join(f for f in WARN_FLAGS if f != "-Werror"), opt_flags=" ".join(OPT_FLAGS),
                  steps={k: int(v) for k, v in o.steps.items()})
    ports_in = [_port(b, project) for b in project.inputs]
    ports_out = [_port(b, project) for b in project.outputs]
    common.update(inputs=ports_in, outputs=ports_out, ports=ports_in + ports_out,
                  input_list=", ".join(p["name"] for p in ports_in),
                  output_list=", ".join(p["name"] for p in ports_out), **_signatures(project))
    files: dict[str, str] = {}
    types = [dict(name=b.type_name, ctype=b.ctype, comment=f"%{safe_name(b.node)} : {b.dtype}[{b.size}]")
             for b in project.all_buffers]
    files["firmware/defines.h"] = env.get_template("defines.h.j2").render(common, types=types)

    headers = _weight_header_names(project)
    layer_texts = []
    for layer in project.layers:
        node = project.graph[layer.node]
        comment = node_comment(node)
        data = dict(layer.data, comment=comment, fn=layer.fn, signature=layer.signature())
        layer_texts.append(env.get_template(layer.template).render(data).rstrip("\n"))
        if layer.ident in headers:
            files[f"firmware/weights/{headers[layer.ident]}"] = env.get_template("weights.h.j2").render(
                common, comment=comment, roms=layer.roms, guard=f"{guard}_W_{layer.ident}_H",
                packed=layer.data.get("packed"), lanes=layer.lanes, groups=layer.data.get("groups", 1),
                fan_in=layer.data.get("row_len", 1))
    files["firmware/layers.h"] = env.get_template("layers.h.j2").render(
        common, weight_headers=list(headers.values()), layer_texts=layer_texts)
    states = [dict(name=s.name, ctype=s.ctype, size=s.size, lanes=s.lanes, groups=s.size // s.lanes)
              for s in project.states]
    buffers = [dict(name=b.name, type_name=b.type_name, size=b.size, partition=project.partitions.get(b.name, 1))
               for b in project.buffers]
    layers = [dict(fn=layer.fn, call_args=layer.call_args()) for layer in project.layers]
    files[f"firmware/{top}.h"] = env.get_template("top.h.j2").render(common)
    files[f"firmware/{top}.cpp"] = env.get_template("top.cpp.j2").render(
        common, states=states, buffers=buffers, layers=layers)
    files[f"csim/{top}_csim.cpp"] = env.get_template("csim.cpp.j2").render(common)
    files[f"tb/tb_{top}.cpp"] = env.get_template("tb.cpp.j2").render(common)
    files["Makefile"] = env.get_template("Makefile.j2").render(common)
    files["build_prj.tcl"] = env.get_template("build_prj.tcl.j2").render(common)
    files["hls_config.cfg"] = env.get_template("hls_config.cfg.j2").render(common)
    steps_text = "steps: " + ", ".join(k for k, v in o.steps.items() if v) if any(o.steps.values()) else "no steps"
    files["README.md"] = env.get_template("README.md.j2").render(
        common, top_decl=f"void {top}({', '.join(common['top_signature'])})",
        port_rows=[dict(p, name=p["name"]) for p in ports_in + ports_out],
        output_scale_text="the output's scale", steps_text=steps_text,
        estimate_rows=[dict(e, name=safe_name(e["name"])) for e in estimates["layers"]],
        total=estimates["total"], buffers=estimates["buffers"], io_cycles=estimates["io_cycles_per_timestep"])
    files["estimates.json"] = json.dumps(estimates, indent=2) + "\n"
    for name, text in shim_headers().items():
        files[f"shim/{name}"] = text
    return files
