"""Lowering of the fx `call_function` / `call_method` nodes a model's own forward may contain.

* Residual sums ``a + b`` (``operator.add``, ``torch.add`` without ``alpha``, ``Tensor.add``)
  of two same-shaped values → ``add``; the in-place forms (``+=``, ``Tensor.add_``) only
  when nothing else reads the tensor they overwrite.
* View-like reshapes that keep the time and batch axes (``reshape``, ``view``,
  ``flatten``, ``squeeze``, ``unsqueeze``, ``contiguous`` …) → ``flatten`` / ``reshape``
  of the per-timestep shape, or nothing when the shape does not change. Such an op
  never reorders elements, so when ``[T, B]`` stays in front it acts on each
  timestep's row-major block alone.

Anything else is an `UnsupportedError` naming the call and the module it is in.
"""
from __future__ import annotations

import math
import operator

import torch

from snnc.errors import UnsupportedError

from .emit import Emitter
from .registry import Site
from .stateless import flatten_value

ADD_FUNCTIONS = (operator.add, operator.iadd, torch.add)
ADD_METHODS = ("add", "add_", "__add__", "__iadd__")
IN_PLACE = (operator.iadd, "add_", "__iadd__")
VIEW_FUNCTIONS = (torch.reshape, torch.flatten, torch.squeeze, torch.unsqueeze)
VIEW_METHODS = ("reshape", "view", "flatten", "squeeze", "unsqueeze", "contiguous", "view_as", "reshape_as")


def call_name(node) -> str:
    """How a call reads in an error message: ``torch.sigmoid``, ``Tensor.softmax``, ``operator.mul``."""
    if node.op == "call_method":
        return f"Tensor.{node.target}"
    target = node.target
    module = getattr(target, "__module__", None) or "operator"
    if module.startswith("torch"):
        module = "torch"
    return f"{module}.{getattr(target, '__name__', str(target))}"


def scope(node) -> str:
    """The path of the innermost module whose forward made this call ('' at the top level)."""
    stack = node.meta.get("nn_module_stack") or {}
    return next(reversed(stack.values()))[0] if stack else ""


def call_kind(node) -> str:
    """The kind of a supported call, ``"add"`` or ``"view"``; UnsupportedError naming any other call."""
    if (node.op == "call_function" and node.target in ADD_FUNCTIONS) or \
            (node.op == "call_method" and node.target in ADD_METHODS):
        return "add"
    if (node.op == "call_function" and node.target in VIEW_FUNCTIONS) or \
            (node.op == "call_method" and node.target in VIEW_METHODS):
        return "view"
    raise _error(node, f"{call_name(node)} is not supported (supported calls: tensor additions for residual "
                       f"connections and reshapes that keep the [T, B] axes)")


def lower_call(em: Emitter, node, env: dict, shapes: dict) -> str:
    """Emit the IR for one fx call node; `env` maps fx nodes to IR values, `shapes` to full shapes."""
    kind = call_kind(node)
    where = scope(node)
    site = Site(where, f"{where}.{kind if kind == 'add' else 'reshape'}" if where else
                (kind if kind == "add" else "reshape"))
    if kind == "add":
        return _lower_add(em, node, env, shapes, site)
    return _lower_view(em, node, env, shapes, site)


def _error(node, why: str) -> UnsupportedError:
    where = scope(node)
    return UnsupportedError(f"{where or 'the model'}'s forward: {why}")


def _tensor_args(node, env, n: int) -> list[str]:
    args = list(node.args)
    if len(args) != n or not all(isinstance(a, torch.fx.Node) for a in args):
        raise _error(node, f"{call_name(node)} must combine {n} tensors computed by the model "
                           f"(constants and other arguments are not supported)")
    return [env[a] for a in args]


def _lower_add(em: Emitter, node, env, shapes, site: Site) -> str:
    if any(k != "alpha" for k in node.kwargs) or node.kwargs.get("alpha", 1) != 1:
        raise _error(node, f"{call_name(node)} with alpha or other keyword arguments is not supported")
    a, b = _tensor_args(node, env, 2)
    if node.target in IN_PLACE and len(node.args[0].users) > 1:
        raise _error(node, f"{call_name(node)} overwrites a tensor that other operations read as well; "
                           f"write `y = a + b` instead of the in-place form")
    sa, sb = shapes[node.args[0]], shapes[node.args[1]]
    if sa != sb:
        raise _error(node, f"adding tensors of shapes {list(sa)} and {list(sb)} (broadcasting) is not "
                           f"supported; both operands must have the same shape")
    return em.add("add", [a, b], site.name, module=site.path or None)


def _lower_view(em: Emitter, node, env, shapes, site: Site) -> str:
    src = node.args[0] if node.args else None
    if not isinstance(src, torch.fx.Node):
        raise _error(node, f"{call_name(node)} needs a tensor computed by the model")
    before, after = shapes[src], shapes[node]
    if after is None or before[:2] != after[:2]:
        raise _error(node, f"{call_name(node)} turns shape {list(before)} into {list(after) if after else '?'}; "
                           f"it must keep the time and batch axes [T, B] in front")
    x = env[src]
    inner_before, inner_after = tuple(before[2:]), tuple(after[2:])
    if inner_before == inner_after:
        return x
    for start in range(len(inner_before)):
        if inner_after == inner_before[:start] + (math.prod(inner_before[start:]),):
            return flatten_value(em, x, start, len(inner_before) - 1, site)
    return em.add("reshape", [x], site.name, attrs={"shape": inner_after}, module=site.path or None)
