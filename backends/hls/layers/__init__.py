"""Layer builders: one function per op turns an IR node into a `Layer` (template data + cost).

`BUILDERS` maps op name → builder; `ALIASES` are the ops that generate no code
(flatten and reshape re-read their operand's row-major buffer).
"""
from .base import PIPELINE_DEPTH, Buffer, BuildContext, Fold, Layer, State
from .fork import add_forks
from .elementwise import build_add, build_gain, build_multispike, build_output, build_threshold
from .neuron import build_neuron
from .pool import build_pool
from .synapse import build_conv2d, build_linear, build_spike_matmul

BUILDERS = {
    "linear": build_linear, "conv2d": build_conv2d, "spike_matmul": build_spike_matmul,
    "lif_int": build_neuron, "cuba_lif_int": build_neuron, "li_int": build_neuron,
    "add": build_add, "scale": build_gain, "affine": build_gain, "threshold": build_threshold,
    "multispike_int": build_multispike, "sumpool2d": build_pool, "maxpool2d": build_pool,
    "output": build_output,
}
ALIASES = frozenset({"flatten", "reshape"})

__all__ = ["add_forks", "BUILDERS", "ALIASES", "Buffer", "BuildContext", "Fold", "Layer", "State", "PIPELINE_DEPTH"]
