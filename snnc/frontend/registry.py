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


def lowers(*types: type, inherit: bool = False, protocol: bool = False, replace: bool = False):
    """Decorator: teach `snnc.trace` a module type — the one registration mechanism, used by
    snnc's own lowerings and by users' (``@snnc.frontend.lowers(MyQuantConv)``).

    The decorated function is called as ``fn(em, module, site, x) -> str`` once per call of
    such a module in the traced forward:

    * `em` — the `snnc.frontend.Emitter` of the graph under construction:
      ``em.add(op, [operands], name, attrs=..., params=..., module=site.path)`` appends an IR
      node (an op of `snnc.ir.OPS`; parameters are NumPy arrays in the op's broadcast layout,
      `snnc.frontend.broadcast` builds them) and returns its value name; ``em.shape(v)`` is a
      value's per-timestep shape, ``em.as_float(v, name)`` converts an integer value to f32;
    * `module` — the module instance (read its weights, step sizes, thresholds);
    * `site` — where it sits: ``site.path`` (e.g. ``"features.3"``, name nodes and errors
      after it; pass ``module=site.path`` to `em.add` for neuron nodes so that
      `compare_with_torch` finds the module), ``site.name``, ``site.lead`` (2: the module
      sees ``[T, B, ...]``; 1: it sees one timestep ``[T·B, ...]``), ``site.child(attr)``;
    * `x` — the IR value (node name) of the module's one input tensor.

    It returns the IR value of the module's output; that value's per-timestep shape is checked
    against what PyTorch computes. Submodules are lowered with
    ``snnc.frontend.lower_module(em, child, site.child("attr"), value)``. Raise
    ``snnc.frontend.registry.unsupported(module, site, why)`` for a configuration the IR
    cannot express. Registered modules are leaves of the fx trace (their own forward is not
    traced, so it may hold Python control flow or autograd Functions).

    `types` are matched exactly; ``inherit=True`` also matches their subclasses; ``protocol=True``
    makes `fn` the lowering of any module with the neuron protocol (`ir_op`, `ir_params()`).
    Registering a type twice is an error unless ``replace=True``.
    """
    def deco(fn):
        for t in types:
            if t in MODULES and not replace:
                raise ValueError(f"a lowering for {t.__name__} is registered twice; pass replace=True to "
                                 f"override it")
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
    if load_foreign(cls) and cls in MODULES:
        return MODULES[cls]
    for base in cls.__mro__[1:]:
        if base in _INHERITED:
            return MODULES[base]
    protocol = isinstance(getattr(module, "ir_op", None), str) and callable(getattr(module, "ir_params", None))
    if protocol and _PROTOCOL:
        return _PROTOCOL[0]
    return None


# Libraries whose modules snnc lowers in a module of its own, imported the first time a model
# holds one of their modules (snnc never imports the library itself otherwise).
FOREIGN = {"spikingjelly": "snnc.frontend.foreign.spikingjelly"}
_LOADED: set[str] = set()


def load_foreign(cls: type) -> bool:
    """Import the lowerings of `cls`'s library (once) when snnc has them; True when it did now."""
    root = cls.__module__.split(".")[0]
    if root not in FOREIGN or root in _LOADED:
        return False
    _LOADED.add(root)
    import importlib
    importlib.import_module(FOREIGN[root])
    return True


def supported_names() -> str:
    """The supported module types, for error messages."""
    return ", ".join(sorted({_short(t) for t in MODULES})) or "none"


def _short(t: type) -> str:
    if t.__module__.startswith("torch.nn"):
        return f"torch.nn.{t.__name__}"
    if t.__module__.startswith("snnc."):
        return f"snnc.nn.{t.__name__}"
    return f"{t.__module__.split('.')[0]}.{t.__name__}"


def unsupported(module: nn.Module, site: Site, why: str = "") -> UnsupportedError:
    """The error for a module (or a configuration of it) that snnc cannot lower."""
    kind = type(module).__name__
    where = site.path or "the model"
    if why:
        return UnsupportedError(f"{where} ({kind}): {why}")
    return UnsupportedError(f"{where}: module type {type(module).__module__}.{kind} is not supported by the "
                            f"snnc frontend; ways out: (1) replace it by a supported module (supported: {supported_names()}, "
                            f"or a spiking neuron with `ir_op` and `ir_params()`), (2) teach snnc its IR with "
                            f"@snnc.frontend.lowers({kind}), or (3) export the model to NIR and compile the "
                            f".nir file")


def lower_module(em, module: nn.Module, site: Site, x: str) -> str:
    """Emit `module(x)` at `site`; raise UnsupportedError naming the module if snnc cannot."""
    fn = find_lowering(module)
    if fn is None:
        raise unsupported(module, site)
    out = fn(em, module, site, x)
    em.end_call(site.path)
    return out
