"""Lowering of spiking neurons through their `ir_op` / `ir_params()` protocol.

A neuron module names its IR op (`lif`, `if`, `plif`, `cuba_lif`, `multispike`, …)
and returns its constants from `ir_params()`. Each constant goes where the op
definition declares it: a parameter role (beta, alpha, threshold) becomes a
static float32 broadcast parameter — a scalar, one value per channel (axis 0 of
the per-timestep shape, as PLIF's per-channel decay) or one per neuron — and
an attribute (reset, compare, v_reset, D) stays an attribute. The equations are
the op's docstring (`snnc.ir.ops.lif`, `snnc.ir.ops.multispike`), which are the
same as the modules' (`snnc.nn.neurons`).
"""
from __future__ import annotations

import numpy as np

from snnc.errors import UnsupportedError
from snnc.ir import OPS
from snnc.nn.neurons import IELIF, SpikingNeuron

from .emit import Emitter, broadcast
from .registry import Site, lowers, unsupported

# Constants an op leaves out because it fixes them (IF is LIF with beta = 1).
IMPLIED = {"if": {"beta": 1.0}}


def _split(op: str, values: dict, module, site: Site) -> tuple[dict, dict]:
    """Split `ir_params()` into the op's parameters (arrays) and attributes."""
    opdef = OPS[op]
    roles = {p.role for p in opdef.params}
    attr_names = {a.name for a in opdef.attrs}
    params, attrs = {}, {}
    for key, value in values.items():
        if key in roles:
            params[key] = value
        elif key in attr_names:
            attrs[key] = value.item() if isinstance(value, np.generic) else value
        elif key in IMPLIED.get(op, {}) and np.all(np.asarray(value) == IMPLIED[op][key]):
            continue
        else:
            raise unsupported(module, site, f"ir_params() gives {key!r}, which IR op {op!r} has no place for "
                                            f"(parameters: {', '.join(sorted(roles)) or 'none'}; attributes: "
                                            f"{', '.join(sorted(attr_names)) or 'none'})")
    return params, attrs


@lowers(SpikingNeuron, IELIF, inherit=True, protocol=True)
def lower_neuron(em: Emitter, module, site: Site, x: str) -> str:
    op = getattr(module, "ir_op", None)
    if op not in OPS:
        raise unsupported(module, site, f"its ir_op {op!r} is not an IR op")
    if site.lead != 2:
        raise unsupported(module, site, "a spiking neuron runs over time and needs a time-major input "
                                        "[T, B, ...]; do not wrap it in SeqWrap")
    params, attrs = _split(op, module.ir_params(), module, site)
    x = em.as_float(x, site.name)
    shape = em.shape(x)
    try:
        arrays = {role: broadcast(v, shape, role) for role, v in params.items()}
    except UnsupportedError as e:
        raise unsupported(module, site, str(e)) from None
    gain_in, gain_out = module.ir_gains() if hasattr(module, "ir_gains") else (1.0, 1.0)
    x = _gain(em, x, gain_in, site, ".gain_in")
    y = em.add(op, [x], site.name, attrs=attrs, params=arrays, module=site.path)
    return _gain(em, y, gain_out, site, ".gain_out")


def _gain(em: Emitter, x: str, gain: float, site: Site, suffix: str) -> str:
    """A constant gain around a neuron (IE-LIF's qsd convention) as a static `scale` op."""
    if gain == 1.0:
        return x
    scale = np.full((1,) * (len(em.shape(x)) + 1), gain, dtype=np.float32)
    return em.add("scale", [x], site.name + suffix, params={"scale": scale}, module=site.path)
