"""torch.fx symbolic tracing with snnc's modules as leaves, and shape propagation.

`symbolic_trace(model)` records the model's forward as an fx graph in which every
module snnc knows how to lower (neurons, QLinear / QConv2d, SeqWrap, the attention
block, BatchNorm, pooling, Flatten, Dropout, Identity …) is one ``call_module``
node, and so is every other ``torch.nn`` module (fx's default), so that an
unsupported one (an ``nn.GRU``, an ``nn.Softmax``) stays one node, which
`check_supported` names — before anything runs — with the supported list. The
model's own container modules (``nn.Sequential``, residual blocks) are traced
through: their additions and reshapes become ``call_function`` / ``call_method``
nodes.

`propagate_shapes(gm, example)` runs the traced module once on the example and
records the shape of every value; a failure names the module where it happened.

`frozen_weights(model)` computes every quantized layer's weights once (the
quantizer's output is deterministic in eval mode without DropConnect) and
serves that result to both the shape pass and `deployable()`, so that a large
TaWQ model runs its quantizer once per trace, not twice.
"""
from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.fx
from torch import nn

from snnc.errors import ConfigError, SnncError, UnsupportedError
from snnc.nn.quant import QuantLayer

from .functions import call_kind, call_name, scope
from .registry import FOREIGN, Site, find_lowering, unsupported


class SnncTracer(torch.fx.Tracer):
    """fx tracer whose leaves are the modules snnc lowers plus torch.nn's own modules."""

    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        return (find_lowering(m) is not None or type(m).__module__.split(".")[0] in FOREIGN
                or super().is_leaf_module(m, module_qualified_name))


def symbolic_trace(model: nn.Module) -> torch.fx.GraphModule:
    """The fx GraphModule of `model.forward` (UnsupportedError when fx cannot trace it)."""
    try:
        graph = SnncTracer().trace(model)
    except SnncError:
        raise
    except Exception as e:
        raise UnsupportedError(
            f"torch.fx cannot trace {type(model).__name__}.forward: {_first_line(e)}; snnc traces forward "
            f"functions without data-dependent control flow (build the model from snnc.nn modules, or make "
            f"the offending submodule a supported layer)") from None
    return torch.fx.GraphModule(model, graph)


@contextmanager
def frozen_weights(model: nn.Module):
    """Within the block, each QuantLayer's `quantized_weight()` returns one cached result."""
    layers = [m for m in model.modules() if isinstance(m, QuantLayer)]
    try:
        with torch.no_grad():
            for m in layers:
                cached = m.quantized_weight()
                m.quantized_weight = lambda cached=cached: cached
        yield
    finally:
        for m in layers:
            m.__dict__.pop("quantized_weight", None)


def check_supported(gm: torch.fx.GraphModule) -> None:
    """Refuse, before running anything, a module or call that snnc cannot lower (naming it)."""
    inputs = [n.target for n in gm.graph.nodes if n.op == "placeholder"]
    if len(inputs) != 1:
        raise UnsupportedError(f"the model's forward takes {len(inputs)} inputs ({', '.join(inputs)}); snnc "
                               f"traces models with one input tensor [T, B, ...]")
    for n in gm.graph.nodes:
        if n.op == "call_module":
            module = gm.get_submodule(n.target)
            if find_lowering(module) is None:
                raise unsupported(module, Site(n.target, n.target))
            if len(n.args) != 1 or n.kwargs or not isinstance(n.args[0], torch.fx.Node):
                raise UnsupportedError(f"{n.target} ({type(module).__name__}) is called with {len(n.args)} "
                                       f"arguments; snnc lowers modules called on one tensor")
        elif n.op in ("call_function", "call_method"):
            call_kind(n)
        elif n.op == "get_attr":
            raise UnsupportedError(f"the model's forward reads {n.target!r} directly; use parameters only "
                                   f"inside supported layers")


class _ShapeRecorder(torch.fx.Interpreter):
    def __init__(self, gm: torch.fx.GraphModule):
        super().__init__(gm)
        self.extra_traceback = False
        self.shapes: dict[torch.fx.Node, tuple[int, ...] | None] = {}

    def run_node(self, n: torch.fx.Node):
        try:
            result = super().run_node(n)
        except Exception as e:
            what = f"{n.target} ({type(self.module.get_submodule(n.target)).__name__})" \
                if n.op == "call_module" else f"{call_name(n)} in {scope(n) or 'the forward'}"
            raise ConfigError(f"the example input does not fit the model: {what} failed with: "
                              f"{_first_line(e)}") from None
        self.shapes[n] = tuple(result.shape) if isinstance(result, torch.Tensor) else None
        return result


def propagate_shapes(gm: torch.fx.GraphModule, example: torch.Tensor) -> dict:
    """fx node → full PyTorch shape ``(T, B, ...)`` of its value (None for non-tensors)."""
    recorder = _ShapeRecorder(gm)
    # library neurons that keep their state in the module (SpikingJelly's `_memories`) get it back,
    # so that tracing leaves the model as it was
    saved = [(m, dict(m._memories)) for m in gm.modules() if isinstance(getattr(m, "_memories", None), dict)]
    try:
        with torch.no_grad():
            recorder.run(example)
    finally:
        for m, memories in saved:
            m._memories.clear()
            m._memories.update(memories)
    return recorder.shapes


def _first_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return (lines[0] if lines else type(e).__name__)[:300]
