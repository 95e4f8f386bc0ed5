"""The table of module lowerings: module type → function that emits its IR nodes.

A lowering is ``fn(em, module, site, x) -> value``: it emits the nodes computing
``module(x)`` from the IR value `x` (a node name) and returns the result value.
`Site` says where the module sits: its path in the model (for names and errors)
and how many leading axes the tensor it sees has before the per-timestep shape —
2 for a module called on ``[T, B, ...]``, 1 for the module inside a `SeqWrap`,
which sees ``[T·B, ...]``.

Lookup is by exact type first (a subclass of ``nn.Linear`` with its own forward is
not an ``nn.Linear``), then along the MRO for entries registered with
``inherit=True`` (the spiking neurons: a subclass keeps the `ir_op` / `ir_params()`
protocol), then by that protocol itself.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from torch import nn

from snnc.errors import UnsupportedError


@dataclass(frozen=True)
class Site:
    path: str          # the module's path in the model, e.g. "layers.3"
    name: str          # base name of the IR node(s) it becomes
    lead: int = 2      # leading axes before the per-timestep shape: 2 = [T, B, ...], 1 = [T·B, ...]

    def child(self, attr: str) -> "Site":
        """The site of the submodule `attr` (its own path, which is also its node name)."""
        path = f"{self.path}.{attr}" if self.path else attr
        return replace(self, path=path, name=path)


Lowering = Callable[..., str]
MODULES: dict[type, Lowering] = {}
_INHERITED: set[type] = set()
_PROTOCOL: list[Lowering] = []      # the lowering of modules with `ir_op` and `ir_params()`


def lowers(*types: type, inherit: bool = False, protocol: bool = False):
    """Decorator: register `fn` as the lowering of modules of exactly these types, of their
    subclasses with ``inherit=True``, and of any module with the neuron protocol
    (`ir_op`, `ir_params()`) with ``protocol=True``."""
    def deco(fn):
        for t in types:
            if t in MODULES:
                raise ValueError(f"a lowering for {t.__name__} is registered twice")
            MODULES[t] = fn
            if inherit:
                _INHERITED.add(t)
        if protocol:
            _PROTOCOL[:] = [fn]
        return fn
    return deco


def find_lowering(module: nn.Module) -> Lowering | None:
    """The lowering of `module`, or None when snnc cannot lower it."""
    cls = type(module)
    if cls in MODULES:
        return MODULES[cls]
    for base in cls.__mro__[1:]:
        if base in _INHERITED:
            return MODULES[base]
    protocol = isinstance(getattr(module, "ir_op", None), str) and callable(getattr(module, "ir_params", None))
    if protocol and _PROTOCOL:
        return _PROTOCOL[0]
    return None


def supported_names() -> str:
    """The supported module types, for error messages."""
    return ", ".join(sorted({_short(t) for t in MODULES})) or "none"


def _short(t: type) -> str:
    root = "torch.nn" if t.__module__.startswith("torch.nn") else "snnc.nn"
    return f"{root}.{t.__name__}"


def unsupported(module: nn.Module, site: Site, why: str = "") -> UnsupportedError:
    """The error for a module (or a configuration of it) that snnc cannot lower."""
    kind = type(module).__name__
    where = site.path or "the model"
    if why:
        return UnsupportedError(f"{where} ({kind}): {why}")
    return UnsupportedError(f"{where}: module type {type(module).__module__}.{kind} is not supported by the "
                            f"snnc frontend; supported: {supported_names()}, and spiking neurons with "
                            f"`ir_op` and `ir_params()`; replace the module or remove it from the model")


def lower_module(em, module: nn.Module, site: Site, x: str) -> str:
    """Emit `module(x)` at `site`; raise UnsupportedError naming the module if snnc cannot."""
    fn = find_lowering(module)
    if fn is None:
        raise unsupported(module, site)
    out = fn(em, module, site, x)
    em.end_call(site.path)
    return out
