"""`trace(model, example_input)`: a PyTorch spiking model → a float IR graph.

Steps: put the model in eval mode (BatchNorm running statistics, no dropout or
DropConnect; the modes are restored afterwards), trace its forward with torch.fx
(`tracer.py`), run it once on the example to record every shape (quantized
weights computed once for this and for the lowering), decide the
input type (`inputs.py`), then lower every fx node in order:

* the input → ``input`` (per-timestep shape, dtype, scale), followed by a float
  ``scale`` op ``x_real = x · step`` when the input is an integer with step ≠ 1,
  so that the float graph computes exactly what PyTorch computes;
* a module call → its registered lowering (`registry.py`; layers, neurons,
  stateless modules, attention);
* a function / method call → ``add`` or a reshape (`functions.py`);
* the returned tensor → ``output`` (named ``y``).

Every lowered value's per-timestep shape (the IR's own type inference) is checked
against the shape PyTorch produced, and the result is verified. Nodes are named
after module paths (``layers.0``), parameters ``<node>.<role>``
(``layers.0.weight``). Graph attributes: ``timesteps`` (T of the example),
``source``, ``arch``, ``encoding``.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.fx
from torch import nn

from snnc.errors import ConfigError, UnsupportedError
from snnc.input_decl import declare_input
from snnc.ir import Graph, verify

# the lowering modules register themselves in `registry.MODULES` when imported
from . import attention, layers, neurons, scale, stateless  # noqa: F401
from .emit import Emitter, ir_name
from .functions import lower_call
from .inputs import InputSpec, input_spec
from .registry import Site, lower_module
from .tracer import check_supported, frozen_weights, propagate_shapes, symbolic_trace


def trace(model: nn.Module, example_input, *, input_type=None, input_scale=None, timesteps=None,
          input_range=None) -> Graph:
    """Trace `model` on `example_input` ``[T, B, *input_shape]`` into a verified float IR graph.

    `input_type` (``"spike"``, ``"uint<k>"``, ``"int<k>"``, ``"fixed<k,f>"``, ``"f32"``) and
    `input_scale` override the input type taken from ``model.metadata`` or the example
    (see `snnc.frontend.inputs`). `timesteps` (the T the network will run for; default the
    example's) and `input_range` (f32 inputs: the range integerize clips to) are recorded in
    the graph's attributes, as `snnc.compile` does (`snnc.input_decl`). Raises `UnsupportedError` for a module, call or
    configuration snnc cannot lower (naming its path in the model) and `ConfigError`
    for an example that does not fit the model.
    """
    if not isinstance(model, nn.Module):
        raise ConfigError(f"trace needs a torch.nn.Module, got {type(model).__name__}")
    example = _example_tensor(example_input)
    modes = {m: m.training for m in model.modules()}
    model.eval()
    try:
        gm = symbolic_trace(model)
        check_supported(gm)
        with frozen_weights(model):
            shapes = propagate_shapes(gm, example)
            spec = input_spec(model, example, input_type, input_scale)
            graph = _lower(gm, model, example, spec, shapes)
    finally:
        for m, training in modes.items():
            m.training = training
    verify(graph)
    return declare_input(graph, timesteps=timesteps, input_range=input_range)


def _example_tensor(example) -> torch.Tensor:
    if isinstance(example, np.ndarray):
        example = torch.from_numpy(np.ascontiguousarray(example))
    if not isinstance(example, torch.Tensor):
        raise ConfigError(f"the example input must be a tensor [T, B, *input_shape], got {type(example).__name__}")
    if example.dim() < 3 or min(example.shape) < 1:
        raise ConfigError(f"the example input must be time-major [T, B, *input_shape] (at least 3 axes, none "
                          f"empty), got shape {list(example.shape)}; add the time axis with x.unsqueeze(0)")
    if not example.is_floating_point():
        example = example.to(torch.float32)
    return example.detach()


def _lower(gm: torch.fx.GraphModule, model: nn.Module, example: torch.Tensor, spec: InputSpec,
           shapes: dict) -> Graph:
    T, B = int(example.shape[0]), int(example.shape[1])
    arch = str(getattr(model, "arch", "") or type(model).__name__)
    graph = Graph(ir_name(arch), {"timesteps": T, "source": f"torch:{type(model).__name__}", "arch": arch,
                                  "encoding": spec.encoding})
    em = Emitter(graph)
    env: dict[torch.fx.Node, str] = {}
    for n in gm.graph.nodes:
        if n.op == "placeholder":
            env[n] = _emit_input(em, n.name, tuple(example.shape[2:]), spec)
        elif n.op == "call_module":
            module = gm.get_submodule(n.target)
            env[n] = lower_module(em, module, Site(n.target, n.target), env[n.args[0]])
            _check_shape(em, env[n], shapes[n], (T, B), f"{n.target} ({type(module).__name__})")
        elif n.op in ("call_function", "call_method"):
            env[n] = lower_call(em, n, env, shapes)
            _check_shape(em, env[n], shapes[n], (T, B), f"the call {n.name}")
        elif n.op == "output":
            result = n.args[0]
            if not isinstance(result, torch.fx.Node) or shapes.get(result) is None:
                raise UnsupportedError("the model returns something other than one tensor; snnc expects the "
                                       "forward to return the readout [T, B, num_classes]")
            em.add("output", [env[result]], "y")
    return graph


def _emit_input(em: Emitter, name: str, shape: tuple[int, ...], spec: InputSpec) -> str:
    x = em.add("input", [], name, attrs={"shape": shape, "dtype": str(spec.dtype), "scale": spec.scale})
    if spec.dtype.is_integer and spec.step != 1.0:
        step = np.full((1,) * (len(shape) + 1), spec.step, np.float32)
        x = em.add("scale", [x], f"{name}_real", params={"scale": step})
    return x


def _check_shape(em: Emitter, value: str, torch_shape, lead: tuple[int, int], what: str) -> None:
    if torch_shape is None:
        raise UnsupportedError(f"{what} does not return one tensor")
    if tuple(torch_shape[:2]) != lead:
        raise UnsupportedError(f"{what} turns the time and batch axes {list(lead)} into {list(torch_shape[:2])}; "
                               f"every layer must keep the time-major [T, B, ...] layout")
    if em.shape(value) != tuple(torch_shape[2:]):
        raise UnsupportedError(f"{what}: the IR computes per-timestep shape {list(em.shape(value))} but PyTorch "
                               f"gives {list(torch_shape[2:])}; this configuration is not supported")
